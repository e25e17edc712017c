"""fc-match's answers kept between runs, for as long as fontconfig's setup stays the same.

A plan with documents asks fc-match for the ~15 families its documents may use. That is ~0.1 s
of a processor (fc-match loads fontconfig's caches each time), and the plan waited ~0.09 s for
the answers before it could hand its documents over to be rendered. The answers are kept in the
user's cache under a digest of what they depend on (:func:`setup_digest`): the environment
variables fontconfig reads; its configuration files, by size, time and inode; every folder of
fonts they name and the folders below, by time (fontconfig's own test of whether a folder
changed); and fc-match itself. Installing or removing a font, or changing the configuration,
gives another digest, and fc-match is asked again. An answer naming a file that is gone is
never taken.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..core.problems import InputError
from .atomic import write_bytes
from .user_cache import cache_folder

ENVIRONMENT = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "HOME", "XDG_CONFIG_HOME",
               "XDG_DATA_HOME")
NOT_INSTALLED = "-"  # a kept answer's file for a family fontconfig does not have
_DIR = re.compile(rb"<dir(?P<attributes>[^>]*)>\s*(?P<path>[^<]+?)\s*</dir>")


def kept(families: Iterable[str], asked_as: str) -> dict[str, str | None] | None:
    """The answers kept for every one of ``families`` (asked with the shell script ``asked_as``)
    under fontconfig's present setup, or None when one is missing or names a file now gone."""
    path = _file(asked_as)
    if path is None:
        return None
    try:
        answers = _answers(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    found: dict[str, str | None] = {}
    for family in families:
        if family not in answers:
            return None
        file = answers[family]
        if file is not None and not os.path.isfile(file):
            return None
        found[family] = file
    return found


def keep(answers: dict[str, str | None], asked_as: str) -> None:
    """Keep ``answers`` (with those kept already under the same setup)."""
    path = _file(asked_as)
    if path is None:
        return
    try:
        every = _answers(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        every = {}
    every.update(answers)
    lines = [f"{family}\t{file or NOT_INSTALLED}" for family, file in sorted(every.items())]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, ("\n".join(lines) + f"\nend {len(lines)}\n").encode("utf-8"))
    except (OSError, InputError):  # a read-only home, a full disk: fc-match asked again next time
        pass


def _answers(text: str) -> dict[str, str | None]:
    """A kept file's answers; ValueError for one that is not whole."""
    lines = text.split("\n")
    if len(lines) < 2 or lines[-1] != "" or lines[-2] != f"end {len(lines) - 2}":
        raise ValueError("cut short")
    answers: dict[str, str | None] = {}
    for line in lines[:-2]:
        family, tab, file = line.partition("\t")
        if not tab or not family or not file:
            raise ValueError("not an answer")
        answers[family] = None if file == NOT_INSTALLED else file
    return answers


def _file(asked_as: str) -> Path | None:
    folder = cache_folder("fonts")
    if folder is None:
        return None
    return folder / f"matches-{setup_digest(asked_as)[:32]}.txt"


@lru_cache(maxsize=None)
def setup_digest(asked_as: str) -> str:
    """A digest of everything fc-match's answers depend on (~1 ms; once a process)."""
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    parts: list[object] = [asked_as, [os.environ.get(name, "") for name in ENVIRONMENT], shutil.which("fc-match")]
    configs = [Path(os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf")]
    for folder in (Path(os.environ.get("FONTCONFIG_PATH") or "/etc/fonts"), config_home / "fontconfig", home):
        configs += [folder / "fonts.conf", folder / "local.conf", folder / ".fonts.conf"]
        configs += _listing(folder / "conf.d") + _listing(folder / ".fonts.conf.d")
    font_folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", home / ".fonts"]
    for config in configs:
        parts.append((str(config), _stamp(config)))
        try:
            text = config.read_bytes()
        except OSError:
            continue
        for found in _DIR.finditer(text):
            named = os.fsdecode(found["path"])
            if b'prefix="xdg"' in found["attributes"]:
                font_folders.append(data_home / named)
            elif b'prefix="relative"' in found["attributes"] and not os.path.isabs(named):
                font_folders.append(config.parent / named)
            else:
                font_folders.append(Path(os.path.expanduser(named)))
    for tool in (shutil.which("fc-match"),):
        if tool:
            parts.append(_stamp(Path(tool)))
    for top in dict.fromkeys(font_folders):
        for below, _, _ in os.walk(top):
            parts.append((below, _stamp(Path(below))))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _listing(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _stamp(path: Path) -> tuple[int, int, int, int] | None:
    """(size, time, inode, time of the link itself) — None where there is nothing."""
    try:
        stat, link = path.stat(), path.lstat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino, link.st_mtime_ns
