"""Fonts for the official documents: one per role, chosen from what is installed.

GB/T 9704 asks for 仿宋 (body), 小标宋 (issuer mark, title), 黑体 and 楷体 (headings) and 宋体
(page numbers). Free stand-ins are tried in order; Noto CJK closes every stack so that Pango
falls back per character (Fandol covers GB2312 only). Before rendering, every character of
the document is looked up in the fonts' character maps: a character no font has is an error
(no tofu boxes) unless the caller allows it.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..core.language import said
from . import font_matches
from .harfbuzz_cmap import character_runs
from .user_cache import cache_folder, keep, read_kept

ROLES: dict[str, tuple[str, ...]] = {
    # the official fonts where a Chinese Windows has them, then free stand-ins
    "fang": ("FangSong_GB2312", "FangSong", "FandolFang", "Noto Serif CJK SC"),
    "song": ("SimSun", "Noto Serif CJK SC", "FandolSong"),
    "xbs": ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "SimSun", "FandolSong"),  # 小标宋: set bold
    "hei": ("SimHei", "Noto Sans CJK SC", "FandolHei"),
    "kai": ("KaiTi_GB2312", "KaiTi", "LXGW WenKai", "AR PL UKai CN", "FandolKai", "Noto Serif CJK SC"),
}
# Windows without fontconfig's fc-match: the usual files of its Chinese fonts
WINDOWS_FONTS = {"FangSong": "simfang.ttf", "FangSong_GB2312": "FangSong_GB2312.ttf", "SimSun": "simsun.ttc",
                 "SimHei": "simhei.ttf", "KaiTi": "simkai.ttf", "KaiTi_GB2312": "KaiTi_GB2312.ttf",
                 "FZXiaoBiaoSong-B05S": "FZXBSJW.TTF"}
FALLBACKS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
ROLE_NAMES = {"fang": "仿宋", "song": "宋体", "xbs": "小标宋", "hei": "黑体", "kai": "楷体"}


RUNS_END = "runs"  # the cache file's last line: "runs N"
KEPT_MAPS = 64  # fonts' character maps kept (the newest)
_FILES: dict[str, str | None] = {}  # family → its file, or None: what fc-match said, once a process
_FACES: dict[str, int] = {}  # family → the face of its file fontconfig matched (a collection's)
_ASKED: list[tuple[list[str], subprocess.Popen | None]] = []  # families fc-match was asked for, not answered yet
_TAKEN_KEPT = False  # answers kept from an earlier run were taken (font_matches.py)
_AFRESH = False  # fc-match asked whatever was kept (see ask_afresh)
# one shell asks fc-match for every family in turn: starting a process costs this one ~3 ms, and
# fifteen of them took ~0.05 s of a city's plan; each answer ends with a record separator
# (its format first: the file's name, last, may hold any character but the separator)
FORMAT = "%{family}\n%{fontformat}\n%{index}\n%{file}"  # (index: the face of a collection, .ttc)
ASK_ALL = 'for f; do fc-match -f "%{family}\\n%{fontformat}\\n%{index}\\n%{file}" "$f:lang=zh-cn"; printf "\\036"; done'
# what Pango (so WeasyPrint) draws with: a bitmap font fontconfig matches (BDF, PCF) is never used
DRAWN_FORMATS = ("TrueType", "CFF")


def ask_early() -> None:
    """Ask fc-match for every family now and take the answers when the fonts are chosen: a plan
    with documents does this as it starts, so the ~0.1 s fc-match takes pass while it reads
    (answers kept from an earlier run under the same fontconfig setup are taken instead:
    font_matches.py)."""
    _ask([f for wanted in ROLES.values() for f in wanted + FALLBACKS])


def _ask(families: list[str] | tuple[str, ...]) -> None:
    asked = {family for batch, _ in _ASKED for family in batch}
    new = [family for family in dict.fromkeys(families) if family not in _FILES and family not in asked]
    if not new:
        return
    global _TAKEN_KEPT
    kept = None if _AFRESH else font_matches.kept(new, ASK_ALL)  # answered earlier, fontconfig's setup unchanged
    if kept is not None:
        for family, answer in kept.items():
            _FILES[family] = answer[0] if answer else None
            _FACES[family] = answer[1] if answer else 0
        _TAKEN_KEPT = True
        return
    # niced: a plan asks as it starts, while its rendering process imports WeasyPrint (the longest
    # wait of a city's plan), and fc-match takes ~0.1 s of a processor; the answers are wanted later
    for command in (["nice", "-n", "10", "sh"], ["sh"]):
        try:
            _ASKED.append((new, subprocess.Popen([*command, "-c", ASK_ALL, "sh", *new], stdout=subprocess.PIPE,
                                                 stderr=subprocess.DEVNULL, encoding="utf-8",
                                                 errors="surrogateescape")))  # (a file's name in any bytes)
            return
        except OSError:  # no nice, no shell: fc-match asked for each family on its own
            pass
    for family in new:
        try:
            _ASKED.append(([family], subprocess.Popen(["fc-match", "-f", FORMAT, f"{family}:lang=zh-cn"],
                                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                                      encoding="utf-8", errors="surrogateescape")))
        except OSError:  # no fontconfig (Windows)
            _ASKED.append(([family], None))


def ask_afresh() -> bool:
    """Whether answers kept from an earlier run were taken; if so they are forgotten, and fc-match
    asked from now on: a run that would fail on them (no font for a role, a character no font
    has) is tried again on fontconfig's own answers before it is failed."""
    global _TAKEN_KEPT, _AFRESH
    if not _TAKEN_KEPT:
        return False
    _TAKEN_KEPT, _AFRESH = False, True
    _FILES.clear()
    _FACES.clear()
    return True


