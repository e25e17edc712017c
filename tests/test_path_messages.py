"""A path of the wrong kind is said as such, Chinese first, before anything is read or written
(issue 14, item 4): a folder given for a file, a file given for an output folder; commands that
write nothing never say that nothing was written; help shows no Python types."""

import pytest
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()


def test_a_folder_given_as_the_headcount_file(tmp_path):
    result = runner.invoke(app, ["check", "--headcounts", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"--headcounts 应是一个 CSV 或 XLSX 文件，{tmp_path} 是一个文件夹\n"
    english = runner.invoke(app, ["--lang", "en", "check", "--headcounts", str(tmp_path)])
    assert english.output == f"--headcounts must be a CSV or XLSX file; {tmp_path} is a folder\n"


def test_every_wrong_path_is_named_at_once(tmp_path):
    result = runner.invoke(app, ["check", "-H", str(tmp_path), "-p", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"--headcounts 应是一个 CSV 或 XLSX 文件，{tmp_path} 是一个文件夹",
        f"--policy 应是一个 YAML 文件，{tmp_path} 是一个文件夹"]


@pytest.mark.parametrize("command", [
    ["plan", "--no-pdf"], ["settle", "-y", "2018", "--planned", "p", "--actual", "a.csv"],
    ["roster", "--lists", "r.yaml", "-y", "2018"], ["forecast", "--history", "h.csv", "--years", "2020"],
    ["compare", "--scenario", "s.yaml"], ["report"]])
def test_a_file_given_as_the_output_folder(tmp_path, command):
    out = tmp_path / "somefile.xlsx"
    out.write_bytes(b"a clerk's workbook")
    result = runner.invoke(app, [*command, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output == f"--out 应是一个文件夹，{out} 是一个文件\n"
    assert out.read_bytes() == b"a clerk's workbook"


def test_an_output_folder_inside_a_file(tmp_path):
    parent = tmp_path / "somefile.xlsx"
    parent.write_bytes(b"x")
    result = runner.invoke(app, ["plan", "--no-pdf", "--out", str(parent / "plan")])
    assert result.exit_code == 2
    assert result.output == f"--out 应是一个文件夹，{parent} 是一个文件，不能在其中建文件夹\n"


def test_a_folder_given_as_the_template_file(tmp_path):
    result = runner.invoke(app, ["template", "-y", "2018", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"--out 应是一个 .xlsx 文件，{tmp_path} 是一个文件夹\n"


def test_settle_and_verify_name_their_input_folders(tmp_path):
    result = runner.invoke(app, ["settle", "-y", "2018", "--planned", "p", "--actual", str(tmp_path),
                                 "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert result.output.startswith(f"--actual 应是一个 CSV 或 XLSX 文件，{tmp_path} 是一个文件夹")
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"案例文件 应是一个 YAML 文件，{tmp_path} 是一个文件夹")
    assert not (tmp_path / "s").exists()


def test_explain_and_check_do_not_say_nothing_was_written(tmp_path):
    missing = tmp_path / "missing.csv"
    for command in (["explain", "-y", "2018", "-r", "610402", "-s", "代缴保费"], ["check"]):
        result = runner.invoke(app, [*command, "--headcounts", str(missing)])
        assert result.exit_code == 1
        assert result.output.splitlines()[-1] == "发现 1 个问题。"
        assert "written" not in result.output and "写出" not in result.output


def test_verify_help_shows_no_python_type():
    result = runner.invoke(app, ["verify", "--help"])
    assert result.exit_code == 0
    assert "list[" not in result.output and "Path" not in result.output and "<" not in result.output
    assert "verify [OPTIONS] {案例文件}" in result.output
    assert "  案例文件  政策案例文件（YAML，可给多个）：测算、清算和因素法案例。  [必填]" in result.output


def test_plan_says_a_missing_headcounts_file_with_its_other_problems(tmp_path):
    # (the input copies start as soon as the policy is read: a headcounts file that cannot be read
    # is still said as a problem of the headcounts, not as a failure of the copies)
    missing = tmp_path / "missing.csv"
    result = runner.invoke(app, ["plan", "--no-pdf", "--headcounts", str(missing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [f"{missing}: 人数文件不存在", "发现 1 个问题，未写出任何文件。"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []
