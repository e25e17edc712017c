"""The CLI through typer's runner: exit codes, exact messages, files written."""
import csv
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from conftest import EXAMPLE, XIANYANG
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()


def test_plan_with_no_options_runs_the_shipped_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "out" / "allocations.csv", encoding="utf-8-sig")))
    assert list(rows[0]) == ["year", "region_code", "region_name", "subsidy", "payer", "headcount", "amount"]
    assert {r["year"] for r in rows} == {"2018", "2019", "2020", "2021"}
    assert {r["payer"] for r in rows} == {"province", "city", "county"}
    assert not any(r["year"] == "2021" and r["subsidy"] == "supplementary_medical" for r in rows)
    assert len({r["region_code"] for r in rows}) == 13 and "610403" not in {r["region_code"] for r in rows}
    assert "\n假设（文件未规定的数值，请以本地实际数据替换）：\n" in result.output
    assert "城乡居民基础养老金提高部分" in result.output
    notes = (tmp_path / "out" / "assumptions.txt").read_text("utf-8")
    assert "sha256=" in notes and "xianyang-headcounts-synthetic.csv" in notes


def test_summary_totals_equal_the_csv(tmp_path):
    result = runner.invoke(app, ["plan", "--year", "2018", "--out", str(tmp_path), "--no-pdf"])
    assert result.exit_code == 0
    totals = defaultdict(Decimal)
    for row in csv.DictReader(open(tmp_path / "allocations.csv", encoding="utf-8-sig")):
        totals[row["payer"]] += Decimal(row["amount"])
    total_line = next(ln for ln in result.output.splitlines() if ln.startswith("合计 "))
    shown = [Decimal(x.replace(",", "")) for x in total_line.split()[1:]]
    assert shown == [totals["province"], totals["city"], totals["county"], sum(totals.values())]


def test_the_terminal_follows_the_language_and_the_files_do_not(tmp_path):
    """The summary and the assumptions on the terminal are Chinese, or English with --lang en; the
    files written are the same bytes either way."""
    zh = runner.invoke(app, ["plan", "-y", "2018", "--out", str(tmp_path / "zh"), "--no-pdf"])
    en = runner.invoke(app, ["--lang", "en", "plan", "-y", "2018", "--out", str(tmp_path / "en"), "--no-pdf"])
    assert zh.exit_code == en.exit_code == 0
    zh_header = next(ln for ln in zh.output.splitlines() if ln.startswith("2018 年（元）"))
    en_header = next(ln for ln in en.output.splitlines() if ln.startswith("2018 (元)"))
    assert zh_header.split()[2:] == ["省级", "市级", "县级", "合计"]
    assert en_header.split()[2:] == ["province", "city", "county", "total"]
    assert "\n合计 " in zh.output and "\ntotal " in en.output
    assert "\n口径说明（对文件用语的理解）：\n" in zh.output
    assert "\ninterpretations (how the documents' words are read):\n" in en.output
    for name in ("allocations.csv", "assumptions.txt", "budget-2018.xlsx", "indicators-2018.csv"):
        assert (tmp_path / "zh" / name).read_bytes() == (tmp_path / "en" / name).read_bytes(), name
    assert "假设 assumptions (values the documents do not state" in (tmp_path / "zh" / "assumptions.txt").read_text("utf-8")