def font_files(families: list[str] | tuple[str, ...]) -> dict[str, str | None]:
    """The file fontconfig has for each of ``families`` exactly (None when it is not installed)."""
    _ask(families)
    while _ASKED:  # (answers asked early for families not wanted now are taken too: the process ends)
        batch, process = _ASKED.pop(0)
        answers: list[str] = []
        if process is not None:
            try:
                found, _ = process.communicate(timeout=20)
                answers = found.split("\036")
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        answered: dict[str, tuple[str, int] | None] = {}
        for family, answer in zip(batch, answers + [""] * len(batch)):
            names, _, rest = answer.partition("\n")
            form, _, rest = rest.partition("\n")
            face, _, path = rest.partition("\n")
            if not names:  # no answer (no fc-match): the usual place on Windows
                _FILES[family] = _windows_file(family)
            elif family in names.split(",") and form in DRAWN_FORMATS and path and face.isdigit():
                _FILES[family], _FACES[family] = path, int(face)
                answered[family] = (path, int(face))
            else:
                _FILES[family] = answered[family] = None
        if answered:
            font_matches.keep(answered, ASK_ALL)
    return {family: _FILES[family] for family in families}


def font_file(family: str) -> str | None:
    """The file fontconfig has for ``family`` exactly, or None when it is not installed."""
    return font_files([family])[family]


def _windows_file(family: str) -> str | None:
    """Windows without fontconfig's fc-match: the usual file of its Chinese fonts."""
    windows = Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts" / WINDOWS_FONTS.get(family, "-")
    return str(windows) if windows.is_file() else None


