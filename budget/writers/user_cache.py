"""Where budget keeps what it can make again between runs: policies read, fc-match's answers,
fonts' character maps, compiled document templates. Losing it costs time, never a different
result. :func:`keep` and :func:`read_kept` write and read one kept file."""

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


def keep(path: Path, data: bytes, pattern: str, kept: int) -> None:
    """``data`` kept in ``path``, whole or not at all (one there that could not be used, another
    user's say, is replaced), and only the ``kept`` newest files of its folder matching
    ``pattern`` left. A read-only home, a full disk: nothing is kept (made again next time)."""
    from ..core.problems import InputError
    from .atomic import write_bytes

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            path.unlink()
        write_bytes(path, data)
    except (OSError, InputError):
        return
    prune(path.parent, pattern, kept)


def read_kept(path: Path | str, only_mine: bool = True) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (and this user's, ``only_mine``: another
    user's kept file could say anything); None otherwise: none there, unreadable, or a pipe,
    which is never opened (its writer would go on) nor waited on."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # (one swapped in meanwhile)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        found = os.fstat(descriptor)
        if not stat.S_ISREG(found.st_mode) or (only_mine and found.st_uid != os.getuid()):
            return None
        try:
            return handle.read()
        except OSError:
            return None
