"""Bad headcount files: every problem named by file, row and field; exit 1; nothing written."""

import csv

import pytest
from conftest import GROUPS, XIANYANG, XIANYANG_COUNTIES, write_headcounts
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()


def plan(tmp_path, path, *extra, lang="zh"):
    out = tmp_path / "out"
    result = runner.invoke(app, ["--lang", lang, "plan", "--headcounts", str(path), "--policy", XIANYANG, "--out", str(out),
                                 "--no-pdf", *extra])
    return result, out


def edit(path, line_no, **fields):
    """Change fields of data line ``line_no`` (1 = header) of a CSV."""
    rows = list(csv.reader(open(path, encoding="utf-8-sig")))
    header = rows[0]
    for key, value in fields.items():
        rows[line_no - 1][header.index(key)] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_each_bad_field_is_reported_with_line_and_field_all_at_once(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {"poor_pension_contributors": 100})
    edit(path, 2, region_code="610499")          # unknown region
    edit(path, 12, group="poor_people")          # unknown group
    edit(path, 13, headcount="12.5")             # not whole
    edit(path, 14, headcount="-3")               # negative
    edit(path, 15, year="18")                    # bad year
    result, out = plan(tmp_path, path)
    assert result.exit_code == 1
    err = result.output
    assert f"{path}:2: [地区代码] 地区代码 '610499' 不在区划表中（本测算的县：610402, 610404, 610422" in err
    # the clerk reads each group's Chinese name beside the id the file holds
    assert f"{path}:12: [人员类别] 未知的人员类别 'poor_people'（可用：poor_pension_contributors（参保缴费农村困难群体（" in err
    assert f"{path}:13: [人数] 人数 '12.5' 应为不小于 0 的整数\n" in err
    assert f"{path}:14: [人数] 人数 '-3' 应为不小于 0 的整数\n" in err
    assert f"{path}:15: [年度] 年度 '18' 应为 4 位年份，如 2018" in err
    assert "发现 7 个问题，未写出任何文件。" in err
    assert not out.exists()
    english, out = plan(tmp_path, path, lang="en")
    err = english.output
    assert f"{path}:2: [region_code] region code '610499' is not in the region list" in err
    assert f"{path}:12: [group] unknown group 'poor_people' (allowed: {', '.join(GROUPS)})" in err
    assert f"{path}:13: [headcount] headcount '12.5' must be a whole number ≥ 0" in err
    assert f"{path}:14: [headcount] headcount '-3' must be a whole number ≥ 0" in err
    assert f"{path}:15: [year] year '18' must be a 4-digit year such as 2018" in err
    assert "7 problem(s) found; nothing was written." in err
    assert not out.exists()


