"""What a plan or a settlement produced, and the inputs that produced it: the values every
writer and document reads (they never call back into the computation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .engine import Line
from .funds import FundLine
from .headcounts import Headcounts
from .policy import Policy
from .settlement import SettlementLine, Transfer


@dataclass(frozen=True)
class InputFile:
    role: str  # "policy", "headcounts", "factors" or "actual"
    path: str
    sha256: str
    notes: tuple[str, ...] = ()  # the file's own leading "#" comments, e.g. "SYNTHETIC EXAMPLE DATA"
    shown: str | None = None  # the name its user knows it by when the path is not it (an upload on the web page)

    @property
    def name(self) -> str:
        """The file's name without the folders: outputs show it, never a path of this machine."""
        return self.shown or self.path.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def is_sample(self) -> bool:
        """The file says it holds invented figures: outputs made from it must say so too."""
        return any(word in note.upper() or word in note for note in self.notes
                   for word in ("SYNTHETIC", "虚构", "示例数据"))


def sample_notes(files: list[InputFile]) -> list[str]:
    return [note for f in files if f.is_sample for note in f.notes]


@dataclass
class PlanResult:
    """Everything the writers need: the policy, the computed lines, and what produced them."""

    policy: Policy
    lines: list[Line]
    years: list[int]
    files: list[InputFile]
    headcounts: Headcounts | None = None
    advance_rate: Fraction | None = None  # 预拨: the share of the budget advanced
    fund_lines: list[FundLine] = field(default_factory=list)  # funds distributed by factors
    quantum: int = 1  # the allocation unit in fen: every amount is a whole number of it


@dataclass
class SettlementResult:
    policy: Policy
    year: int
    planned_label: str  # 预拨数 or 预算数
    lines: list[SettlementLine]
    transfers: list[Transfer]
    files: list[InputFile]
    advance_rate: Fraction | None
    quantum: int = 1  # the plan's allocation unit in fen
    budgeted: dict[tuple[int, str, str, str], int] = field(default_factory=dict)  # the budget, when advances were made
