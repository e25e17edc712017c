"""The documents as a reader sees them (issue 14 item 6): table cells broken between words, tables
within the type area, no mostly blank page, one citation per clause, the settlement's words."""

import csv
import re

import pdfplumber
import pytest
from typer.testing import CliRunner

from budget.cli import app
from budget.resources import CONFIGS

runner = CliRunner()
MM = 72 / 25.4
SETTINGS = str(CONFIGS / "documents" / "xianyang-2018.yaml")
EXAMPLE = CONFIGS / "examples" / "xianyang-headcounts-synthetic.csv"
# words a reader must see whole; a line break inside one reads as a typo (省级预算/数)
WORDS = ["下达", "应安排", "预算数", "预拨数", "应拨数", "差额", "序号", "重度残疾人", "执行期间", "补拨", "收回",
         "市县", "代缴保费", "城乡居民", "指标值", "应保尽保", "减轻", "时限", "预算法"]


def run(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    with EXAMPLE.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(line for line in f if not line.startswith("#")) if r["year"] == "2018"]
    for i, r in enumerate(rows):  # some counts changed: a settlement that pays out and recovers
        r["headcount"] = str(int(r["headcount"]) + (7 * (i % 5) if i % 3 == 0 else -11 if i % 7 == 0 and
                                                     int(r["headcount"]) > 11 else 0))
    actual = tmp / "actual.csv"
    with actual.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    run("plan", "-y", "2018", "--documents", SETTINGS, "-o", str(tmp / "p"))
    run("plan", "-y", "2018", "--documents", SETTINGS, "--advance-rate", "90%", "-o", str(tmp / "pa"))
    run("settle", "-y", "2018", "--planned", str(tmp / "p"), "--actual", str(actual), "-o", str(tmp / "s"))
    run("settle", "-y", "2018", "--planned", str(tmp / "pa"), "--actual", str(actual), "-o", str(tmp / "sa"))
    return {"notice": next((tmp / "p").glob("notice-2018*.pdf")), "advance": next((tmp / "pa").glob("notice-2018*.pdf")),
            "explanation": tmp / "p" / "explanation-2018.pdf", "settlement": tmp / "s" / "settlement-notice-2018.pdf",
            "settlement_advance": tmp / "sa" / "settlement-notice-2018.pdf", "s": tmp / "s", "sa": tmp / "sa"}


def pdf_text(path):
    with pdfplumber.open(path) as pdf:
        return "".join(p.extract_text() for p in pdf.pages).replace("\n", "")


def broken_words(cell):
    """The WORDS a cell's line breaks fall inside."""
    lines = cell.split("\n")
    joined, cuts, at = "".join(lines), set(), 0
    for line in lines[:-1]:
        at += len(line)
        cuts.add(at)
    return [w for w in WORDS for m in re.finditer(re.escape(w), joined)
            if any(m.start() < c < m.end() for c in cuts)]