def test_duplicate_row(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("2018,610402,pension_recipients,5\n")
    result, out = plan(tmp_path, path)
    assert result.exit_code == 1
    assert (f"{path}:119: 重复的行：2018, 610402 秦都区, 城乡居民养老保险领取待遇人员（pension_recipients）（首次出现于 "
            f"{path}:6）") in result.output
    assert not out.exists()


def test_of_which_larger_than_parent(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {("610404", "poor_pension_contributors"): 10,
                                                 ("610404", "poor_pension_contributors_contiguous"): 8,
                                                 ("610404", "poor_pension_contributors_disabled"): 11,
                                                 ("610404", "disabled_pension_contributors"): 11})
    result, _ = plan(tmp_path, path)
    assert result.exit_code == 1
    assert (f"{path}:13: [人数] 2018年 610404 渭城区：其中：重度残疾人（poor_pension_contributors_disabled） = 11，大于 "
            "参保缴费农村困难群体（建档立卡未标注脱贫人口、低保对象、特困人员）（poor_pension_contributors） = 10，"
            "但它是其中的一部分（其中数不能大于总数）") in result.output
    assert f"{path}:11: [人数] 2018年 610404 渭城区：参保缴费农村困难群体" in result.output
    assert "的各部分（其中：" in result.output and "= 19）多于它本身（10）" in result.output
    english, _ = plan(tmp_path, path, lang="en")
    assert (f"{path}:13: [headcount] 其中：重度残疾人（poor_pension_contributors_disabled） = 11 is larger than "
            "参保缴费农村困难群体（建档立卡未标注脱贫人口、低保对象、特困人员）（poor_pension_contributors） = 10 (2018, "
            "610404 渭城区), but it counts some of the same people") in english.output


def test_missing_group_is_an_error(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    rows = [ln for ln in open(path, encoding="utf-8") if "610402,medical_dibao" not in ln]
    open(path, "w", encoding="utf-8").writelines(rows)
    result, _ = plan(tmp_path, path)
    assert result.exit_code == 1
    assert (f"{path}: 2018年 610402 秦都区：缺少 城乡居民医保参保农村低保对象（medical_dibao） 的人数（执行中的补助需要）"
            in result.output)


def test_a_file_covering_some_counties_plans_those_and_says_which_are_left_out(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {"pension_recipients": 10}, counties=["610402", "610426"])
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "提示：2018年：610404 渭城区, 610422 三原县" in result.output
    assert "没有任何人数，不纳入本次测算" in result.output
    codes = {r.split(",")[1] for r in (out / "allocations.csv").read_text("utf-8-sig").splitlines()[1:]}
    assert codes == {"610402", "610426"}


def test_region_name_is_cross_checked(tmp_path):
    path = tmp_path / "h.csv"
    lines = ["year,region_code,region_name,group,headcount"]
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            name = "渭城区" if code == "610402" and group == "pension_recipients" else ""
            lines.append(f"2018,{code},{name},{group},1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, _ = plan(tmp_path, path)
    assert result.exit_code == 1
    assert f"{path}:6: [地区名称] 地区名称 '渭城区' 与代码 610402（秦都区）不符" in result.output


def test_year_not_in_file(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    result, _ = plan(tmp_path, path, "--year", "2019")
    assert result.exit_code == 1
    assert f"{path} 中没有 2019 年的人数（文件中的年度：2018）" in result.output
    english, _ = plan(tmp_path, path, "--year", "2019", lang="en")
    assert f"{path} has no rows for 2019 (years in the file: 2018)" in english.output
    assert "1 problem(s) found; nothing was written." in english.output


@pytest.mark.parametrize("content, message, english", [
    (b"", "h.csv: 文件是空的：需要表头行（year,region_code,group,headcount）和数据行",
     "h.csv: the file is empty: it needs a header row (year,region_code,group,headcount) and data rows"),
    (b"year,region,group,headcount\n2018,610402,x,1\n",
     "h.csv:1: 未知的列名 'region'（可用：year, region_code, group, headcount, region_name, month，或 年度, 年份",
     "h.csv:1: unknown column 'region' (allowed: year, region_code, group, headcount, region_name, month, or 年度, 年份"),
    (b"year,region_code,group\n", "h.csv:1: 缺少列 'headcount'（需要的列：year, region_code, group, headcount）",
     "h.csv:1: missing column 'headcount' (columns needed: year, region_code, group, headcount)"),
    (b"\x00\x01\x02garbage", "h.csv: 文件既不是 UTF-8 也不是 GB18030 文本（或含 NUL 字节）：请另存为 CSV（UTF-8）",
     "h.csv: the file is neither UTF-8 nor GB18030 text (or holds NUL bytes): save it as CSV (UTF-8)"),
    (b"\xff\xfe\x00\x00\xff", "h.csv: 文件既不是 UTF-8 也不是 GB18030 文本", "h.csv: the file is neither UTF-8 nor GB18030"),
])
def test_unreadable_files(tmp_path, content, message, english):
    path = tmp_path / "h.csv"
    path.write_bytes(content)
    for lang, expected in (("zh", message), ("en", english)):
        result, out = plan(tmp_path, path, lang=lang)
        assert result.exit_code == 1
        assert expected in result.output
        assert "Traceback" not in result.output
        assert not out.exists()


def test_old_code_warns_and_counts_as_new(tmp_path):
    counties = [c if c != "610482" else "610427" for c in XIANYANG_COUNTIES]
    path = write_headcounts(tmp_path / "h.csv", {"rural_registered_poor": 10}, counties=counties)
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "提示：[地区代码] 旧代码 610427 彬县 按 610482 彬州市（" in result.output
    assert "610482,彬州市,supplementary_medical,county,10,280.00" in (out / "allocations.csv").read_text("utf-8-sig")


def test_excluded_county_is_ignored_with_a_warning(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {}, counties=XIANYANG_COUNTIES + ["610403"])
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "610403 杨陵区 按政策设置不纳入测算（" in result.output
    assert "610403" not in (out / "allocations.csv").read_text("utf-8-sig")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_encodings_excel_saves(tmp_path, encoding):
    path = tmp_path / "h.csv"
    lines = ["年度,地区代码,地区名称,人员类别,人数"]
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            name = "秦都区" if code == "610402" else ""
            lines.append(f"2018,{code},{name},{group},{7 if group == 'rural_registered_poor' else 0}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "2018,610402,秦都区,supplementary_medical,province,7,147.00" in (out / "allocations.csv").read_text("utf-8-sig")


def test_xlsx_headcounts_and_cell_addresses(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "人数"
    sheet.append(["year", "region_code", "group", "headcount"])
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            sheet.append([2018, code, group, 3 if group == "pension_recipients" else 0])
    sheet["D3"] = 2.5  # a bad cell
    path = tmp_path / "h.xlsx"
    book.save(path)
    result, _ = plan(tmp_path, path)
    assert result.exit_code == 1
    assert f"{path}:人数!D3: [人数] 人数 '2.5' 应为不小于 0 的整数" in result.output
    sheet["D3"] = 0
    book.save(path)
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert "2018,610402,秦都区,basic_pension_increase,province,3,90.00" in (out / "allocations.csv").read_text("utf-8-sig")


def test_thousands_separators_and_chinese_group_names(tmp_path):
    path = tmp_path / "h.csv"
    lines = ["year,region_code,group,headcount"]
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            label = "领取待遇人员" if group == "pension_recipients" else group  # the group's short label
            lines.append(f'2018,{code},{label},"{"12,345" if group == "pension_recipients" else "0"}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result, out = plan(tmp_path, path)
    assert result.exit_code == 0, result.output
    # 12,345 × 5 元 × 12 = 740,700 → 省 370,350
    allocations = (out / "allocations.csv").read_text("utf-8-sig")
    assert "2018,610402,秦都区,basic_pension_increase,province,12345,370350.00" in allocations


def test_a_misgrouped_number_is_still_refused(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    text = open(path, encoding="utf-8").read()
    text = text.replace("2018,610402,pension_recipients,0", '2018,610402,pension_recipients,"1,23,45"')
    open(path, "w", encoding="utf-8").write(text)
    result, _ = plan(tmp_path, path)
    assert result.exit_code == 1 and "人数 '1,23,45' 应为不小于 0 的整数" in result.output
