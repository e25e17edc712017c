"""plan.json, the manifest of a plan's output folder: what produced it, so `budget report`
and `budget settle` can compute the same plan again — from the copies of its inputs inside
the folder (``inputs/``), each verified by SHA-256, so the folder can be moved, archived and
settled a year later on another machine. This type alone writes and reads the format.

A plan.json may come from someone else: every path it names must be a plain relative path
under ``inputs/`` (no ``..``, no absolute path), and it names nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MANIFEST = "plan.json"
FORMAT = 2  # 1: absolute paths of this machine (no "format" key); 2: copies under inputs/
INPUTS = "inputs"
MAX_MANIFEST_BYTES = 1 << 20
_PART = re.compile(r"^[^/\\\x00-\x1f]+$")


def is_input_path(path: str) -> bool:
    """``inputs/policy/x.yaml``: relative, under inputs/, no ``..``, no drive or backslash."""
    parts = path.split("/")
    return (len(parts) >= 2 and parts[0] == INPUTS and ":" not in path
            and all(_PART.match(p) and p not in (".", "..") for p in parts))


@dataclass(frozen=True)
class Manifest:
    program: str  # "budget 0.1.0"
    years: list[int]
    unit: str
    documents: str | None  # the document settings used, if any (a path under inputs/)
    advance_rate: str | None  # as written, e.g. "90%"
    policy: list[str]  # every policy file read, under inputs/policy/ as laid out beside each other
    headcounts: str
    factors: str | None
    sha256: dict[str, str] = field(default_factory=dict)  # every file under inputs/ → its digest
    format: int = FORMAT
    allocation_unit: str = "分"  # every amount is a whole number of it (分, 元, 0.01万元, 万元)
    # how the folder's CSV files are written (settle rebuilds advances.csv to compare it); a
    # plan.json without the key is from before: plain UTF-8, English headers
    csv_encoding: str = "utf-8"
    csv_headers: str = "en"

    def to_text(self) -> str:
        return json.dumps({
            "format": self.format, "program": self.program, "years": self.years, "unit": self.unit,
            "documents": self.documents, "advance_rate": self.advance_rate, "policy": self.policy,
            "headcounts": self.headcounts, "factors": self.factors, "sha256": self.sha256,
            "allocation_unit": self.allocation_unit,
            "csv": {"encoding": self.csv_encoding, "headers": self.csv_headers},
        }, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_text(cls, text: str) -> "Manifest":
        """Parse a manifest; ValueError (or KeyError, TypeError) says what is wrong, never
        quoting the file's values."""
        data: Any = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") is None:
            raise ValueError("it was made by an earlier budget, with paths of the machine that planned instead of "
                             "copies of the inputs: run budget plan again to make a folder that can be moved")
        if data["format"] != FORMAT:
            raise ValueError(f"format must be {FORMAT}")
        policy, years, digests = data["policy"], data["years"], data["sha256"]
        if not (isinstance(years, list) and all(isinstance(y, int) and not isinstance(y, bool) for y in years)):
            raise ValueError("years must be a list of years")
        if not (isinstance(digests, dict) and all(isinstance(p, str) and is_input_path(p) and isinstance(d, str)
                                                  and re.fullmatch(r"[0-9a-f]{64}", d) for p, d in digests.items())):
            raise ValueError("sha256 must map paths under inputs/ to SHA-256 digests")
        if not (isinstance(policy, list) and policy and all(isinstance(p, str) and p in digests for p in policy)):
            raise ValueError("policy must list files of sha256")
        named = {key: data.get(key) for key in ("headcounts", "factors", "documents")}
        for key, value in named.items():
            if (value is not None or key == "headcounts") and not (isinstance(value, str) and value in digests):
                raise ValueError(f"{key} must name a file of sha256")
        rate, unit = data.get("advance_rate"), data.get("unit", "元")
        if not (rate is None or isinstance(rate, str)) or not isinstance(unit, str):
            raise ValueError("advance_rate and unit must be text")
        written = data.get("csv", {"encoding": "utf-8", "headers": "en"})
        if not (isinstance(written, dict) and all(isinstance(written.get(k), str) and len(written[k]) <= 20
                                                  for k in ("encoding", "headers"))):
            raise ValueError("csv must give encoding and headers as text")
        return cls(program=str(data.get("program", ""))[:100], years=years, unit=unit, documents=named["documents"],
                   advance_rate=rate, policy=policy, headcounts=str(named["headcounts"]), factors=named["factors"],
                   sha256=dict(digests), allocation_unit=str(data.get("allocation_unit", "分"))[:20],
                   csv_encoding=written["encoding"], csv_headers=written["headers"])
