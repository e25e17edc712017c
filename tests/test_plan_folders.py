"""A plan folder is self-contained and its plan.json is untrusted (issue 12, item 6): it keeps
verified copies of every input, settles after the originals are gone, and never reads (or
quotes) a file outside itself, whatever plan.json says."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, write_headcounts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()
CONFIGS = ROOT / "budget" / "configs"
SECRET = "root:x:0:0:secret-line-that-must-never-be-printed"


@pytest.fixture(scope="module")
def moved_plan(tmp_path_factory):
    """A plan made from inputs in src/, moved elsewhere, src/ deleted."""
    tmp = tmp_path_factory.mktemp("moved")
    src = tmp / "src"
    shutil.copytree(CONFIGS, src, ignore=shutil.ignore_patterns("examples"))
    shutil.copy(EXAMPLE, src / "forecast.csv")
    result = runner.invoke(app, ["plan", "-y", "2018", "-p", str(src / "xianyang-2017-303.yaml"), "-H",
                                 str(src / "forecast.csv"), "-d", str(src / "documents" / "xianyang-2018.yaml"),
                                 "--advance-rate", "90%", "-o", str(tmp / "plan")])
    assert result.exit_code == 0, result.output
    shutil.move(tmp / "plan", tmp / "archive")
    shutil.rmtree(src)
    return tmp / "archive"


def test_plan_json_names_copies_inside_the_folder(moved_plan):
    manifest = json.loads((moved_plan / "plan.json").read_text("utf-8"))
    assert manifest["format"] == 2 and manifest["headcounts"] == "inputs/headcounts/forecast.csv"
    assert set(manifest["sha256"]) == {"inputs/policy/shaanxi-2017-60.yaml", "inputs/policy/xianyang-2017-303.yaml",
                                       "inputs/policy/regions/shaanxi.yaml", "inputs/headcounts/forecast.csv",
                                       "inputs/documents/xianyang-2018.yaml"}
    for rel, digest in manifest["sha256"].items():
        assert hashlib.sha256((moved_plan / rel).read_bytes()).hexdigest() == digest
    assert str(moved_plan.parent) not in (moved_plan / "plan.json").read_text("utf-8")


def test_a_moved_plan_renders_and_settles_without_its_originals(moved_plan, tmp_path):
    result = runner.invoke(app, ["report", "--from", str(moved_plan), "--out", str(tmp_path / "pdf")])
    assert result.exit_code == 0, result.output
    for name in ("notice-2018-征求意见稿.pdf", "explanation-2018.pdf"):  # the same documents as when planned
        assert (tmp_path / "pdf" / name).read_bytes() == (moved_plan / name).read_bytes()
    actual = write_headcounts(tmp_path / "actual.csv", {"pension_recipients": 10})
    settled = runner.invoke(app, ["settle", "-y", "2018", "--planned", str(moved_plan), "--actual", actual,
                                  "-o", str(tmp_path / "s"), "--no-pdf"])
    assert settled.exit_code == 0, settled.output
    assert len((tmp_path / "s" / "settlement.csv").read_text("utf-8-sig").splitlines()) > 1


def test_report_into_the_plan_folder_keeps_the_plan(moved_plan, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(moved_plan, plan)
    before = {p.relative_to(plan).as_posix() for p in plan.rglob("*")}
    result = runner.invoke(app, ["report", "--from", str(plan), "--number", "咸财社〔2018〕9号"])
    assert result.exit_code == 0, result.output
    assert {p.relative_to(plan).as_posix() for p in plan.rglob("*")} == before
    assert runner.invoke(app, ["report", "--from", str(plan)]).exit_code == 0


def hostile(moved_plan: Path, tmp_path: Path, change) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(moved_plan, plan)
    (tmp_path / "secret.txt").write_text(SECRET + "\n", "utf-8")
    manifest = json.loads((plan / "plan.json").read_text("utf-8"))
    change(plan, manifest)
    (plan / "plan.json").write_text(json.dumps(manifest), "utf-8")
    return plan


def digest_of(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _outside(plan, m, path):
    m["headcounts"] = path
    m["sha256"][path] = digest_of(plan.parent / "secret.txt")


def _link(plan, m):
    link = plan / "inputs" / "headcounts" / "forecast.csv"
    link.unlink()
    link.symlink_to(plan.parent / "secret.txt")
    m["sha256"]["inputs/headcounts/forecast.csv"] = digest_of(plan.parent / "secret.txt")


def _extends(plan, m):
    city = plan / "inputs" / "policy" / "xianyang-2017-303.yaml"
    city.write_text(city.read_text("utf-8").replace("extends: shaanxi-2017-60.yaml", "extends: ../../../secret.txt"),
                    "utf-8")
    m["sha256"]["inputs/policy/xianyang-2017-303.yaml"] = digest_of(city)


@pytest.mark.parametrize("change, message", [
    (lambda plan, m: _outside(plan, m, "/etc/passwd"), "sha256 must map paths under inputs/"),
    (lambda plan, m: _outside(plan, m, str(plan.parent / "secret.txt")), "sha256 must map paths under inputs/"),
    (lambda plan, m: _outside(plan, m, "inputs/../../secret.txt"), "sha256 must map paths under inputs/"),
    (lambda plan, m: _outside(plan, m, "inputs\\..\\..\\secret.txt"), "sha256 must map paths under inputs/"),
    (_link, "缺失，或不是测算文件夹中的普通文件"),
    (_extends, "引用了测算文件夹 inputs/ 以外的文件，不予读取（测算文件夹保存其全部输入的副本）"),
    (lambda plan, m: m.pop("format"), "made by an earlier budget"),
    (lambda plan, m: m.update(documents="/etc/passwd"), "documents must name a file of sha256"),
])
@pytest.mark.parametrize("command", ["report", "settle"])
def test_an_untrusted_plan_json_reads_nothing_outside_the_folder(moved_plan, tmp_path, change, message, command):
    plan = hostile(moved_plan, tmp_path, change)
    if command == "report":
        result = runner.invoke(app, ["report", "--from", str(plan), "--out", str(tmp_path / "out")])
    else:
        actual = write_headcounts(tmp_path / "actual.csv", {})
        result = runner.invoke(app, ["settle", "-y", "2018", "--planned", str(plan), "--actual", actual,
                                     "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "secret-line" not in result.output and "root:x" not in result.output and "internal error" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_changed_copy_is_refused(moved_plan, tmp_path):
    plan = hostile(moved_plan, tmp_path, lambda plan, m: None)
    with open(plan / "inputs" / "policy" / "regions" / "shaanxi.yaml", "a", encoding="utf-8") as handle:
        handle.write("# edited\n")
    result = runner.invoke(app, ["report", "--from", str(plan), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "inputs/policy/regions/shaanxi.yaml: 在测算之后被修改（SHA-256 与 plan.json 不符）：请重新运行 budget plan" \
        in result.output


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
                           | st.sampled_from(["/etc/passwd", "inputs/../../secret.txt", "inputs/x", "../x", "inputs",
                                              "inputs/policy/xianyang-2017-303.yaml", "90%", "-1%", "1e400", "万元",
                                              "inputs/headcounts/forecast.csv", "\x00", "C:\\x", "0" * 64])
                           | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children,
                                                                                             max_size=4),
                           max_leaves=8)
KEYS = ["format", "program", "years", "unit", "documents", "advance_rate", "policy", "headcounts", "factors", "sha256"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(KEYS + ["sha256.*", "other"]), JSON_VALUES), min_size=1, max_size=3),
       st.booleans())
def test_fuzzed_plan_folders(moved_plan, tmp_path_factory, changes, drop):
    tmp = tmp_path_factory.mktemp("fuzz")

    def change(plan, manifest):
        for key, value in changes:
            if key == "sha256.*" and manifest.get("sha256") and isinstance(manifest["sha256"], dict):
                manifest["sha256"][next(iter(manifest["sha256"]))] = value
            elif drop:
                manifest.pop(key, None)
            else:
                manifest[key] = value

    plan = hostile(moved_plan, tmp, change)
    result = runner.invoke(app, ["report", "--from", str(plan), "--out", str(tmp / "out"), "--number", "x"])
    assert result.exit_code in (0, 1), result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "secret-line" not in result.output and "Traceback" not in result.output


# --- the copies of the inputs are written by a child while the plan is computed ---------------

def _record_checks(folder: Path) -> None:
    import subprocess

    check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    listed = {line.split("  ")[1] for line in (folder / "SHA256SUMS").read_text("utf-8").splitlines()
              if not line.startswith("#")}
    assert {"inputs/headcounts/xianyang-headcounts-synthetic.csv", "inputs/policy/xianyang-2017-303.yaml"} <= listed


def test_the_copies_are_started_once_the_policy_is_read_before_the_headcounts_are_checked(monkeypatch):
    # (creating a country's ~335 files waits on the disk: started as early as the files are known)
    from budget import plan as planning
    from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

    seen = []
    real, check = planning.compute_plan, planning.check_headcounts
    monkeypatch.setattr(planning, "compute_plan", lambda *a, **k: seen.append("computed") or real(*a, **k))
    monkeypatch.setattr(planning, "check_headcounts", lambda *a, **k: seen.append("checked") or check(*a, **k))
    result, _ = planning.run_plan([str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018],
                                  loaded=lambda policy, files: seen.append(sorted({f.role for f in files})))
    assert seen == [["headcounts", "policy"], "checked", "computed"]
    assert sorted({f.role for f in result.files}) == ["headcounts", "policy"]


def test_copies_started_for_headcounts_that_then_fail_their_check_leave_nothing(tmp_path):
    import subprocess
    import sys

    counts = tmp_path / "counts.csv"
    counts.write_text("year,region_code,group,headcount\n2018,610402,pension_recipients,-5\n", "utf-8")
    done = subprocess.run([sys.executable, "-c", "from budget.console import main; main()", "plan", "--no-pdf",
                           "--year", "2018", "--headcounts", str(counts), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "应为不小于 0 的整数" in done.stderr and "未写出任何文件" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv"]  # no output folder, no copies beside it


def test_copies_a_child_failed_to_make_are_made_here(tmp_path, monkeypatch):
    import os

    from budget import outputs
    from budget.plan import run_plan
    from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

    here = os.getpid()
    real = outputs._copy_inputs

    def dies_in_a_child(*args):
        if os.getpid() != here:
            os._exit(3)  # killed, say, half way: nothing it wrote is trusted
        return real(*args)

    monkeypatch.setattr(outputs, "_copy_inputs", dies_in_a_child)
    result, _ = run_plan([str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018])
    outputs.write_plan_outputs(result, tmp_path / "out", workbooks=False)
    _record_checks(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_an_input_changed_before_it_is_copied_is_said_and_nothing_written(tmp_path):
    from budget import outputs
    from budget.core.problems import InputError
    from budget.plan import run_plan
    from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

    counts = tmp_path / "counts.csv"
    shutil.copy(EXAMPLE_HEADCOUNTS, counts)
    result, _ = run_plan([str(EXAMPLE_POLICY)], str(counts), [2018])
    counts.write_text(counts.read_text("utf-8") + "\n", "utf-8")  # changed after it was read
    with pytest.raises(InputError, match="在运行中被修改"):
        outputs.write_plan_outputs(result, tmp_path / "out", workbooks=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counts.csv"]


def test_copies_started_for_other_inputs_are_not_the_folders(tmp_path):
    """Copies begun for another layout (no document settings) are made again for the plan's own."""
    from budget import outputs
    from budget.plan import run_plan
    from budget.resources import EXAMPLE_DOCUMENTS, EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

    out = tmp_path / "out"
    result, _ = run_plan([str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018])
    early = outputs.InputCopies(result.policy, result.files, None, out)
    try:
        outputs.write_plan_outputs(result, out, settings_path=str(EXAMPLE_DOCUMENTS), workbooks=False, copies=early)
    finally:
        early.close()
    manifest = json.loads((out / "plan.json").read_text("utf-8"))
    assert manifest["documents"] and (out / manifest["documents"]).is_file()
    _record_checks(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
