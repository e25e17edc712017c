"""A notice a bureau can issue: it hands down only the issuer's money, cites the upper allocation,
names subject codes, carries the 区域绩效目标表, 公开属性 and 联系人; while it rests on assumptions it
is a 征求意见稿 and --final refuses; indicators for the budget system; archival PDF/A-3b."""

import csv
import re
from decimal import Decimal

import pdfplumber
import pikepdf
import pytest
from conftest import write_regions
from openpyxl import load_workbook
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()
DRAFT = "notice-2018-征求意见稿.pdf"


def flat(text):
    return re.sub(r"—\d+—", "", text.replace(" ", "").replace("\n", ""))


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("issued") / "out"
    result = runner.invoke(app, ["plan", "-y", "2018", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_notice_hands_down_the_issuers_money_and_carries_what_real_ones_carry(planned):
    allocations = list(csv.DictReader(open(planned / "allocations.csv", encoding="utf-8-sig")))
    with pdfplumber.open(planned / DRAFT) as pdf:
        body = flat("".join(p.extract_text() for p in pdf.pages))
        first = flat(pdf.pages[0].extract_text())
    # opens with the upper allocation it passes on
    assert re.search(r"根据《关于提前下达2018年社会保险扶贫省级补助资金的通知》（陕财办社〔2017〕××号），按照", body)
    handed = sum(Decimal(r["amount"]) for r in allocations if r["payer"] in ("province", "city"))
    own = sum(Decimal(r["amount"]) for r in allocations if r["payer"] == "county")
    found = re.search(r"现下达你们2018年社会保险扶贫补助资金([\d,.]+)万元", body)
    assert Decimal(found.group(1).replace(",", "")) * 10000 == handed  # the province's and the city's only
    found = re.search(r"各县（市、区）应安排本级配套资金([\d,.]+)万元，请及时将本级应承担的补助资金落实到位", body)
    assert Decimal(found.group(1).replace(",", "")) * 10000 == own
    assert "县级下达" not in body and "县级应安排" in body  # nobody 下达 the county's own share
    assert "列2018年政府收支分类科目“2082602财政对城乡居民基本养老保险基金的补助”" in body
    assert "“2101202财政对城乡居民基本医疗保险基金的补助”" in body and "社会保障基金财政专户" in body
    assert "（此件主动公开）" in body and "联系人及电话：咸阳市财政局社会保障科" in body
    assert "区域绩效目标表" in body
    with pdfplumber.open(planned / DRAFT) as pdf:
        rows = [[flat(c or "") for c in r] for p in pdf.pages for t in p.extract_tables() for r in t
                if flat(t[0][0] or "") == "一级指标"]
    people = sum(int(r["headcount"]) for r in allocations if r["subsidy"] == "pension_contribution" and r["payer"] == "city")
    assert ["产出指标", "数量指标", "城乡居民养老保险农村困难群体代缴保费人数", f"{people:,}人"] in rows
    assert ["产出指标", "质量指标", "应代尽代率", "100%"] in rows
    assert first.startswith("征求意见稿")  # built on assumed values
    # assumptions are listed in the 测算说明 and the terminal, never in the 红头 document's body
    assert "假设" not in body and "其他事项" not in body


def test_final_refuses_naming_each_assumption_and_what_is_missing(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "--final", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    out = result.output
    assert re.search(r"shaanxi-2017-60\.yaml:\d+: 假设未引用本地文件，不能正式印发：人员重叠时的计入次序", out)
    assert re.search(r"xianyang-2017-303\.yaml:\d+: 假设未引用本地文件，不能正式印发：城乡居民基础养老金提高部分市县部分分担比例",
                     out)
    assert "建档立卡农村贫困人口补充医疗保障的支出功能分类科目，不能正式印发" in out
    assert not (tmp_path / "o").exists()


def small(tmp_path, settings_text):
    write_regions(tmp_path / "regions.yaml", [("610402", "甲区"), ("610404", "乙区")])
    policy = tmp_path / "p.yaml"
    policy.write_text("""\
document: {number: 测试〔2018〕1号, title: 测试办法, issuers: [测试市人社局], date: 2018-01-02}
regions: {file: regions.yaml, scope: "610400"}
groups: {people: {name: 人员}}
subsidies:
  s:
    name: 测试补助
    unit: year
    population: {add: [people]}
    period: [{from: 2018-01, ref: 第一条}]
    rate: [{from: 2018-01, value: 50, ref: 第二条}]
    shares: [{from: 2018-01, split: {province: 50%, city: 25%, county: 25%}, ref: 第三条}]
""", encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("year,region_code,group,headcount\n2018,610402,people,3\n2018,610404,people,5\n", "utf-8")
    settings = tmp_path / "doc.yaml"
    settings.write_text(settings_text, encoding="utf-8")
    return ["plan", "-p", str(policy), "-H", str(people), "--documents", str(settings)]


COMPLETE = """\
allocation_unit: 元
notice:
  number: 测财〔{year}〕3号
  date: "{year}-02-01"
  upper: ["《关于下达{year}年测试补助资金的通知》（测财社〔{previous_year}〕9号）"]
  contact: 张三，0000-1234567
  public: 依申请公开
subjects:
  s: [{from: 2018, function: "2082602", function_name: 财政对城乡居民基本养老保险基金的补助, ref: 科目表, verified: yes}]
indicator_columns: {接收地区代码: 收款地区, 金额（元）: 指标金额, 补助项目: 项目名称}
"""


def test_a_notice_without_assumptions_and_with_what_it_needs_is_final(tmp_path):
    args = small(tmp_path, COMPLETE)
    result = runner.invoke(app, args + ["--final", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "notice-2018.pdf").exists()  # not a draft: no 征求意见稿 in its name
    with pdfplumber.open(tmp_path / "o" / "notice-2018.pdf") as pdf:
        body = flat("".join(p.extract_text() for p in pdf.pages))
    assert "征求意见稿" not in body and "（此件依申请公开）" in body
    # 甲区 3 × 50 = 150 元 → 省 75, 市 37.5, 县 37.5: to the 元 by largest remainder, the tie to the city: 75 / 38 / 37
    # 乙区 5 × 50 = 250 元 → 125 / 62.5 / 62.5 → 125 / 63 / 62. Handed down 75 + 38 + 125 + 63 = 301; 应安排 37 + 62 = 99
    assert "现下达你们2018年社会保险扶贫补助资金0.0301万元（人民币叁佰零壹元整）" in body
    assert "各县（市、区）应安排本级配套资金0.0099万元" in body


def test_indicators_sum_to_the_money_handed_down_and_follow_the_mapping(planned, tmp_path):
    allocations = list(csv.DictReader(open(planned / "allocations.csv", encoding="utf-8-sig")))
    rows = list(csv.DictReader(open(planned / "indicators-2018.csv", encoding="utf-8-sig")))
    handed = sum(Decimal(r["amount"]) for r in allocations if r["payer"] in ("province", "city"))
    assert sum(Decimal(r["金额（元）"]) for r in rows) == handed
    assert {r["预算级次"] for r in rows} == {"省级", "市级"}
    assert all(r["上级指标文号"] for r in rows if r["预算级次"] == "省级")
    assert not any(r["上级指标文号"] for r in rows if r["预算级次"] == "市级")
    assert {r["支出功能科目"] for r in rows if r["补助项目"] == "城乡居民医保个人缴费资助"} == {"2101202"}
    assert {r["支出功能科目"] for r in rows if r["补助项目"] == "建档立卡农村贫困人口补充医疗保障"} == {""}  # not given: blank
    sheet = load_workbook(planned / "indicators-2018.xlsx", data_only=True)["指标"]
    header = [c.value for c in sheet[3]]
    amounts = [Decimal(str(r[header.index("金额（元）")])) for r in sheet.iter_rows(min_row=4, values_only=True)
               if r[0] and r[0] != "合计"]
    assert sum(amounts) == handed
    # a province's own template: columns renamed and reordered by the settings' mapping
    args = small(tmp_path, COMPLETE)
    assert runner.invoke(app, args + ["--no-pdf", "--out", str(tmp_path / "m")]).exit_code == 0
    text = (tmp_path / "m" / "indicators-2018.csv").read_text("utf-8-sig").splitlines()
    assert text[0] == "收款地区,指标金额,项目名称"
    assert sorted(text[1:]) == ["610402,38.00,测试补助", "610402,75.00,测试补助", "610404,125.00,测试补助",
                                "610404,63.00,测试补助"]


def test_every_pdf_is_pdf_a_3b_with_allocations_csv_inside_and_reruns_are_byte_identical(planned, tmp_path):
    allocations = (planned / "allocations.csv").read_bytes()
    for name in (DRAFT, "explanation-2018.pdf"):
        with pikepdf.open(planned / name) as pdf:
            with pdf.open_metadata() as meta:
                assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
                assert meta.get("xmp:CreateDate", "").startswith("2018-01-08")  # the document's date, not the clock
            intent = pdf.Root.OutputIntents[0]
            assert str(intent.S) == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
            attached = pdf.attachments["allocations.csv"]
            assert attached.get_file().read_bytes() == allocations
            assert str(attached.obj.AFRelationship) == "/Data" and len(pdf.Root.AF) >= 1
            for page in pdf.pages:
                for font in (page.Resources.get("/Font") or {}).values():
                    fonts = [font] + list(font.get("/DescendantFonts") or [])
                    descriptors = [f.FontDescriptor for f in fonts if "/FontDescriptor" in f]
                    assert any(("/FontFile" in d or "/FontFile2" in d or "/FontFile3" in d) for d in descriptors), font
    again = tmp_path / "again"
    assert runner.invoke(app, ["plan", "-y", "2018", "--out", str(again)]).exit_code == 0
    for name in (DRAFT, "explanation-2018.pdf", "indicators-2018.csv", "indicators-2018.xlsx"):
        assert (again / name).read_bytes() == (planned / name).read_bytes(), name


def test_an_advance_is_a_notice_of_its_own_kind(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2019", "--advance-rate", "90%", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    advances = list(csv.DictReader(open(tmp_path / "o" / "advances.csv", encoding="utf-8-sig")))
    with pdfplumber.open(tmp_path / "o" / "notice-2019-征求意见稿.pdf") as pdf:
        body = flat("".join(p.extract_text() for p in pdf.pages))
    assert "现按预算的90%提前下达你们2019年社会保险扶贫补助资金" in body and "省级提前下达" in body
    found = re.search(r"现按预算的90%提前下达你们2019年社会保险扶贫补助资金([\d,.]+)万元", body)
    assert Decimal(found.group(1).replace(",", "")) * 10000 == sum(
        Decimal(r["amount"]) for r in advances if r["payer"] in ("province", "city"))
    # the county's own share is advanced by nobody: advances.csv holds the money handed down only
    assert {r["payer"] for r in advances} == {"province", "city"}
    allocations = list(csv.DictReader(open(tmp_path / "o" / "allocations.csv", encoding="utf-8-sig")))
    for payer in ("province", "city"):  # each level advances 90% of its own share, rounded once per table
        budget = sum(Decimal(r["amount"]) for r in allocations if r["payer"] == payer)
        advanced = sum(Decimal(r["amount"]) for r in advances if r["payer"] == payer)
        assert abs(advanced - budget * Decimal("0.9")) <= 5  # a few 元 of rounding across five tables
