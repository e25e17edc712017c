"""One set of numbers: every figure a bureau signs is the allocated amount.

The shipped example is planned (every year, with the PDFs), then each output is read back as
a user sees it — the notice's and the 测算说明's text and tables (pdfplumber), the workbook
after LibreOffice recalculated it, allocations.csv and the terminal summary — and every
county × subsidy × payer amount and every total must be the same to the fen; every 大写 must
be the figure printed beside it.
"""

import csv
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from conftest import recalculated_by_libreoffice
from typer.testing import CliRunner

from budget.cli import app
from budget.core.money import parse_chinese_uppercase
from budget.readers.policy_reader import read_policy
from budget.resources import EXAMPLE_POLICY

runner = CliRunner()
YEARS = (2018, 2019, 2020, 2021)
PAYER_COLUMNS = {"省级": "province", "市级": "city", "县级": "county"}
# a city's notice hands down the province's and the city's money; the county's own share is 应安排
NOTICE_COLUMNS = {"省级下达": "province", "市级下达": "city", "县级应安排": "county", "市级安排": "city"}
WAN = Decimal(10_000)  # 元 per 万元


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "out"
    result = runner.invoke(app, ["plan", "--out", str(out)])  # the shipped example, its document settings
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def allocated(planned):
    """(year, county name as the documents of that year write it, subsidy name, payer) → 元."""
    out, _ = planned
    policy, _ = read_policy([str(EXAMPLE_POLICY)])
    names = {sid: s.name for sid, s in policy.subsidies.items()}
    amounts = {}
    for row in csv.DictReader(open(out / "allocations.csv", encoding="utf-8-sig")):
        year = int(row["year"])
        # the notices are dated 8 January: 彬州市 (renamed in May 2018) is still 彬县 in 2018
        name = "彬县" if row["region_code"] == "610482" and year == 2018 else row["region_name"]
        amounts[(year, name, names[row["subsidy"]], row["payer"])] = Decimal(row["amount"])
    return amounts


def flat(text):
    """The text as read, without spaces, line breaks and page numbers (— 1 —), which a sentence
    running over a page break would otherwise contain."""
    return re.sub(r"—\d+—", "", text.replace(" ", "").replace("\n", ""))


def number(text):
    return Decimal(text.replace(",", ""))


