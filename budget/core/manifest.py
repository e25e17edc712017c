"""plan.json, the manifest of a plan's output folder: what produced it, so `budget report`
and `budget settle` can find the same inputs again and refuse them if they changed.
This type alone writes and reads the format."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MANIFEST = "plan.json"


@dataclass(frozen=True)
class Manifest:
    program: str  # "budget 0.1.0"
    years: list[int]
    unit: str
    documents: str | None  # the document settings used, if any
    advance_rate: str | None  # as written, e.g. "90%"
    policy: list[str]
    headcounts: str
    factors: str | None
    sha256: dict[str, str] = field(default_factory=dict)  # input path → digest
    allocation_unit: str = "分"  # every amount is a whole number of it (分, 元, 0.01万元, 万元)

    def to_text(self) -> str:
        return json.dumps({
            "program": self.program, "years": self.years, "unit": self.unit, "documents": self.documents,
            "advance_rate": self.advance_rate, "policy": self.policy, "headcounts": self.headcounts,
            "factors": self.factors, "sha256": self.sha256, "allocation_unit": self.allocation_unit,
        }, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_text(cls, text: str) -> "Manifest":
        """Parse a manifest; ValueError (or KeyError, TypeError) says what is wrong."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        policy, years, digests = data["policy"], data["years"], data["sha256"]
        if not (isinstance(policy, list) and all(isinstance(p, str) for p in policy)):
            raise ValueError("policy must be a list of paths")
        if not (isinstance(years, list) and all(isinstance(y, int) for y in years)):
            raise ValueError("years must be a list of years")
        if not isinstance(digests, dict):
            raise ValueError("sha256 must map paths to digests")
        return cls(program=str(data.get("program", "")), years=years, unit=str(data.get("unit", "元")),
                   documents=data.get("documents"), advance_rate=data.get("advance_rate"), policy=policy,
                   headcounts=str(data["headcounts"]), factors=data.get("factors"), sha256=dict(digests),
                   allocation_unit=str(data.get("allocation_unit", "分")))
