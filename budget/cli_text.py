"""Click's own words in Chinese, and help laid out by the columns CJK text takes.

Click measures help text in characters and breaks Chinese only where a line is full, so the
option column drifts and a sentence breaks anywhere, and its own words (Usage, Options,
"Missing option") are English. Click routes them through ``gettext`` and measures through one
``term_len`` function: both are replaced here, when the CLI is imported. If a later click moves
them, the help stays correct, only less tidy (nothing here is needed for a command to run).
"""

from __future__ import annotations

import re
from typing import Any

from .cli_help_en import COMMANDS_EN, HELP_EN
from .core.display import UNBREAKABLE, width
from .core.language import language

# click's message ids (click 8.x, stable across releases) → Chinese
CLICK_ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用 '{command} {option}' 查看帮助。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Missing option": "缺少选项",
    "Missing argument": "缺少参数",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是文件夹。",
    "Aborted!": "已中止。",
    "integer": "整数",
    "float": "数",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
}


def _gettext(message: str) -> str:
    return CLICK_ZH.get(message, message) if language() == "zh" else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


OPEN = "（“‘《「【〔"
CLOSE = "，。、；：？！）”’》」】〕…"
WIDE = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")

def _term_len(text: str) -> int:
    return width(ANSI.sub("", text))


ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")

# typer ≥ 0.17 carries its own copy of click whose words are plain English strings, not gettext
# ids: its usage errors are translated as they are printed
USAGE_ZH = [
    (re.compile(r"^Usage: "), "用法："),
    (re.compile(r"^Try '(.+?)' for help\.$", re.M), r"用 '\1' 查看帮助。"),
    (re.compile(r"^Error: "), "错误："),
    (re.compile(r"Missing option (.+?)\.$", re.M), r"缺少选项 \1。"),
    (re.compile(r"(缺少(?:选项|参数) .+?)\.$", re.M), r"\1。"),  # click's own gettext path leaves the period
    (re.compile(r"Missing argument (.+?)\.$", re.M), r"缺少参数 \1。"),
    (re.compile(r"\(Possible options: (.+?)\)"), r"（是不是要找：\1？）"),
    (re.compile(r"Input should be a valid integer, unable to parse string as an integer"), "应为整数"),
    (re.compile(r"No such option: (\S+)"), r"没有选项 \1"),
    (re.compile(r"No such command '(.+?)'\."), r"没有命令 \1。"),
    (re.compile(r"Option '(.+?)' requires an argument\."), r"选项 \1 后面需要一个值。"),
    (re.compile(r"Option '(.+?)' does not take a value\."), r"选项 \1 不带值。"),
    (re.compile(r"Invalid value for (.+?): "), r"\1 的值无效："),
    (re.compile(r"'(.*?)' is not a valid integer(?: range)?\."), r"'\1' 不是整数。"),
    (re.compile(r"'(.*?)' is not one of (.+)\."), r"'\1' 不是 \2 之一。"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), r"多余的参数（\1）"),
    (re.compile(r"Missing command\."), "缺少命令。"),
    (re.compile(r"\(Did you mean (.+)\?\)|Did you mean (.+)\?"), r"是不是 \1\2？"),
]
HELP_ZH = {"Show this message and exit.": "显示本帮助并退出。"}


def _translated(text: str) -> str:
    if language() != "zh":
        return text
    for pattern, replacement in USAGE_ZH:
        text = pattern.sub(replacement, text)
    return text


def _replace(module: Any, name: str, value: Any) -> None:
    """``module.name = value`` where click has that name (its layout differs between releases)."""
    if hasattr(module, name):
        setattr(module, name, value)


def install() -> None:
    """Make click speak the chosen language and lay out help by display width."""
    import importlib

    for package in ("typer._click", "click"):
        for name in ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui"):
            try:
                module = importlib.import_module(f"{package}.{name}")
            except ImportError:
                continue
            _replace(module, "_", _gettext)
            _replace(module, "ngettext", _ngettext)
        try:
            formatting = importlib.import_module(f"{package}.formatting")
            wrapping = importlib.import_module(f"{package}._textwrap")
            exceptions = importlib.import_module(f"{package}.exceptions")
        except ImportError:
            continue
        _replace(formatting, "term_len", _term_len)
        _replace(wrapping, "term_len", _term_len)
        if hasattr(wrapping, "TextWrapper"):
            wrapping.TextWrapper = _wide(wrapping.TextWrapper)  # type: ignore[attr-defined]
        if hasattr(exceptions, "echo") and not getattr(exceptions.echo, "wide", False):
            exceptions.echo = _translating(exceptions.echo)  # type: ignore[attr-defined]
        _chinese_formatter(formatting.HelpFormatter)
    for name in ("typer.core", "typer.main"):
        _replace(importlib.import_module(name), "_", _gettext)
    # an argument's help shows its word (案例文件...), not a Python type beside it (<list[Path]>)
    argument = getattr(importlib.import_module("typer.core"), "TyperArgument", None)
    if argument is not None and hasattr(argument, "display_type_rich"):
        argument.display_type_rich = lambda self, ctx: None


def _translating(echo):
    def translated(message=None, *args, **kw):
        return echo(_translated(message) if isinstance(message, str) else message, *args, **kw)

    translated.wide = True  # type: ignore[attr-defined]
    return translated