def notice_tables(path):
    """Attachment tables: (title, header, total row, rows), read from the rendered pages."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            lines = (page.extract_text() or "").split("\n")
            if not re.fullmatch(r"附件\d+", lines[0].replace(" ", "")):
                continue
            title = flat("".join(lines[1:3])).split("单位")[0]
            for table in page.extract_tables():
                header = [flat(c or "") for c in table[0]]
                yield title, header, table[1], table[2:]


def test_notice_tables_are_the_allocated_amounts(planned, allocated):
    out, _ = planned
    for year in YEARS:
        seen = 0
        for title, header, total, rows in notice_tables(out / f"notice-{year}-征求意见稿.pdf"):
            if "绩效目标表" in title:
                continue
            subsidy = title.removeprefix(f"{year}年").removesuffix("资金分配表").removesuffix("分配表")
            payers = [(i, NOTICE_COLUMNS[h]) for i, h in enumerate(header) if h in NOTICE_COLUMNS]
            sums = defaultdict(Decimal)
            for row in rows:
                for i, payer in payers:
                    value = number(row[i]) * WAN
                    assert value == allocated[(year, flat(row[1]), subsidy, payer)], (year, row[1], subsidy, payer)
                    sums[i] += value
                    seen += 1
            for i, _ in payers:
                assert number(total[i]) * WAN == sums[i]  # the 合计 row is the sum of the rows
        assert seen == sum(1 for k in allocated if k[0] == year), year  # every allocated amount is in a table


def test_notice_body_and_its_daxie(planned, allocated):
    out, _ = planned
    for year in YEARS:
        with pdfplumber.open(out / f"notice-{year}-征求意见稿.pdf") as pdf:
            body = flat("".join(p.extract_text() for p in pdf.pages))
        assert "相差" not in body  # no footnote apologising for rounding
        found = re.search(r"现下达你们\d{4}年社会保险扶贫补助资金([\d,.]+)万元（(人民币[^）]+)）", body)
        handed = sum(v for k, v in allocated.items() if k[0] == year and k[3] != "county")
        assert number(found.group(1)) * WAN == handed
        assert Decimal(parse_chinese_uppercase(found.group(2))) / 100 == handed  # the 大写 is the printed figure
        for label, payer in (("省级资金", "province"), ("市级资金", "city")):
            shown = re.search(rf"其中.*?{label}([\d,.]+)万元", body)
            assert number(shown.group(1)) * WAN == sum(v for k, v in allocated.items() if k[0] == year and k[3] == payer)
        own = re.search(r"各县（市、区）应安排本级配套资金([\d,.]+)万元", body)
        assert number(own.group(1)) * WAN == sum(v for k, v in allocated.items() if k[0] == year and k[3] == "county")
        budget = re.search(r"社会保险扶贫补助资金共需([\d,.]+)万元", body)
        assert number(budget.group(1)) * WAN == sum(v for k, v in allocated.items() if k[0] == year)


def test_explanation_counts_the_same_and_its_daxie(planned, allocated):
    out, _ = planned
    for year in YEARS:
        with pdfplumber.open(out / f"explanation-{year}.pdf") as pdf:
            body = flat("".join(p.extract_text() for p in pdf.pages))
            tables = [t for p in pdf.pages for t in p.extract_tables() if t and flat(t[0][0] or "") in ("补助项目", "地区")]
        found = re.search(r"共需安排资金([\d,.]+)万元（(人民币[^）]+)）", body)
        total = sum(v for k, v in allocated.items() if k[0] == year)
        assert number(found.group(1)) * WAN == total
        assert Decimal(parse_chinese_uppercase(found.group(2))) / 100 == total
        summary = next(t for t in tables if flat(t[0][0]) == "补助项目" and flat(t[0][1]) == "省级")
        counties = [t for t in tables if flat(t[0][0]) == "地区"]
        assert flat(summary[1][0]) == "合计" and number(summary[1][4]) * WAN == total
        for row in summary[2:]:
            for i, payer in enumerate(("province", "city", "county"), start=1):
                want = sum(v for k, v in allocated.items() if k[0] == year and k[2] == flat(row[0]) and k[3] == payer)
                assert number(row[i]) * WAN == want, (year, row[0], payer)
        county_rows = [r for t in counties for r in t[1:]]
        assert flat(county_rows[0][0]) == "合计" and number(county_rows[0][4]) * WAN == total
        for row in county_rows[1:]:
            for i, payer in enumerate(("province", "city", "county"), start=1):
                want = sum(v for k, v in allocated.items() if k[0] == year and k[1] == flat(row[0]) and k[3] == payer)
                assert number(row[i]) * WAN == want, (year, row[0], payer)


def test_workbook_recalculated_and_terminal_summary(planned, allocated, tmp_path):
    out, output = planned
    for year in (2018, 2021):
        (tmp_path / str(year)).mkdir()
        book = recalculated_by_libreoffice(out / f"budget-{year}.xlsx", tmp_path / str(year))
        summary = book["汇总"]
        for r in range(5, summary.max_row + 1):
            subsidy = summary.cell(r, 2).value
            if not subsidy:
                continue
            for c, payer in zip((3, 4, 5), ("province", "city", "county")):
                want = sum(v for k, v in allocated.items() if k[0] == year and k[2] == subsidy and k[3] == payer)
                assert Decimal(str(summary.cell(r, c).value)).quantize(Decimal("0.01")) == want, (year, subsidy)
    # the terminal's table of each year: subsidy × payer, 元
    for year in YEARS:
        block = output.split(f"{year} 年（元）")[1].split("\n\n")[0]
        for line in block.splitlines()[2:]:
            cells = line.split()
            if cells[0] == "合计":
                continue
            figures = [number(c) for c in cells[1:4]]
            for figure, payer in zip(figures, ("province", "city", "county")):
                assert figure == sum(v for k, v in allocated.items() if k[0] == year and k[2] == cells[0] and k[3] == payer)


def test_a_notice_before_may_2018_says_binxian_and_one_after_says_binzhou(tmp_path):
    """彬县 became 彬州市 in May 2018 (陕政函〔2018〕93号): a document names the county as of its date."""
    for date, name, other in (("2018-01-15", "彬县", "彬州市"), ("2018-06-01", "彬州市", "彬县")):
        out = tmp_path / date
        result = runner.invoke(app, ["plan", "-y", "2018", "--date", date, "--out", str(out)])
        assert result.exit_code == 0, result.output
        for document in ("notice-2018-征求意见稿.pdf", "explanation-2018.pdf"):
            with pdfplumber.open(out / document) as pdf:
                text = flat("".join(p.extract_text() for p in pdf.pages))
            assert name in text and other not in text, (date, document)


def test_the_explanation_counts_funds_as_the_notice_does(tmp_path):
    root = Path(__file__).resolve().parent.parent / "budget" / "configs" / "examples"
    out = tmp_path / "local"
    result = runner.invoke(app, ["plan", "-y", "2018", "--policy", str(root / "xianyang-local-example.yaml"),
                                 "--factors", str(root / "xianyang-factors-synthetic.csv"),
                                 "--documents", str(root.parent / "documents" / "xianyang-2018.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    total = sum(Decimal(r["amount"]) for r in csv.DictReader(open(out / "allocations.csv", encoding="utf-8-sig")))
    for document, pattern in (("notice-2018-征求意见稿.pdf", r"社会保险扶贫补助资金共需([\d,.]+)万元()"),
                              ("explanation-2018.pdf", r"共需安排资金([\d,.]+)万元（(人民币[^）]+)）")):
        with pdfplumber.open(out / document) as pdf:
            found = re.search(pattern, flat("".join(p.extract_text() for p in pdf.pages)))
        assert number(found.group(1)) * WAN == total, document
        if found.group(2):
            assert Decimal(parse_chinese_uppercase(found.group(2))) / 100 == total, document
