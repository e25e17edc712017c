import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
XIANYANG = str(ROOT / "configs" / "xianyang-2017-303.yaml")
SHAANXI = str(ROOT / "configs" / "shaanxi-2017-60.yaml")
EXAMPLE = str(ROOT / "configs" / "examples" / "xianyang-headcounts-synthetic.csv")
FIXTURES = ROOT / "tests" / "fixtures"

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