DOCUMENTS = ["notice", "advance", "explanation", "settlement", "settlement_advance"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_table_cells_break_only_between_words(docs, name):
    broken = []
    with pdfplumber.open(docs[name]) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            for table in page.extract_tables():
                broken += [(n, cell, w) for row in table for cell in row if cell for w in broken_words(cell)]
    assert not broken


@pytest.mark.parametrize("name", DOCUMENTS)
def test_tables_stay_within_the_type_area(docs, name):
    with pdfplumber.open(docs[name]) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            left = (37 if page.width > page.height else 28) * MM
            right = left + (225 if page.width > page.height else 156) * MM
            for table in page.find_tables():
                assert left - 1 <= table.bbox[0] and table.bbox[2] <= right + 1, (n, table.bbox)


def test_performance_table_has_room(docs):
    with pdfplumber.open(docs["notice"]) as pdf:
        page = next(p for p in pdf.pages if "区域绩效目标表" in (p.extract_text() or "") and p.find_tables())
        table = page.find_tables()[0]
        header = table.rows[0].cells
        value = header[-1]
        assert (value[2] - value[0]) >= 8 * 12, "指标值 holds 按预算法规定 on one line"
        title_bottom = max(c["bottom"] for c in page.chars if c["size"] > 20)
        assert table.bbox[1] - title_bottom >= 10, "the table stands apart from its title"
        cells = [c for row in table.extract() for c in row if c]
        assert "按预算法规定\n时限下达" in cells and "应保尽保" in cells and "有效减轻" in cells
        goal = next(c for c in cells if c.startswith(f"{2018}年按政策"))
        assert "城\n乡" not in goal and "代缴城\n" not in goal


def test_no_page_left_mostly_blank_before_a_heading(docs):
    """The 测算结果 table and 六 with its chart share a page: no page ends at a fifth of its height."""
    with pdfplumber.open(docs["explanation"]) as pdf:
        for n, page in enumerate(pdf.pages[:-1], 1):
            body = [c for c in page.chars if c["bottom"] < 262 * MM]
            assert max(c["bottom"] for c in body) > (37 + 225 * 0.6) * MM, n


@pytest.mark.parametrize("name", ["settlement", "settlement_advance"])
def test_every_settlement_table_on_its_own_page(docs, name):
    """13 counties fit a landscape page: no table spills rows onto a page without its 附件 label."""
    with pdfplumber.open(docs[name]) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            if page.find_tables():
                assert (page.extract_text() or "").startswith("附件"), n


def test_notice_cites_each_clause_once_and_only_document_and_clause(docs):
    citations = re.findall(r"（依据：(.*?)）。", pdf_text(docs["notice"]))
    assert citations
    for cited in citations:
        parts = cited.split("；")
        assert len(parts) == len(set(parts)), cited
        assert not any("元" in p or "“" in p for p in parts), cited
    assert "（依据：陕人社发〔2017〕60号二（二）；医保发〔2018〕2号）" in pdf_text(docs["notice"])


@pytest.mark.parametrize("name", ["settlement", "settlement_advance"])
def test_settlement_words(docs, name):
    text = pdf_text(docs[name])
    assert re.search(r"省级预(算|拨)数[\d,.]+万元、应拨[\d,.]+万元", text)
    assert re.search(r"市级预(算|拨)数[\d,.]+万元、应拨[\d,.]+万元", text)
    assert re.search(r"县级预算数[\d,.]+万元、应安排[\d,.]+万元", text)
    assert "县级收回" not in text and "县级补拨" not in text  # the county's own share is not moved
    folder = docs["s" if name == "settlement" else "sa"]
    with (folder / "transfers.csv").open(encoding="utf-8-sig") as f:
        recovered = any(r["amount"].startswith("-") for r in csv.DictReader(f))
    assert ("应收回的资金在下年度结算中扣回" in text) == recovered


def test_explanation_names_the_excluded_county(docs):
    text = pdf_text(docs["explanation"])
    assert "杨陵区（610403）不列入分配表" in text and "610403不列入" not in text


def test_a_county_named_as_of_the_notice_date_is_explained(docs):
    """彬县 (January 2018) is allocations.csv's 610482 彬州市 (May 2018): each document that shows the
    old name says so under the table that shows it, by the code (彬州市 was no name yet in January)."""
    for name in ("notice", "explanation"):
        text = pdf_text(docs[name])
        assert "彬县" in text
        note = "彬县于2018年5月撤县设市（陕政函〔2018〕93号），数据文件中代码为610482；本表列成文日期的名称"
        assert text.count(note) >= (5 if name == "notice" else 1)
    assert "彬县" not in pdf_text(docs["settlement"])  # dated 2019: the present name, no note


@pytest.mark.parametrize("name", ["notice", "settlement", "settlement_advance"])
def test_a_tables_note_stays_on_its_page(docs, name):
    """The note under an attachment table (shares, the renamed county) never makes a page of its own."""
    with pdfplumber.open(docs[name]) as pdf:
        assert not [n for n, p in enumerate(pdf.pages, 1) if (p.extract_text() or "").startswith("注：")]
