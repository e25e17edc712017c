"""Outputs are written whole or not at all: temporary files beside the targets, then renames.

A run writes several files; :class:`Staged` keeps them all as temporaries until every one is
written, so a failure half-way leaves the output folder as it was.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class Staged:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pending: list[tuple[Path, Path]] = []

    def path(self, name: str) -> Path:
        """A temporary path to write; it becomes ``folder/name`` when the whole set is done."""
        target = (self.folder / name).resolve()
        if target.parent != self.folder.resolve():
            raise ValueError(f"output name {name!r} would leave the output folder")
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.folder)
        os.close(handle)
        self.pending.append((Path(temp), target))
        return Path(temp)

    def write_text(self, name: str, text: str) -> None:
        with open(self.path(name), "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)


@contextmanager
def staged(folder: str | Path) -> Iterator[Staged]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stage = Staged(folder)
    try:
        yield stage
    except BaseException:
        for temp, _ in stage.pending:
            temp.unlink(missing_ok=True)
        raise
    mode = 0o666 & ~_umask()  # mkstemp makes 0600 files; outputs get the usual permissions
    for temp, target in stage.pending:
        os.chmod(temp, mode)
        os.replace(temp, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: str | Path, text: str) -> None:
    target = Path(target)
    with staged(target.parent) as stage:
        stage.write_text(target.name, text)


def write_bytes(target: str | Path, data: bytes) -> None:
    target = Path(target)
    with staged(target.parent) as stage:
        stage.write_bytes(target.name, data)
