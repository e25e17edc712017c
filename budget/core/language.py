"""The language people read: Chinese by default, English on request.

A message is written once in both languages where it is raised (:func:`said`) and shown in the
language chosen when it is *printed*: the CLI chooses once (``--lang``, ``BUDGET_LANG``, the
locale), and parts of a message that are messages themselves (a field's description inside
"… must be a single value") follow the same choice. The choice is process-wide, not per thread:
the CLI is one user, and the web page is Chinese.
"""

from __future__ import annotations

from typing import Any, Mapping, Union

LANGUAGES = ("zh", "en")
_chosen = "zh"


def use_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    global _chosen
    _chosen = language


def language() -> str:
    return _chosen


def language_from_environment(environ: Mapping[str, str]) -> str:
    """``BUDGET_LANG`` if set, else the POSIX locale (LC_ALL, LC_MESSAGES, LANG in that order):
    English only when it names English (``en_US.UTF-8``); C, POSIX and anything else read Chinese,
    so a bureau's server with a bare locale still speaks to its clerks in Chinese."""
    chosen = environ.get("BUDGET_LANG", "").strip().lower()
    if chosen:
        return "en" if chosen.startswith("en") else "zh"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


class Said:
    """A message in Chinese and English with its values; ``str()`` gives the chosen language.

    The templates use ``str.format`` fields so that the values are put in when the message is
    shown: a value that is itself a :class:`Said` is then shown in the same language."""

    __slots__ = ("zh", "en", "values")

    def __init__(self, zh: str, en: str, values: dict[str, Any]):
        self.zh = zh
        self.en = en
        self.values = values

    def text(self, lang: str) -> str:
        template = self.en if lang == "en" else self.zh
        if not self.values:
            return template
        return template.format(**{k: v.text(lang) if isinstance(v, Said) else v for k, v in self.values.items()})

    def __str__(self) -> str:
        return self.text(_chosen)

    def __repr__(self) -> str:
        return f"Said({self.text('zh')!r} / {self.text('en')!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Said):
            return (self.text("zh"), self.text("en")) == (other.text("zh"), other.text("en"))
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.text("zh"), self.text("en")))

    def __add__(self, other: "Said | str") -> "Said":
        """Messages joined in both languages (a str is the same in both)."""
        right = other if isinstance(other, Said) else Said(_escaped(other), _escaped(other), {})
        return Said("{a}{b}", "{a}{b}", {"a": self, "b": right})


def said(zh: str, en: str, **values: Any) -> Said:
    """``said("{what}必须是整数", "{what} must be a whole number", what=...)``."""
    return Said(zh, en, values)


def both(text: str) -> Said:
    """``"中文 / English"`` written as one string (the short messages of the CLI and the output
    folder), shown in the chosen language: split at the first " / "."""
    zh, _, en = text.partition(" / ")
    return Said(_escaped(zh), _escaped(en or zh), {})


def text_in(message: "Message", lang: str) -> str:
    """A message in a given language, whatever the chosen one (the web page is Chinese)."""
    return message.text(lang) if isinstance(message, Said) else message


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


Message = Union[str, Said]  # a language-neutral text, or one in both languages
