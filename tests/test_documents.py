"""The PDF documents measured against GB/T 9704 and read back for their numbers."""

import csv
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from conftest import write_regions
from pypdf import PdfReader
from typer.testing import CliRunner

from budget.cli import app
from budget.core.money import chinese_uppercase

runner = CliRunner()
MM = 72 / 25.4
RED = (0.901961, 0.0, 0.0)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    result = runner.invoke(app, ["plan", "--year", "2018", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "字体：仿宋:" in result.output
    return out


@pytest.fixture(scope="module")
def notice(planned):
    with pdfplumber.open(planned / "notice-2018-征求意见稿.pdf") as pdf:
        yield pdf


def lines_of(page):
    rows = {}
    for c in page.chars:
        rows.setdefault(round(c["top"], 1), []).append(c)
    return [sorted(rows[k], key=lambda c: c["x0"]) for k in sorted(rows)]


def text(chars):
    return "".join(c["text"] for c in chars)


def is_footer(page, c):
    text_bottom = 262 if page.width < page.height else 182  # 37 + 225 mm; landscape 26 + 156 mm
    return abs(c["size"] - 14) < 0.1 and c["top"] > (text_bottom + 1) * MM


def test_a4_and_the_text_area(notice):
    for index, page in enumerate(notice.pages):
        portrait = page.width < page.height
        assert sorted([round(page.width / MM), round(page.height / MM)]) == [210, 297]
        if not page.chars:  # the blank page that puts the 版记 on an even page: nothing, not even a number
            assert index == len(notice.pages) - 2
            continue
        body = [c for c in page.chars if not is_footer(page, c)]
        left, top = (28, 37) if portrait else (37, 26)
        width, height = (156, 225) if portrait else (225, 156)
        assert min(c["x0"] for c in body) >= (left - 0.5) * MM
        assert max(c["x1"] for c in body) <= (left + width + 0.5) * MM
        assert min(c["top"] for c in body) >= (top - 0.5) * MM
        assert max(c["bottom"] for c in body) <= (top + height + 0.5) * MM


def test_head_mark_number_rule_and_title(notice):
    page = notice.pages[0]
    draft = lines_of(page)[0]  # built on assumed values: 征求意见稿 at the top left, where 份号/密级 stand
    assert text(draft) == "征求意见稿" and abs(draft[0]["x0"] - 28 * MM) < 0.5 * MM
    lines = lines_of(page)[1:]
    mark = [c for c in page.chars if c["text"] in "文件" and c["size"] > 30]
    assert len(mark) == 2 and all(c["non_stroking_color"] == RED for c in mark)
    red = [c for c in page.chars if c["non_stroking_color"] == RED]
    assert abs(min(c["top"] for c in red) - (37 + 35) * MM) < 0.5 * MM  # 上边缘至版心上边缘为35mm
    assert all(c["non_stroking_color"] == RED for ln in lines[:3] for c in ln)
    number = next(ln for ln in lines if text(ln) == "咸财社〔2018〕12号")
    assert abs(number[0]["size"] - 16) < 0.01
    centre = (number[0]["x0"] + number[-1]["x1"]) / 2
    assert abs(centre - (28 + 78) * MM) < 1 * MM  # centred in the 156 mm line
    rules = [r for r in page.rects if r["non_stroking_color"] == RED]
    assert len(rules) == 1
    rule = rules[0]
    assert abs(rule["width"] - 156 * MM) < 0.2 * MM and abs(rule["x0"] - 28 * MM) < 0.2 * MM
    assert abs(rule["top"] - number[0]["bottom"] - 4 * MM) < 0.3 * MM  # 4 mm below the number
    title = [c for c in page.chars if abs(c["size"] - 22) < 0.01 and c["non_stroking_color"] != RED]
    assert text(title).startswith("关于下达2018年社会保险扶贫补助资金预算")
    assert title[0]["top"] > rule["bottom"]


def test_body_is_16pt_fangsong_with_28_characters_a_line(notice):
    page = notice.pages[0]
    addressee = next(ln for ln in lines_of(page) if text(ln).startswith("各县（市、区）"))
    assert all(abs(c["size"] - 16) < 0.01 and "Fandol" in c["fontname"] for c in addressee)
    full_width_lines = [ln for p in notice.pages[:3] for ln in lines_of(p)
                        if all(ord(c["text"]) > 0x2E80 for c in ln) and abs(ln[0]["size"] - 16) < 0.01]
    assert max(len(ln) for ln in full_width_lines) == 28


def test_headings_use_hei_and_kai(notice):
    first = next(ln for p in notice.pages[:2] for ln in lines_of(p) if text(ln).startswith("一、补助标准"))
    assert "Sans" in first[0]["fontname"] or "Hei" in first[0]["fontname"]
    second = next(ln for p in notice.pages[:2] for ln in lines_of(p) if text(ln).startswith("（一）城乡居民"))
    assert "Kai" in second[0]["fontname"]


def dash_centre_from_top(page, c):
    # the 一字线 is drawn 0.27 em above the baseline in Noto Serif CJK (glyph bounds 242–293/1000)
    return page.height - c["matrix"][5] - 0.2675 * c["size"]


def test_page_numbers_odd_right_even_left_7mm_below_the_text(notice):
    for index, page in enumerate(notice.pages, start=1):
        foot = [c for c in page.chars if is_footer(page, c)]
        if not foot:
            continue
        assert text(foot).replace(" ", "") == f"—{index}—"
        assert all(abs(c["size"] - 14) < 0.01 for c in foot)
        portrait = page.width < page.height
        left, right = (28, 184) if portrait else (37, 262)
        bottom = 262 if portrait else 182
        if index % 2:
            assert abs(foot[-1]["x1"] - (right * MM - 14)) < 0.5 * MM  # right, one character in
        else:
            assert abs(foot[0]["x0"] - (left * MM + 14)) < 0.5 * MM   # left, one character in
        assert abs(dash_centre_from_top(page, foot[0]) - (bottom + 7) * MM) < 0.5 * MM


def test_attachments_each_on_a_new_page_with_label_and_table(notice, planned):
    labels = {}
    for index, page in enumerate(notice.pages):
        if not page.chars:
            continue
        first = lines_of(page)[0]
        if re.fullmatch(r"附件\d", text(first)):
            labels[text(first)] = index
            assert abs(first[0]["size"] - 16) < 0.01 and ("Sans" in first[0]["fontname"] or "Hei" in first[0]["fontname"])
            assert abs(first[0]["x0"] - (28 if page.width < page.height else 37) * MM) < 0.5 * MM
    assert list(labels) == [f"附件{n}" for n in range(1, 7)]  # five allocation tables and the 区域绩效目标表
    performance = notice.pages[labels["附件6"]].extract_text().replace(" ", "").replace("\n", "")
    assert "区域绩效目标表" in performance and "一级指标" in performance and "产出指标" in performance
    assert notice.pages[labels["附件1"]].width > notice.pages[labels["附件1"]].height  # wide → landscape
    assert notice.pages[labels["附件2"]].width < notice.pages[labels["附件2"]].height


def numbers(row):
    return [Decimal(c.replace(",", "")) if c and re.fullmatch(r"[\d,]+(\.\d+)?", c) else None for c in row]


def test_every_table_total_equals_the_sum_of_its_rows(notice, planned):
    allocations = list(csv.DictReader(open(planned / "allocations.csv", encoding="utf-8-sig")))
    tables = 0
    for page in notice.pages:
        if not page.chars or not re.fullmatch(r"附件\d", text(lines_of(page)[0])):
            continue
        if "绩效目标" in page.extract_text().replace(" ", ""):
            continue
        unit = re.search(r"单位：(人、)?万元", page.extract_text().replace(" ", ""))  # 人 where it counts people
        assert unit
        for table in page.extract_tables():
            header, total, rows = table[0], table[1], table[2:]
            assert header[0].replace("\n", "") == "序号" and total[1] == "合计" and header[-1] == "备注"
            assert len(rows) == 13
            for col in range(2, len(header) - 1):
                column = [numbers(r)[col] for r in rows]
                assert numbers(total)[col] == sum(column), (header[col], col)
            tables += 1
    assert tables == 5
    # and the money handed down (the province's and the city's), in 大写, is their total in allocations.csv
    total_fen = sum(int(Decimal(r["amount"]) * 100) for r in allocations if r["payer"] != "county")
    body = re.sub(r"—\d+—", "", "".join(p.extract_text() for p in notice.pages[:4]).replace(" ", "").replace("\n", ""))
    assert chinese_uppercase(total_fen) in body


def test_all_fonts_embedded(planned):
    for name in ("notice-2018-征求意见稿.pdf", "explanation-2018.pdf"):
        reader = PdfReader(planned / name)
        seen = 0
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptors = [d.get_object()["/FontDescriptor"] for d in font.get("/DescendantFonts", [])] \
                    or [font["/FontDescriptor"]]
                for descriptor in descriptors:
                    descriptor = descriptor.get_object()
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
                    seen += 1
        assert seen > 0


def test_banji_on_the_last_even_page(notice):
    last = notice.pages[-1]
    assert len(notice.pages) % 2 == 0
    lines = [text(ln) for ln in lines_of(last)]
    assert any(ln.startswith("抄送：陕西省财政厅") for ln in lines)
    assert any("咸阳市财政局办公室" in ln and "2018年1月8日印发" in ln for ln in lines)
    assert max(c["bottom"] for c in last.chars if not is_footer(last, c)) > 255 * MM  # at the foot
    assert all(abs(c["size"] - 14) < 0.01 for c in last.chars)


def test_explanation_has_parameters_assumptions_totals_and_chart(planned):
    with pdfplumber.open(planned / "explanation-2018.pdf") as pdf:
        body = "".join(p.extract_text() for p in pdf.pages).replace(" ", "").replace("\n", "")
        assert "测算参数及依据" in body and "假设事项" in body and "咸人社发〔2017〕303号" in body
        cells = [(c or "").replace("\n", "") for p in pdf.pages for t in p.extract_tables() for r in t for c in r]
        # the assumed parameters of 2018, marked: the medical groups' order, two starting dates, the local split
        # of the pension increase, the three medical rates and the medical split
        assert sum(c.endswith("（假设）") for c in cells) == 8
        rects = [r for p in pdf.pages for r in p.rects if r["non_stroking_color"] == (0.752941, 0.0, 0.0)]
        assert len(rects) >= 13  # one province bar per county (and the legend)


def test_looked_at(planned, tmp_path):
    """Render page 1 to PNG, as a person would look at it (see the closing notes)."""
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(planned / "notice-2018-征求意见稿.pdf"),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5000


# --- hostile and rare names -----------------------------------------------------------------------

def small_plan(tmp_path, names, *extra):
    codes = ["610402", "610404", "610422"]
    write_regions(tmp_path / "regions.yaml", list(zip(codes, names)))
    policy = tmp_path / "p.yaml"
    policy.write_text("""\
document: {number: 测试〔2018〕1号, title: 测试, issuers: [测试厅], date: 2018-01-02}
regions: {file: regions.yaml, scope: "610400"}
groups: {people: {name: 人员}}
subsidies:
  s:
    name: 补助
    unit: year
    population: {add: [people]}
    period: [{from: 2018-01, ref: 条款}]
    rate: [{from: 2018-01, value: 10, ref: 条款}]
    shares: [{from: 2018-01, split: {province: 50%, county: 50%}, ref: 条款}]
""", encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("year,region_code,group,headcount\n" + "".join(f"2018,{c},people,3\n" for c in codes), "utf-8")
    return runner.invoke(app, ["plan", "-p", str(policy), "-H", str(people), "--out", str(tmp_path / "o"), *extra])


def test_markup_in_names_prints_as_written(tmp_path):
    result = small_plan(tmp_path, ["<b>x</b>", "A&amp;B", "普通县"])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "o" / "notice-2018.pdf") as pdf:  # no assumption: not a draft
        all_text = "".join(p.extract_text() for p in pdf.pages)
    assert "<b>x</b>" in all_text and "A&amp;B" in all_text


def test_rare_characters_fall_back_per_character(tmp_path):
    result = small_plan(tmp_path, ["鄠邑区", "堃县", "喆县"])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "o" / "notice-2018.pdf") as pdf:  # no assumption: not a draft
        chars = [c for p in pdf.pages for c in p.chars if c["text"] in "鄠堃喆"]
    assert {c["text"] for c in chars} == set("鄠堃喆")
    assert all("Noto" in c["fontname"] for c in chars)  # Fandol lacks them: Noto sets them


def test_a_character_no_font_has_stops_the_render(tmp_path):
    result = small_plan(tmp_path, ["\U000F0001县", "普通县", "其他县"])
    assert result.exit_code == 1
    assert "已安装的字体中没有这些字：\U000F0001（U+F0001）" in result.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
    result = small_plan(tmp_path, ["\U000F0001县", "普通县", "其他县"], "--allow-missing-glyphs")
    assert result.exit_code == 0, result.output


def test_report_renders_again_with_other_settings(planned, tmp_path):
    settings = tmp_path / "doc.yaml"
    settings.write_text("notice:\n  number: 咸财社〔{year}〕99号\n  date: 2018-03-05\n  unit: 元\n", encoding="utf-8")
    result = runner.invoke(app, ["report", "--from", str(planned), "--documents", str(settings), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "r" / "notice-2018-征求意见稿.pdf") as pdf:
        first = pdf.pages[0].extract_text().replace(" ", "")
        assert "咸财社〔2018〕99号" in first
        assert "2018年3月5日" in "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
        assert any(re.search(r"单位：(人、)?元", p.extract_text().replace(" ", "")) for p in pdf.pages)


def test_report_refuses_changed_inputs(tmp_path):
    people = tmp_path / "h.csv"
    people.write_bytes(Path(__file__).parent.parent.joinpath("budget/configs/examples/xianyang-headcounts-synthetic.csv").read_bytes())
    assert runner.invoke(app, ["plan", "-y", "2018", "-H", str(people), "-o", str(tmp_path / "o"), "--no-pdf"]).exit_code == 0
    copy = tmp_path / "o" / "inputs" / "headcounts" / "h.csv"  # the plan reads its own copy, not the original
    text = copy.read_text("utf-8")
    copy.write_text(text.replace("2018,610402,秦都区,pension_recipients,", "2018,610402,秦都区,pension_recipients,1"), "utf-8")
    result = runner.invoke(app, ["report", "--from", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"{copy}: 在测算之后被修改（SHA-256 与 plan.json 不符）：请重新运行 budget plan" in result.output


def test_bad_document_settings(tmp_path):
    settings = tmp_path / "doc.yaml"
    settings.write_text("notice:\n  numbr: x\n  date: 2018/3/5\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", "-y", "2018", "--documents", str(settings), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    allowed = "issuers, number, date, title, addressees, cc, printer, unit, upper, public, contact, pass_on"
    assert f"{settings}:2: 下达通知设置（notice）中有未知的键 'numbr'（允许的键：{allowed}）\n" in result.output
    assert f"{settings}:3: 下达通知设置（notice）的日期 '2018/3/5' 应写作 2018-01-08\n" in result.output
    result = runner.invoke(app, ["--lang", "en", "plan", "-y", "2018", "--documents", str(settings), "--out",
                                 str(tmp_path / "o")])
    assert f"{settings}:2: unknown key 'numbr' in notice (allowed: {allowed})\n" in result.output
    assert f"{settings}:3: notice date '2018/3/5' must be written 2018-01-08\n" in result.output


def test_date_four_characters_from_the_right_and_issuers_centred_over_it(notice):
    for page in notice.pages:
        lines = [ln for ln in lines_of(page) if abs(ln[0]["size"] - 16) < 0.01]
        date = next((ln for ln in lines if text(ln) == "2018年1月8日"), None)
        if date is None:
            continue
        assert abs(date[-1]["x1"] - (184 * MM - 4 * 15.79)) < 1 * MM  # 右空四字
        centre = (date[0]["x0"] + date[-1]["x1"]) / 2
        for issuer in ("咸阳市财政局", "咸阳市人力资源和社会保障局"):
            line = next(ln for ln in lines if text(ln) == issuer)
            assert abs((line[0]["x0"] + line[-1]["x1"]) / 2 - centre) < 0.5 * MM
        return
    raise AssertionError("no date line found")


def test_document_settings_from_the_command_line(planned, tmp_path):
    result = runner.invoke(app, ["report", "--from", str(planned), "--out", str(tmp_path), "--number", "咸财社〔2018〕77号",
                                 "--date", "2018-02-03", "--issuer", "咸阳市财政局", "--cc", "甲单位", "--cc", "乙单位"])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(tmp_path / "notice-2018-征求意见稿.pdf") as pdf:
        first = pdf.pages[0].extract_text().replace(" ", "")
        last = pdf.pages[-1].extract_text().replace(" ", "")
    assert "咸财社〔2018〕77号" in first and "咸阳市财政局文件" in first.replace("\n", "")
    assert "抄送：甲单位，乙单位。" in last and "2018年2月3日印发" in last
    bad = runner.invoke(app, ["report", "--from", str(planned), "--out", str(tmp_path), "--date", "2018/2/3"])
    assert bad.exit_code == 2 and "--date '2018/2/3'：不是有效的日期，应写作 2018-01-08" in bad.output


def test_outputs_from_synthetic_data_say_so(planned, tmp_path):
    with pdfplumber.open(planned / "notice-2018-征求意见稿.pdf") as pdf:
        assert "示例文件，不是正式公文" in pdf.pages[0].extract_text().replace(" ", "")
    with pdfplumber.open(planned / "explanation-2018.pdf") as pdf:
        assert "所用数据为虚构" in pdf.pages[0].extract_text().replace(" ", "")
    from openpyxl import load_workbook
    about = {r[0].value: r[1].value for r in load_workbook(planned / "budget-2018.xlsx")["说明"].iter_rows(min_row=3)}
    assert "SYNTHETIC EXAMPLE DATA" in about["示例"]
    assert "SYNTHETIC EXAMPLE DATA" in (planned / "assumptions.txt").read_text("utf-8")
    # real-looking input without such a note: no banner
    result = small_plan(tmp_path, ["甲县", "乙县", "丙县"])
    assert result.exit_code == 0
    with pdfplumber.open(tmp_path / "o" / "notice-2018.pdf") as pdf:  # no assumption: not a draft
        assert "示例" not in pdf.pages[0].extract_text()


def test_attachment_list_wraps_under_the_name(notice):
    """附件说明: a name that wraps continues under its own first character, after "1."."""
    for page in notice.pages:
        lines = lines_of(page)
        for line, following in zip(lines, lines[1:]):
            if text(line).startswith("附件：1."):
                assert abs(line[0]["x0"] - (28 * MM + 2 * 15.79)) < 0.5 * MM  # 左空二字
                name_start = next(c for c in line if c["text"] == ".")["x1"]
                assert abs(following[0]["x0"] - name_start) < 0.5 * MM
                return
    raise AssertionError("no attachment list found")