def _cache_file(path: str, face: int = 0) -> Path | None:
    """Where the character map of the font at ``path`` is kept between runs (parsing a CJK
    font's cmap takes ~0.3 s; reading it back, milliseconds)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    # (its size and times and inode: a file copied over it keeping its time has another change time)
    key = hashlib.sha256(f"{path}|{face}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ctime_ns}|{stat.st_ino}"
                         .encode("utf-8", "surrogateescape")).hexdigest()[:24]
    base = cache_folder("cmaps")
    return base / f"{key}.txt" if base is not None else None


@dataclass(frozen=True)
class Coverage:
    """The characters a font has, as sorted runs of consecutive code points: a CJK font's
    ~40,000 characters are ~4,000 runs, read back from the cache in a few milliseconds where a
    set of every code point took ~0.03 s for the fonts of a document."""
    firsts: list[int]
    lasts: list[int]

    def __contains__(self, code: int) -> bool:
        at = bisect.bisect_right(self.firsts, code) - 1
        return at >= 0 and code <= self.lasts[at]


@lru_cache(maxsize=None)
def _cmap(path: str, face: int = 0) -> Coverage:
    """The characters of face ``face`` of the font at ``path``."""
    cache = _cache_file(path, face)
    kept = read_kept(cache) if cache is not None else None
    if kept is not None:
        try:
            return _coverage(kept.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    found = character_runs(path, face)  # HarfBuzz (which Pango draws with), in milliseconds
    try:
        if found == []:  # HarfBuzz reads no character: Pango would draw none (a damaged file, a WOFF)
            raise ValueError(said("读不出任何字符", "no character can be read from it"))
        runs = _runs(found or _code_runs(_read_cmap(path, face)))  # (no HarfBuzz here: fontTools)
    except Exception as exc:  # noqa: BLE001 — fontTools' errors on a damaged file are of many kinds
        raise FontError(said("字体文件 {path} 无法读取（{exc}）：它可能已损坏；请重新安装该字体，或把它移出字体文件夹",
                             "the font file {path} cannot be read ({exc}): it may be damaged; install the font "
                             "again, or move it out of the fonts folder", path=path,
                             exc=str(exc) or type(exc).__name__)) from None
    if cache is not None:
        keep(cache, runs.encode("ascii"), "*.txt", KEPT_MAPS)
    return _coverage(runs)


def _code_runs(codes: frozenset[int]) -> list[tuple[int, int]]:
    """``codes`` as ascending runs (first, last) of consecutive code points."""
    runs: list[tuple[int, int]] = []
    for code in sorted(codes):
        if runs and code == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs


def _runs(runs: list[tuple[int, int]]) -> str:
    """``runs`` as lines "first-last", and a last line with their number (a file cut short is
    then told from a font with fewer characters)."""
    return "\n".join([f"{first}-{last}" for first, last in runs] + [f"{RUNS_END} {len(runs)}"])


def _coverage(runs: str) -> Coverage:
    """The coverage :func:`_runs` wrote; ValueError for a file that is not whole (read the font again)."""
    lines = runs.split("\n")
    if not lines or lines[-1] != f"{RUNS_END} {len(lines) - 1}":
        raise ValueError("cut short, or of an earlier format")
    firsts, lasts = [], []
    for line in lines[:-1]:
        first, _, last = line.partition("-")
        firsts.append(int(first))
        lasts.append(int(last))
    if any(last < first for first, last in zip(firsts, lasts)) or any(b <= a for a, b in zip(lasts, firsts[1:])):
        raise ValueError("runs out of order")
    return Coverage(firsts, lasts)


def _read_cmap(path: str, face: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        font = TTCollection(path, lazy=True).fonts[face]  # the face fontconfig matched
    else:
        font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap() or {})


@dataclass
class FontChoice:
    stacks: dict[str, list[str]]  # role → installed families, in order, fallbacks last
    used: dict[str, str]  # role → the family that sets it
    missing_families: list[str] = field(default_factory=list)

    def css_stack(self, role: str) -> str:
        return ", ".join(f'"{f}"' for f in self.stacks[role]) + ", serif"

    def describe(self) -> str:
        return "; ".join(f"{ROLE_NAMES[r]}: {f}" for r, f in self.used.items())


class FontError(Exception):
    pass


def choose_fonts() -> FontChoice:
    stacks, used = {}, {}
    font_files([f for wanted in ROLES.values() for f in wanted + FALLBACKS])  # all at once
    for role, wanted in ROLES.items():
        installed = [f for f in dict.fromkeys(wanted + FALLBACKS) if font_file(f)]
        if not installed and not sys.platform.startswith("win") and shutil.which("fc-match") is None:
            raise FontError(said("找不到 fontconfig 的 fc-match 命令，无法查找字体：请安装 fontconfig（apt-get install "
                                 "fontconfig）或把它所在的文件夹加入 PATH", "fontconfig's fc-match command is not found, so "
                                 "no font can be looked up: install fontconfig (apt-get install fontconfig) or add its "
                                 "folder to PATH"))
        if not installed and ask_afresh():
            return choose_fonts()
        if not installed:
            raise FontError(said("没有安装可用于{role}的字体（已尝试 {tried}）：请运行 scripts/setup.sh，或 apt-get install "
                                 "fonts-noto-cjk；Windows 上请安装仿宋、宋体、黑体、楷体", "no font for {role} is installed "
                                 "(tried {tried}); run scripts/setup.sh, or apt-get install fonts-noto-cjk",
                                 role=ROLE_NAMES[role], tried=", ".join(wanted + FALLBACKS)))
        stacks[role] = installed
        used[role] = installed[0]
    return FontChoice(stacks, used)


def uncovered(text: str, fonts: FontChoice) -> dict[str, str]:
    """Characters of ``text`` that no installed font of any stack has → the font that would
    set each covered one is not needed here; returns {char: description} for the missing."""
    families = dict.fromkeys(f for stack in fonts.stacks.values() for f in stack)
    maps = [_cmap(path, _FACES.get(f, 0)) for f in families if (path := font_file(f))]
    missing = {}
    for ch in sorted(set(text)):
        if ch.isspace() or ord(ch) < 32 or ch == "\u200b":  # ZERO WIDTH SPACE: a break (pdf.keep_words), nothing drawn
            continue
        if not any(ord(ch) in m for m in maps):
            missing[ch] = f"U+{ord(ch):04X}"
    return missing


def first_font_with(ch: str, role: str, fonts: FontChoice) -> str | None:
    for family in fonts.stacks[role]:
        path = font_file(family)
        if path and ord(ch) in _cmap(path, _FACES.get(family, 0)):
            return family
    return None
