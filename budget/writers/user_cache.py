"""Where budget keeps what it can make again between runs: fonts' character maps, compiled
document templates. Losing it costs time, never a different result."""

from __future__ import annotations

import os
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
