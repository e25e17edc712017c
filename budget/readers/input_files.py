"""An input file as the outputs describe it: its role, SHA-256 and leading notes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..core.policy import Policy
from ..core.results import InputFile


def make_input_file(role: str, path: str) -> InputFile:
    data = Path(path).read_bytes()
    notes = []
    if role != "policy" and not data.startswith(b"PK"):  # a CSV of figures: its leading comment lines
        for line in data[:4096].decode("utf-8", "replace").lstrip("\ufeff").splitlines():
            if not line.startswith("#"):
                break
            notes.append(line.lstrip("#").strip())
    return InputFile(role, path, hashlib.sha256(data).hexdigest(), tuple(notes))


def input_files(policy: Policy, headcounts_path: str) -> list[InputFile]:
    return [make_input_file("policy", p) for p in policy.files] + [make_input_file("headcounts", headcounts_path)]
