"""An input file as the outputs describe it: its role, SHA-256 and leading notes."""

from __future__ import annotations

import hashlib

from ..core.policy import Policy
from ..core.results import InputFile


def file_digest(path: str) -> str:
    """SHA-256 of a file, read in blocks (a headcount file may be 100 MB)."""
    return _digest_and_head(path)[0]


def _digest_and_head(path: str) -> tuple[str, bytes]:
    """SHA-256 of a file and its first 4 KB, in one read."""
    sha = hashlib.sha256()
    head = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            head = head or block[:4096]
            sha.update(block)
    return sha.hexdigest(), head


def make_input_file(role: str, path: str, data: bytes | None = None) -> InputFile:
    """``path`` described; ``data``: a policy file's bytes as its reader read them (a country's
    plan has ~335: none is read again)."""
    if data is not None and role == "policy":
        return InputFile(role, path, hashlib.sha256(data).hexdigest(), ())
    digest, head = _digest_and_head(path)
    notes = []
    if role != "policy" and not head.startswith(b"PK"):  # a CSV of figures: its leading comment lines
        for line in head.decode("utf-8", "replace").lstrip("\ufeff").splitlines():
            if not line.startswith("#"):
                break
            notes.append(line.lstrip("#").strip())
    return InputFile(role, path, digest, tuple(notes))


def input_files(policy: Policy, headcounts_path: str) -> list[InputFile]:
    return ([make_input_file("policy", p, policy.contents.get(p)) for p in policy.files]
            + [make_input_file("headcounts", headcounts_path)])
