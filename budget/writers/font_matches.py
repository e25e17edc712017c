"""fc-match's answers kept between runs, for as long as fontconfig's setup stays the same.

A plan with documents asks fc-match for the ~15 families its documents may use. That is ~0.1 s
of a processor (fc-match loads fontconfig's caches each time), and the plan waited ~0.09 s for
the answers before it could hand its documents over to be rendered. The answers are kept in the
user's cache under a digest of what they depend on (:func:`setup_digest`): the environment
variables fontconfig reads; its configuration files and all they include, by size, time and
inode; every folder of fonts they name and the folders below, by time (fontconfig's own test of
whether a folder changed); its cache folders; and fc-match itself. Installing or removing a
font, or changing the configuration, gives another digest, and fc-match is asked again. An
answer naming a file that is gone, or kept by another user, is never taken.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .user_cache import cache_folder, read_kept
from .user_cache import keep as keep_file

ENVIRONMENT = ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT", "HOME", "XDG_CONFIG_HOME",
               "XDG_DATA_HOME")
NOT_INSTALLED = "-"  # a kept answer's file for a family fontconfig does not have
# a folder of fonts, a file or folder of configuration read in, or a folder of fontconfig's
# cache (fontconfig's fonts.conf(5))
_ELEMENT = re.compile(rb"<(?P<tag>dir|include|cachedir)\b(?P<attributes>[^>]*)>\s*(?P<path>[^<]+?)\s*</(?P=tag)>")
KEPT = 8  # sets of answers kept (the newest): one per fontconfig setup seen


Answer = tuple[str, int] | None  # (the font's file, the face in it), or None: not installed


def kept(families: Iterable[str], asked_as: str) -> dict[str, Answer] | None:
    """The answers kept for every one of ``families`` (asked with the shell script ``asked_as``)
    under fontconfig's present setup, or None when one is missing or names a file now gone."""
    path = _file(asked_as)
    if path is None:
        return None
    answers = _read(path)
    if answers is None:
        return None
    found: dict[str, Answer] = {}
    for family in families:
        if family not in answers:
            return None
        answer = answers[family]
        if answer is not None and not os.path.isfile(answer[0]):
            return None
        found[family] = answer
    return found


def keep(answers: dict[str, Answer], asked_as: str) -> None:
    """Keep ``answers`` (with those kept already under the same setup)."""
    path = _file(asked_as)
    if path is None:
        return
    every = _read(path) or {}
    every.update(answers)
    lines = [f"{family}\t{NOT_INSTALLED}" if answer is None else f"{family}\t{answer[1]}\t{answer[0]}"
             for family, answer in sorted(every.items())]
    keep_file(path, ("\n".join(lines) + f"\nend {len(lines)}\n").encode("utf-8", "surrogateescape"), "matches-*.txt", KEPT)


def _read(path: Path) -> dict[str, Answer] | None:
    """The answers kept in ``path``: None when there are none, or it is not whole, or it is
    another user's (whose answers could point this user's documents at any file)."""
    kept = read_kept(path)
    try:
        return _answers(kept.decode("utf-8", "surrogateescape")) if kept is not None else None
    except (UnicodeDecodeError, ValueError):
        return None


def _answers(text: str) -> dict[str, Answer]:
    """A kept file's answers ("family, tab, face, tab, file" or "family, tab, -"); ValueError
    for one that is not whole."""
    lines = text.split("\n")
    if len(lines) < 2 or lines[-1] != "" or lines[-2] != f"end {len(lines) - 2}":
        raise ValueError("cut short")
    answers: dict[str, Answer] = {}
    for line in lines[:-2]:
        family, tab, rest = line.partition("\t")
        if not tab or not family or not rest:
            raise ValueError("not an answer")
        if rest == NOT_INSTALLED:
            answers[family] = None
            continue
        face, tab, file = rest.partition("\t")  # (the file last: its name may hold a tab)
        if not tab or not file or not face.isdigit():
            raise ValueError("not an answer")
        answers[family] = (file, int(face))
    return answers


def _file(asked_as: str) -> Path | None:
    folder = cache_folder("fonts")
    if folder is None:
        return None
    return folder / f"matches-{setup_digest(asked_as)[:32]}.txt"


@lru_cache(maxsize=None)
def setup_digest(asked_as: str) -> str:
    """A digest of everything fc-match's answers depend on (~1 ms; once a process): the files
    fontconfig reads its configuration from — the main file and every file or folder it
    ``<include>``s, and theirs —, the folders of fonts they name with every folder below, links
    followed (as fontconfig follows them), and its cache folders (``fc-cache`` writes there)."""
    home = Path.home()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    # where fontconfig looks for a configuration file named without a folder
    search = [Path(p) for p in (os.environ.get("FONTCONFIG_PATH") or "").split(os.pathsep) if p] + [Path("/etc/fonts")]
    parts: list[object] = [asked_as, [os.environ.get(name, "") for name in ENVIRONMENT]]
    configs = [Path(os.environ.get("FONTCONFIG_FILE") or "fonts.conf")]
    font_folders = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", home / ".fonts"]
    cache_folders: list[Path] = []
    seen: set[Path] = set()
    while configs:
        config = configs.pop(0)
        if not config.is_absolute():  # (each place it could be, stamped: one made later counts too)
            candidates = [folder / config for folder in search]
            parts.append([(str(path), _stamp(path)) for path in candidates])
            config = next((path for path in candidates if path.exists()), candidates[-1])
        if config in seen:
            continue
        seen.add(config)
        parts.append((str(config), _stamp(config)))
        if config.is_dir():  # an included folder: its *.conf files, in order
            configs[:0] = [path for path in _listing(config) if path.suffix == ".conf"]
            continue
        try:
            text = config.read_bytes()
        except OSError:
            continue
        for element in _ELEMENT.finditer(text):
            tag, attributes = element["tag"], element["attributes"]
            named = Path(os.path.expanduser(os.fsdecode(element["path"])))
            if b'prefix="xdg"' in attributes:
                named = {b"include": config_home, b"dir": data_home, b"cachedir": cache_home}[tag] / named
            elif b'prefix="relative"' in attributes and not named.is_absolute():
                named = config.parent / named
            elif not named.is_absolute() and tag != b"include":  # a folder named from where fc-match runs
                named = Path.cwd() / named
            if tag == b"include":
                configs.append(named)
            elif tag == b"dir":
                font_folders.append(named)
            else:
                cache_folders.append(named)
    tool = shutil.which("fc-match")
    parts.append((tool, _stamp(Path(tool)) if tool else None))
    parts += [(str(folder), _stamp(folder)) for folder in cache_folders]
    walked: set[str] = set()
    for top in dict.fromkeys(font_folders):
        parts.append(str(top))  # (named: one named from the working folder is another folder elsewhere)
        for below, folders, _ in os.walk(top, followlinks=True):
            real = os.path.realpath(below)
            if real in walked:  # (a link back up, or to a folder seen already)
                folders.clear()
                continue
            walked.add(real)
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