GLOSS = re.compile(r"\s*\(([\x00-\x7f]+)\)\s*$")  # "预算年度。(budget year)": the English gloss after it
EXTRAS = re.compile(r"(\s+\[[^\]]*\])+$")  # click's "  [default: out]", "  [required]" after the help


def english_help(help_text: str) -> str:
    """An option's help in English: from the table, else its gloss, else as written."""
    extras = EXTRAS.search(help_text)
    body, tail = (help_text[:extras.start()], extras.group()) if extras else (help_text, "")
    key = GLOSS.sub("", body).strip()
    gloss = GLOSS.search(body)
    return (HELP_EN.get(key) or (gloss.group(1) if gloss else body)) + tail


def chinese_help(help_text: str) -> str:
    """An option's help in Chinese: without the English gloss (``--lang en`` gives English)."""
    extras = EXTRAS.search(help_text)
    body, tail = (help_text[:extras.start()], extras.group()) if extras else (help_text, "")
    return GLOSS.sub("", body) + tail


def chinese_text(body: str) -> str:
    """A command's help in Chinese: its Chinese paragraphs, without English glosses."""
    paragraphs = [GLOSS.sub("", p) for p in body.split("\n\n")]
    chinese = [p for p in paragraphs if len(WIDE.findall(p)) >= 0.2 * len(p)]
    return "\n\n".join(chinese or paragraphs)


def english_text(body: str) -> str:
    """A command's help in English: its English paragraphs, else its gloss, else as written."""
    paragraphs = body.split("\n\n")
    latin = [p for p in paragraphs if len(WIDE.findall(p)) < 0.2 * len(p)]  # English, perhaps naming 提前下达
    if latin and len(latin) < len(paragraphs):
        return "\n\n".join(latin)
    gloss = GLOSS.search(body)
    return gloss.group(1) if gloss else body


def _chinese_formatter(formatter: Any) -> None:
    if getattr(formatter, "wide", False):
        return
    write_usage, write_dl, write_heading = formatter.write_usage, formatter.write_dl, formatter.write_heading
    write_text = formatter.write_text

    def usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, prefix if prefix is not None or language() != "zh" else "用法：")

    def definitions(self, rows, *args, **kw) -> None:
        if language() == "zh":
            rows = [(first, chinese_help(HELP_ZH.get(second, second))) for first, second in rows]
        else:
            rows = [(first, COMMANDS_EN.get(first) or english_help(second)) for first, second in rows]
        write_dl(self, rows, *args, **kw)

    def text(self, body: str) -> None:
        write_text(self, chinese_text(body) if language() == "zh" else english_text(body))

    def heading(self, text: str) -> None:
        if language() == "zh":  # 选项：with the full-width colon Chinese takes
            self.write(f"{'':>{self.current_indent}}{text}：\n")
        else:
            write_heading(self, text)

    formatter.write_usage, formatter.write_dl, formatter.write_heading = usage, definitions, heading
    formatter.write_text = text
    formatter.wide = True


# a token a help line is never broken inside: an ASCII run (a path, an option), a word of the
# documents' list (测算说明, 补充医疗保障), or one character
TOKEN = re.compile(r"\[[^\]\s]{1,12}\]|[!-~]+|" + UNBREAKABLE.pattern + r"|.", re.S)  # [必填] whole


def _pieces(chunk: str) -> list[str]:
    """Chinese text as the pieces a line may break between: words kept whole, a closing mark
    kept with what it closes and an opening mark with what it opens."""
    pieces: list[str] = []
    opening = ""
    for token in TOKEN.findall(chunk):
        if token in OPEN:
            opening += token
        elif token in CLOSE and pieces:
            pieces[-1] += opening + token
            opening = ""
        else:
            pieces.append(opening + token)
            opening = ""
    if opening:
        pieces.append(opening)
    return pieces


def _wide(base: type) -> type:
    if getattr(base, "wide", False):
        return base

    class WideTextWrapper(base):  # type: ignore[misc, valid-type]
        """Splits Chinese into characters, so a line breaks between them and never before a
        closing mark, and fills lines by the columns they take (textwrap counts characters)."""

        wide = True

        def _split(self, text: str) -> list[str]:
            chunks: list[str] = []
            for chunk in super()._split(text):
                chunks.extend(_pieces(chunk) if WIDE.search(chunk) else [chunk])
            return chunks

        def _wrap_chunks(self, chunks: list[str]) -> list[str]:
            lines: list[str] = []
            chunks.reverse()
            while chunks:
                indent = self.subsequent_indent if lines else self.initial_indent
                room = max(1, self.width - _term_len(indent))
                if self.drop_whitespace and chunks[-1].strip() == "" and lines:
                    chunks.pop()
                line: list[str] = []
                used = 0
                while chunks and used + _term_len(chunks[-1]) <= room:
                    used += _term_len(chunks[-1])
                    line.append(chunks.pop())
                if chunks and not line:  # one piece wider than the line: cut it by columns
                    piece, cut = chunks.pop(), 0
                    while cut < len(piece) and _term_len(piece[:cut + 1]) <= room:
                        cut += 1
                    line.append(piece[:max(cut, 1)])
                    if piece[max(cut, 1):]:
                        chunks.append(piece[max(cut, 1):])
                if self.drop_whitespace and line and line[-1].strip() == "":
                    line.pop()
                if line:
                    lines.append(indent + "".join(line))
            return lines

    return WideTextWrapper
