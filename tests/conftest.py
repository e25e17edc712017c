import csv
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
XIANYANG = str(ROOT / "budget" / "configs" / "xianyang-2017-303.yaml")
SHAANXI = str(ROOT / "budget" / "configs" / "shaanxi-2017-60.yaml")
EXAMPLE = str(ROOT / "budget" / "configs" / "examples" / "xianyang-headcounts-synthetic.csv")
FIXTURES = ROOT / "tests" / "fixtures"

# The messages tests assert are Chinese, the default; a developer's English locale must not turn
# them English (subprocesses inherit this). Tests of English set --lang en or BUDGET_LANG.
os.environ["BUDGET_LANG"] = "zh"
# What budget keeps between runs (policies read, fonts' character maps, compiled templates) is
# kept for this session only: the tests neither depend on a developer's cache nor leave theirs.
_CACHE = tempfile.TemporaryDirectory(prefix="budget-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE.name

XIANYANG_COUNTIES = ["610402", "610404", "610422", "610423", "610424", "610425", "610426",
                     "610428", "610429", "610430", "610431", "610481", "610482"]
GROUPS = ["poor_pension_contributors", "poor_pension_contributors_contiguous",
          "poor_pension_contributors_disabled", "disabled_pension_contributors", "pension_recipients",
          "medical_tekun", "medical_dibao", "medical_poor", "rural_registered_poor"]


def write_headcounts(path, counts, years=(2018,), counties=XIANYANG_COUNTIES, encoding="utf-8"):
    """A complete headcount file: every county and group, zero unless ``counts`` says otherwise.

    ``counts``: {(year, code, group): n} or {(code, group): n} (every year) or {group: n}
    (every county, every year)."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "region_code", "group", "headcount"])
        for year in years:
            for code in counties:
                for group in GROUPS:
                    n = counts.get((year, code, group), counts.get((code, group), counts.get(group, 0)))
                    writer.writerow([year, code, group, n])
    return str(path)


def write_regions(path, counties, city=("610400", "咸阳市"), direct=()):
    """A small region list: Shaanxi, one city with ``counties`` [(code, name)], and counties
    the province administers directly."""
    children = "".join(f'\n          - {{code: "{c}", name: {_quoted(n)}}}' for c, n in counties)
    direct_rows = "".join(f'\n      - {{code: "{c}", name: {_quoted(n)}}}' for c, n in direct)
    path.write_text(f"""\
regions:
  - code: "610000"
    name: 陕西省
    level: province
    children:
      - code: "{city[0]}"
        name: {_quoted(city[1])}
        level: city
        children:{children}{direct_rows}
""", encoding="utf-8")
    return path


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def headcount_file(tmp_path):
    def make(counts, **kw):
        return write_headcounts(tmp_path / "headcounts.csv", counts, **kw)
    return make


# --- a real office suite -------------------------------------------------------------------------

def soffice_convert(src: Path, outdir: Path, profile: Path) -> Path:
    """Open ``src`` in LibreOffice with recalculation forced on load, and save it again as xlsx."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" '
        'oor:op="fuse"><value>0</value></prop></item></oor:items>', encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return outdir / src.name


def recalculated_by_libreoffice(path: Path, tmp: Path):
    """``path`` with every cached formula value zeroed, recalculated and saved by LibreOffice:
    only a real recalculation can bring the values back."""
    from openpyxl import load_workbook

    zeroed = tmp / f"zeroed-{path.name}"
    with zipfile.ZipFile(path) as zi, zipfile.ZipFile(zeroed, "w") as zo:
        for item in zi.infolist():
            data = zi.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v>0</v>", data)
            zo.writestr(item, data)
    return load_workbook(soffice_convert(zeroed, tmp / "lo", tmp / "profile"), data_only=True)


def same_values(mine, theirs) -> int:
    """Every number of ``mine`` equals ``theirs`` to the cent (and ratios to 1e-9); returns how many."""
    compared = 0
    for name in mine.sheetnames:
        for ra, rb in zip(mine[name].iter_rows(values_only=True), theirs[name].iter_rows(values_only=True)):
            for x, y in zip(ra, rb):
                if isinstance(x, (int, float)) and not isinstance(x, bool):
                    assert isinstance(y, (int, float)), (name, x, y)
                    assert round(x, 2) == round(y, 2) and abs(x - y) <= 1e-9 * max(1.0, abs(x)) + 1e-6, (name, x, y)
                    compared += 1
    return compared
