"""Whether the PDFs of two output folders look the same: for each PDF of the first folder, the
same bytes; else the same but for the file identifier (/ID, a hash of the HTML); else every page
drawn by pdftoppm (poppler-utils) at 60 and 150 dpi, pixel for pixel, and the text pdftotext reads.

    .venv/bin/python bench/compare_pages.py OLD_FOLDER NEW_FOLDER

A checking aid for changes meant to make the documents faster without changing how they look.
Exit code 1 when a page differs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ID = re.compile(rb"/ID\s*\[\s*[(<]([^)>]*)[)>]\s*[(<]([^)>]*)[)>]")


def without_id(data: bytes) -> bytes:
    for found in ID.finditer(data):
        for value in found.groups():
            data = data.replace(value, b"0" * len(value))
    return data


def pages(pdf: Path, dpi: int, folder: Path) -> list[bytes]:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "p")], check=True)
    drawn = sorted(folder.glob("p-*.png"))
    out = [p.read_bytes() for p in drawn]
    for p in drawn:
        p.unlink()
    return out


def text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()


def compare(old: Path, new: Path) -> str:
    a, b = old.read_bytes(), new.read_bytes()
    if a == b:
        return "the same bytes"
    if without_id(a) == without_id(b):
        return "the same bytes but the /ID"
    with tempfile.TemporaryDirectory() as tmp:
        for dpi in (60, 150):
            drawn_a, drawn_b = pages(old, dpi, Path(tmp)), pages(new, dpi, Path(tmp))
            if len(drawn_a) != len(drawn_b):
                return f"DIFFERENT: {len(drawn_a)} pages, now {len(drawn_b)}"
            differ = [n for n, (x, y) in enumerate(zip(drawn_a, drawn_b), 1) if x != y]
            if differ:
                return f"DIFFERENT at {dpi} dpi: pages {differ}"
    if text(old) != text(new):
        return "DIFFERENT text (pdftotext)"
    return f"other bytes, the same {len(drawn_a)} pages (pixels at 60 and 150 dpi, text)"


def main() -> None:
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    failed = False
    for pdf in sorted(old.rglob("*.pdf")):
        name = pdf.relative_to(old)
        verdict = compare(pdf, new / name) if (new / name).exists() else "DIFFERENT: missing"
        failed = failed or verdict.startswith("DIFFERENT")
        print(f"{name}: {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
