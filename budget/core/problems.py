"""Problems are values with a source, collected and reported all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .language import Message, language, said

WARNING = said("提示：", "warning: ")


@dataclass(frozen=True, order=True)
class Source:
    """Where a value came from: a file and a line (YAML/CSV) or a cell (XLSX)."""

    file: str
    line: int | None = None
    cell: str | None = None  # e.g. "县区填报!D7"
    field: str | None = None

    def __str__(self) -> str:
        return self._where(self.file)

    @property
    def short(self) -> str:
        """``file.yaml:12``: the file's name without folders, for outputs (never a machine's path)."""
        return self._where(self.file.replace("\\", "/").rsplit("/", 1)[-1])

    def _where(self, where: str) -> str:
        if self.cell:
            where += f":{self.cell}"
        elif self.line is not None:
            where += f":{self.line}"
        return where


# the columns of a headcount or factor file as a clerk names them (the file may use either)
FIELD_NAMES = {"year": "年度", "region_code": "地区代码", "region_name": "地区名称", "group": "人员类别",
               "headcount": "人数", "month": "月份", "factor": "因素", "value": "数值"}


FIELD_NAMES_EN = {"合计": "total"}


def field_name(field: str) -> str:
    return FIELD_NAMES.get(field, field) if language() == "zh" else FIELD_NAMES_EN.get(field, field)


@dataclass(frozen=True)
class Problem:
    source: Source | None
    message: Message
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        prefix = f"{self.source}: " if self.source else ""
        field = f"[{field_name(self.source.field)}] " if self.source and self.source.field else ""
        label = "" if self.severity == "error" else str(WARNING)
        return f"{prefix}{label}{field}{self.message}"


class InputError(Exception):
    """Raised with every problem found, never only the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = [p for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def raise_if_errors(problems: Iterable[Problem]) -> None:
    found = errors(problems)
    if found:
        raise InputError(found)
