"""Where budget keeps what it can make again between runs: fonts' character maps, compiled
document templates. Losing it costs time, never a different result."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def cache_folder(kind: str, make: bool = False) -> Path | None:
    """``$XDG_CACHE_HOME/budget/kind`` (else ``~/.cache/budget/kind``), made when ``make``; None
    where there is no home or it cannot be written (then nothing is kept)."""
    try:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "budget" / kind
        if make:
            folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # (RuntimeError: no home folder to be found)
        return None
    return folder


def prune(folder: Path, pattern: str, kept: int) -> None:
    """Only the ``kept`` newest files of ``folder`` matching ``pattern`` left (each one that can
    be removed: one that cannot does not stop the others)."""
    def age(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    for old in sorted(folder.glob(pattern), key=age)[:-kept]:
        with contextlib.suppress(OSError):
            old.unlink()


def read_kept(path: Path) -> bytes | None:
    """What ``path`` keeps, if it is a regular file of this user's (None otherwise: none kept, a
    pipe — never waited on —, another user's, which could say anything, or unreadable)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.getuid():
            return None
        try:
            return handle.read()
        except OSError:
            return None