def test_same_inputs_same_bytes(tmp_path):
    for name in ("a", "b"):
        assert runner.invoke(app, ["plan", "-y", "2018", "--out", str(tmp_path / name)]).exit_code == 0
    for file in ("allocations.csv", "assumptions.txt", "plan.json", "budget-2018.xlsx", "notice-2018-征求意见稿.pdf",
                 "explanation-2018.pdf"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_check(tmp_path):
    result = runner.invoke(app, ["check", "--headcounts", EXAMPLE, "--policy", XIANYANG])
    assert result.exit_code == 0
    assert result.output.strip().endswith("校验通过：2 个政策文件，5 项补助，13 个县（市、区），年度 2018, 2019, 2020, 2021。")
    # 2021 lies past the documents' own period: the rules carried on are named as assumptions
    assert "提示：2021年已超出文件规定的执行期" in result.output and "城乡居民养老保险农村困难群体代缴保费" in result.output


@pytest.mark.parametrize("how", [["--lang", "en"], "BUDGET_LANG", "LANG"])
def test_english_on_request(how, monkeypatch):
    """--lang en, BUDGET_LANG=en or an English locale: the same messages in English (names stay Chinese)."""
    args = ["check", "--headcounts", EXAMPLE, "--policy", XIANYANG]
    if how == "BUDGET_LANG":
        monkeypatch.setenv("BUDGET_LANG", "en")
    elif how == "LANG":
        monkeypatch.delenv("BUDGET_LANG", raising=False)
        monkeypatch.delenv("LC_ALL", raising=False)
        monkeypatch.delenv("LC_MESSAGES", raising=False)
        monkeypatch.setenv("LANG", "en_US.UTF-8")
    result = runner.invoke(app, (how if isinstance(how, list) else []) + args)
    assert result.exit_code == 0
    assert result.output.strip().endswith("OK: 2 policy file(s), 5 subsidies, 13 counties, years 2018, 2019, 2020, 2021.")
    assert "warning: 2021" in result.output and "城乡居民养老保险农村困难群体代缴保费" in result.output


def test_a_bare_locale_is_chinese(monkeypatch):
    for name in ("BUDGET_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "校验通过" in runner.invoke(app, ["check"]).output
    assert runner.invoke(app, ["--lang", "fr", "check"]).exit_code == 2


def test_help_is_chinese_and_aligned_by_display_width():
    """Click's own words are Chinese; the option column lines up although its names hold CJK (two
    columns each), and no help line is wider than the terminal in columns, not characters."""
    from budget.core.display import width

    result = runner.invoke(app, ["plan", "-h"], terminal_width=100)
    lines = result.output.splitlines()
    assert lines[0].startswith("用法：budget plan") or lines[0].startswith("用法：root plan")
    assert "显示本帮助并退出。" in result.output and "[默认：out]" in result.output
    assert max(width(line) for line in lines) <= 100
    starts = {width(line[: line.index(text)]) for line in lines for text in ("预算年度", "人数文件（", "输出文件夹")
              if text in line}
    assert len(starts) == 1  # the help texts start in one column
    assert not any(line.strip().startswith(("）", "，", "。", "；")) for line in lines)
    missing = runner.invoke(app, ["explain"])
    assert missing.exit_code == 2 and "错误：缺少选项 '--year' / '-y'。" in missing.output


def test_check_reports_and_exits_1(tmp_path):
    bad = tmp_path / "h.csv"
    bad.write_text("year,region_code,group,headcount\n2018,610402,pension_recipients,x\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--headcounts", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: [人数] 人数 'x' 应为不小于 0 的整数" in result.output


def test_explain_shows_groups_rate_months_shares_and_clauses():
    result = runner.invoke(app, ["explain", "--year", "2018", "--region", "610402", "--subsidy", "pension_contribution"])
    assert result.exit_code == 0, result.output
    out = result.output
    for text in ["− ", "poor_pension_contributors_contiguous", "50 元/人·年", "12 个月",
                 "陕人社发〔2017〕60号 二（一）", "咸人社发〔2017〕303号 二", "省级50%，市县50%", "市级25%，县级75%",
                 "= 省级50%，市级12.5%，县级37.5%"]:
        assert text in out, text


def test_explain_unknown_subsidy_and_out_of_force():
    result = runner.invoke(app, ["explain", "-y", "2018", "-r", "610402", "-s", "nothing"])
    assert result.exit_code == 1 and "--subsidy 'nothing'：没有这个项目，可用的项目：城乡居民养老保险农村困难群体代缴保费" \
        "（pension_contribution）" in result.output
    result = runner.invoke(app, ["explain", "-y", "2021", "-r", "610402", "-s", "supplementary_medical"])
    assert result.exit_code == 1 and result.output == "“建档立卡农村贫困人口补充医疗保障”2021年未执行\n"


def test_every_command_has_help():
    for command in ["plan", "check", "explain"]:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "--policy" in result.output


def test_no_workbook_writes_the_csv_the_assumptions_and_the_manifest_only(tmp_path):
    result = runner.invoke(app, ["plan", "--year", "2018", "--out", str(tmp_path / "a"), "--no-pdf", "--no-workbook"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["SHA256SUMS", "allocations.csv", "assumptions.txt", "inputs",
                                                                   "plan.json"]
    full = runner.invoke(app, ["plan", "--year", "2018", "--out", str(tmp_path / "b"), "--no-pdf"])
    assert full.exit_code == 0, full.output
    assert (tmp_path / "b" / "budget-2018.xlsx").exists()
    for name in ("allocations.csv", "assumptions.txt", "plan.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_planning_without_documents_or_workbooks_imports_no_document_library():
    import subprocess
    import sys

    code = ("import sys; from budget.cli import app; from typer.testing import CliRunner; "
            "r = CliRunner().invoke(app, ['plan', '--year', '2018', '--out', sys.argv[1], '--no-pdf', '--no-workbook']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('weasyprint', 'jinja2', 'openpyxl', 'xlsxwriter') if m in sys.modules))")
    import tempfile
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_help_is_chinese_first_and_h_means_help_everywhere():
    top = runner.invoke(app, ["-h"])
    assert top.exit_code == 0 and "社会保险扶贫补助资金测算、下达与清算" in top.output
    for command in ("plan", "report", "settle", "check", "explain", "template", "verify", "roster"):
        result = runner.invoke(app, [command, "-h"])
        assert result.exit_code == 0, (command, result.output)
        options = result.output.split("选项:")[-1] + result.output.split("参数:")[-1]
        assert "<list[" not in options and "<path>" not in options  # options read as words, not types
        assert re.search(r"[\u4e00-\u9fff]", result.output.split("选项")[0]), command  # Chinese first
    assert "--number" in runner.invoke(app, ["settle", "-h"]).output  # settle takes the notice settings too


def test_explain_takes_chinese_names(tmp_path):
    result = runner.invoke(app, ["explain", "-y", "2018", "-r", "秦都区", "-s", "建档立卡农村贫困人口补充医疗保障"])
    assert result.exit_code == 0, result.output
    assert "610402 秦都区" in result.output
    ambiguous = runner.invoke(app, ["explain", "-y", "2018", "-r", "秦都区", "-s", "代缴保费"])
    assert ambiguous.exit_code == 1 and "不止一个项目" in ambiguous.output


def test_explain_says_why_a_line_is_missing(tmp_path):
    """Each reason named, not one vague sentence (a clerk's review of issue 14)."""
    unknown = runner.invoke(app, ["explain", "-y", "2018", "-r", "999999", "-s", "补充医疗保障"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("找不到县（市、区）“999999”：本测算的县（市、区）为 秦都区（610402）")
    excluded = runner.invoke(app, ["explain", "-y", "2018", "-r", "杨陵区", "-s", "补充医疗保障"])
    assert excluded.output.startswith("杨陵区（610403）按政策设置不纳入测算：")
    path = tmp_path / "h.csv"
    path.write_text("".join(line for line in open(EXAMPLE, encoding="utf-8") if "610428" not in line), "utf-8")
    absent = runner.invoke(app, ["explain", "-y", "2018", "-r", "长武县", "-s", "补充医疗保障", "-H", str(path)])
    assert absent.output.strip() == "长武县（610428）在人数文件 h.csv 中没有 2018 年的人数，不纳入本次测算"
    checked = runner.invoke(app, ["check", "-H", str(path)])
    assert "12 个县（市、区）（另 1 个未填报，不纳入测算）" in checked.output
    ambiguous = runner.invoke(app, ["explain", "-y", "2018", "-r", "秦都区", "-s", "代缴保费"])
    assert "不止一个项目，可用的项目：城乡居民养老保险农村困难群体代缴保费（pension_contribution）；重度残疾人城乡居民养老保险" \
           "代缴保费（pension_contribution_disabled）\n" in ambiguous.output
    rates = runner.invoke(app, ["explain", "-y", "2018", "-r", "秦都区", "-s", "城乡居民医保个人缴费资助"])
    assert "标准（城乡居民医保参保特困人员）：220 元/人·年" in rates.output and "标准（medical" not in rates.output


def test_lang_anywhere_and_help_in_english(tmp_path):
    """The console script takes --lang where the clerk puts it, and prints help in that language."""
    import subprocess
    import sys

    def budget(*args):
        return subprocess.run([sys.executable, "-m", "budget.cli", *args], capture_output=True, text=True)

    after = budget("check", "--lang", "en")
    assert after.returncode == 0 and after.stdout.startswith("OK: 2 policy file(s)")
    top = budget("--lang", "en", "-h")
    assert top.stdout.startswith("Usage: ") and "Options:" in top.stdout and "用法" not in top.stdout
    assert budget("-h").stdout.startswith("用法：") and "选项：" in budget("-h").stdout
    wrong = subprocess.run([sys.executable, "-m", "budget.cli", "check"], capture_output=True, text=True,
                           env={**__import__("os").environ, "BUDGET_LANG": "fr"})
    assert wrong.returncode == 2 and "BUDGET_LANG=fr：只能是 zh 或 en" in wrong.stderr


def test_template_out_must_be_an_xlsx_in_a_folder_that_exists(tmp_path):
    csv_name = runner.invoke(app, ["template", "-y", "2018", "-o", str(tmp_path / "t.csv")])
    assert csv_name.exit_code == 2 and "--out 应是一个 .xlsx 文件（文件名以 .xlsx 结尾），t.csv 不是" in csv_name.output
    nowhere = runner.invoke(app, ["template", "-y", "2018", "-o", str(tmp_path / "no" / "t.xlsx")])
    assert nowhere.exit_code == 2 and f"--out 所在的文件夹 {tmp_path / 'no'} 不存在" in nowhere.output
    assert not list(tmp_path.iterdir())


def test_a_full_width_advance_rate_is_read(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "--no-pdf", "--no-workbook", "-a", "９０％", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert '"advance_rate": "90%"' in (tmp_path / "o" / "plan.json").read_text("utf-8").replace(": ", ": ")


def test_paths_the_system_refuses_are_said_not_crashed(tmp_path):
    """A name too long, a file where a folder should be, a plan folder that does not exist, a folder
    the system will not write: each said in Chinese, naming what the clerk gave (no temporary names)."""
    import subprocess
    import sys

    def budget(*args):
        return subprocess.run([sys.executable, "-m", "budget.cli", *args], capture_output=True, text=True)

    long_name = tmp_path / ("a" * 260 + ".xlsx")
    result = budget("template", "-y", "2018", "-o", str(long_name))
    assert result.returncode == 1 and result.stderr.strip() == f"无法访问 {long_name}：文件名太长"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", "utf-8")
    result = budget("template", "-y", "2018", "-o", str(a_file / "t.xlsx"))
    assert result.returncode == 2 and result.stderr.strip() == f"--out 所在的 {a_file} 是文件，不是文件夹"
    result = budget("report", "--from", str(tmp_path / "nowhere"))
    assert f"{tmp_path / 'nowhere'}: 测算文件夹不存在" in result.stderr
    result = budget("plan", "-y", "2018", "--no-pdf", "-o", "/proc/budget-out")
    assert result.returncode == 1 and "无法写出到 /proc/budget-out：" in result.stderr
    assert ".tmp" not in result.stderr and "budget-lock" not in result.stderr


def test_a_subsidy_named_short_and_a_finer_unit_with_the_example_settings(tmp_path):
    """explain takes a subsidy shortened as the template says it (医保缴费资助); --allocation-unit 分 with
    the shipped example settings shows the documents in 元 rather than refusing their 万元."""
    short = runner.invoke(app, ["explain", "-y", "2018", "-r", "秦都区", "-s", "医保缴费资助"])
    assert short.exit_code == 0 and short.output.startswith("城乡居民医保个人缴费资助（medical_contribution_subsidy）")
    result = runner.invoke(app, ["plan", "-y", "2018", "--allocation-unit", "分", "-o", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    import pdfplumber

    with pdfplumber.open(tmp_path / "p" / "notice-2018-征求意见稿.pdf") as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "单位：人、元" in text and "万元" not in text.split("附件")[-1]


def test_help_in_each_language_alone():
    """--lang en: every option's help and every command's summary in English (the table covers them
    all); Chinese help carries no English glosses."""
    import typer.main

    from budget.cli_help_en import COMMANDS_EN, HELP_EN
    from budget.cli_text import GLOSS, english_help

    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    assert set(commands) == set(COMMANDS_EN)
    helps = {p.help for c in [group, *commands.values()] for p in c.params if getattr(p, "help", None)}
    missing = [h for h in helps if GLOSS.sub("", h).strip() not in HELP_EN]
    assert missing == []
    assert english_help("预算年度（可重复）。默认：人数文件中的每一年。(budget year, repeatable)  [default: all]") == \
        "Budget year (repeatable). Default: every year in the headcount file.  [default: all]"
    english = runner.invoke(app, ["--lang", "en", "plan", "-h"], terminal_width=100).output
    assert "Budget year (repeatable)." in english and "预算年度" not in english and "测算：" not in english
    chinese = runner.invoke(app, ["plan", "-h"], terminal_width=100).output
    assert "预算年度（可重复）。默认：人数文件中的每一年。\n" in chinese and "(budget year" not in chinese
    assert "Plan: every payer" not in chinese


@pytest.mark.parametrize("args", [["plan", "--help"], ["--lang", "en", "settle", "-h"], ["--help"], ["nosuch"],
                                  ["check", "--headcounts", "missing.csv"], ["plan", "--year", "19"]])
def test_the_console_builds_only_the_command_it_runs_and_says_the_same(args, tmp_path, monkeypatch):
    """main() gives typer only the command named (its options are built from its signature at
    every start): it prints the same and exits the same as with the whole app."""
    import subprocess
    import sys

    from budget.cli import _app_for

    named = [a for a in args if not a.startswith("-") and a not in ("en", "19", "missing.csv")]
    if named and named[0] != "nosuch":
        assert [c.callback.__name__ for c in _app_for(args).registered_commands] == [named[0]]
    monkeypatch.chdir(tmp_path)
    run = "import sys; from budget import cli; sys.argv[0] = 'budget'; {whole}cli.main()"
    one, whole = (subprocess.run([sys.executable, "-c", run.format(whole=w), *args], capture_output=True, text=True)
                  for w in ("", "cli._app_for = lambda args: cli.app; "))
    assert (one.returncode, one.stdout, one.stderr) == (whole.returncode, whole.stdout, whole.stderr)
    assert one.stdout or one.stderr


@pytest.mark.parametrize("args, code, last", [
    (["plan", "--no-pdf", "--no-workbook", "-y", "2018"], 0, "已写出到"),
    (["plan", "--no-pdf", "-y", "1800"], 2, "年度须在"),
    (["plan", "--no-pdf", "-H", "missing.csv"], 1, "不存在"),
])
def test_the_console_script_ends_with_its_output_whole_and_its_exit_code(tmp_path, args, code, last):
    """It ends the process itself (console._leave, not the interpreter's teardown): the exit
    code, every line written, and what runs at exit (the temporary folders) as before."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import sys; from budget.console import main; "
                           "sys.argv[0] = 'budget'; main()", *args, "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == code, done.stderr
    said = (done.stdout if code == 0 else done.stderr).strip().splitlines()
    assert last in said[-1] if code == 0 else any(last in line for line in said), said[-3:]
    assert sorted(p.name for p in tmp_path.iterdir()) == (["out"] if code == 0 else [])


def test_the_console_script_with_its_output_closed(tmp_path):
    """Started by a scheduler with standard output closed: the run ends well, without a traceback."""
    import subprocess
    import sys

    done = subprocess.run(["sh", "-c", f'"{sys.executable}" -c "import sys; from budget.console import main; '
                           f"sys.argv[0] = 'budget'; main()\" plan --no-pdf --no-workbook -y 2018 -o out >&-"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "out" / "allocations.csv").exists()
