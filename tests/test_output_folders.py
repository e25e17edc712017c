"""Output folders under faults (issue 12, items 2–4 and the symlink of item 10), as real processes:
a locked file, a kill during the swap, two runs at once, files of an earlier run, foreign files.
The old folder is either left whole or replaced whole; nothing is left beside it."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_headcounts

from budget.writers.atomic import DELAY_VARIABLE, FALLBACK_VARIABLE, RECORD

COMMAND = [sys.executable, "-m", "budget.cli"]


def budget(*args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(COMMAND + [str(a) for a in args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, **kw)


def start(*args, env=None) -> subprocess.Popen:
    return subprocess.Popen(COMMAND + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(folder: Path) -> list[str]:
    """What lies next to ``folder`` besides it: temporary folders, locks."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name != folder.name and p.name.startswith("."))


def wait_for(condition, process, seconds=120):
    end = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def plan(out, *years, extra=()):
    result = budget("plan", *[a for y in years for a in ("-y", y)], "--no-pdf", "-o", out, *extra)
    assert result.returncode == 0, result.stderr
    return snapshot(out)


@pytest.fixture
def chattr():
    locked = []

    def lock(path):
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here (needs root and ext4 or similar)")
        locked.append(path)
    yield lock
    for path in locked:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_a_locked_file_leaves_the_whole_old_folder(tmp_path, chattr):
    out = tmp_path / "out"
    before = plan(out, 2018, 2019)
    chattr(out / "budget-2019.xlsx")
    result = budget("plan", "-y", "2019", "--no-pdf", "-o", out)
    assert result.returncode == 1
    assert f"{out / 'budget-2019.xlsx'}: 正被其他程序占用（或只读），请关闭后重试\n" in result.stderr
    assert "Traceback" not in result.stderr and ".tmp" not in result.stderr
    assert snapshot(out) == before and beside(out) == []


def test_a_locked_folder_leaves_it_whole(tmp_path, chattr):
    out = tmp_path / "out"
    before = plan(out, 2018)
    chattr(out)
    result = budget("plan", "-y", "2019", "--no-pdf", "-o", out)
    assert result.returncode == 1 and f"{out}: 正被其他程序占用" in result.stderr, result.stderr
    assert snapshot(out) == before and beside(out) == []


def test_a_kill_just_before_the_swap_leaves_the_old_folder(tmp_path):
    out = tmp_path / "out"
    before = plan(out, 2018)
    run = start("plan", "-y", "2019", "--no-pdf", "-o", out, env={DELAY_VARIABLE: "60"})
    wait_for(lambda: list(tmp_path.glob(f".out.budget-new-*/{RECORD}")), run)  # written whole, about to swap
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert snapshot(out) == before
    after = plan(out, 2019)  # the next run clears what the killed one left
    assert beside(out) == [] and after["plan.json"] != before["plan.json"]


def test_a_kill_between_the_two_renames_is_undone_by_the_next_run(tmp_path):
    """Where one rename cannot swap two folders: the old one waits beside, whole, and the next
    run — even one that fails — puts it back."""
    out = tmp_path / "out"
    before = plan(out, 2018)
    run = start("plan", "-y", "2019", "--no-pdf", "-o", out, env={DELAY_VARIABLE: "3", FALLBACK_VARIABLE: "1"})
    wait_for(lambda: list(tmp_path.glob(".out.budget-old-*")) and not out.exists(), run)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert not out.exists() and snapshot(next(tmp_path.glob(".out.budget-old-*"))) == before
    bad = write_headcounts(tmp_path / "bad.csv", {"pension_recipients": -1})
    failed = budget("plan", "-y", "2018", "-H", bad, "--no-pdf", "-o", out)
    assert failed.returncode == 1
    assert snapshot(out) == before and beside(out) == []


def test_the_two_renames_replace_the_folder(tmp_path):
    out = tmp_path / "out"
    plan(out, 2018)
    result = budget("plan", "-y", "2019", "--no-pdf", "-o", out, env={FALLBACK_VARIABLE: "1"})
    assert result.returncode == 0, result.stderr
    assert "budget-2019.xlsx" in snapshot(out) and "budget-2018.xlsx" not in snapshot(out)
    assert beside(out) == []


def test_terminated_during_the_swap_leaves_nothing_behind(tmp_path):
    out = tmp_path / "out"
    before = plan(out, 2018)
    run = start("plan", "-y", "2019", "--no-pdf", "-o", out, env={DELAY_VARIABLE: "60"})
    wait_for(lambda: list(tmp_path.glob(f".out.budget-new-*/{RECORD}")), run)
    run.send_signal(signal.SIGTERM)
    run.wait(timeout=60)
    assert run.returncode != 0
    assert snapshot(out) == before and beside(out) == []


def test_two_runs_into_one_folder_at_once(tmp_path):
    out = tmp_path / "out"
    first = start("plan", "-y", "2018", "--no-pdf", "-o", out, env={DELAY_VARIABLE: "5"})
    wait_for(lambda: list(tmp_path.glob(".out.budget-new-*")), first)
    second = budget("plan", "-y", "2019", "--no-pdf", "-o", out)
    assert second.returncode == 1
    assert "另一个 budget 正在向此文件夹写出，请等它结束后重试" in second.stderr
    first.wait(timeout=120)
    assert first.returncode == 0
    assert "budget-2018.xlsx" in snapshot(out) and "budget-2019.xlsx" not in snapshot(out)
    assert beside(out) == []


def test_a_folder_holds_exactly_the_last_runs_outputs(tmp_path):
    out = tmp_path / "S"
    first = plan(out, extra=("--advance-rate", "90%"))
    assert {"advances.csv", "budget-2018.xlsx", "budget-2021.xlsx"} <= set(first)
    second = plan(out, 2019)
    assert sorted(n for n in second if "/" not in n) == ["SHA256SUMS", "allocations.csv", "assumptions.txt",
                                                         "budget-2019.xlsx", "indicators-2019.csv",
                                                         "indicators-2019.xlsx", "plan.json"]
    lines = second[RECORD].decode().splitlines()
    assert lines[0].startswith("# CSV 文件：")  # a note on the CSV files, which sha256sum -c skips
    listed = {line.split("  ")[1] for line in lines[1:]}
    assert listed == set(second) - {RECORD}
    check = subprocess.run(["sha256sum", "-c", RECORD], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("make, message", [
    (lambda out: (out / "my-notes.txt").write_text("mine", "utf-8"), "不是 budget 写出的文件，budget 不会删除它"),
    (lambda out: (out / "allocations.csv").write_text("edited", "utf-8"), "在 budget 写出后被修改过，budget 不会删除它"),
    (lambda out: (out / "budget-2018.xlsx").unlink() or (out / "budget-2018.xlsx").mkdir(),
     "是 budget 没有写出的文件夹，budget 不会删除它"),
    (lambda out: (out / "allocations.csv").unlink() or (out / "allocations.csv").symlink_to("/etc/passwd"),
     "是符号链接，不是 budget 写出的文件"),
])
def test_files_budget_did_not_write_are_never_deleted(tmp_path, make, message):
    out = tmp_path / "out"
    plan(out, 2018)
    make(out)
    before = snapshot(out)
    result = budget("plan", "-y", "2019", "--no-pdf", "-o", out)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "internal error" not in result.stderr and "root:" not in result.stderr
    assert snapshot(out) == before and beside(out) == []


def test_a_symlink_named_allocations_csv_in_a_new_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "allocations.csv").symlink_to("/etc/passwd")
    result = budget("plan", "-y", "2019", "--no-pdf", "-o", out)
    assert result.returncode == 1, result.stderr
    assert f"{out / 'allocations.csv'}: 是符号链接" in result.stderr and "internal error" not in result.stderr
    assert os.readlink(out / "allocations.csv") == "/etc/passwd"


def test_a_folder_of_an_earlier_version_is_replaced(tmp_path):
    """Folders written before the record existed: budget's own file names are still its own."""
    out = tmp_path / "out"
    plan(out, 2018)
    (out / RECORD).unlink()
    shutil.rmtree(out / "inputs")  # an earlier version kept no copies
    (out / ".budget-2018.xlsx.abc123.tmp").write_bytes(b"left by an old version")
    assert "budget-2019.xlsx" in plan(out, 2019)


def test_template_refuses_to_overwrite_a_filled_workbook(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "填报表-2019.xlsx"
    assert budget("template", "-y", "2019", "-o", path).returncode == 0
    assert budget("template", "-y", "2019", "-o", path).returncode == 0, "an untouched template may be replaced"
    book = load_workbook(path)
    book["县区填报"]["C5"] = 1234
    book.save(path)
    filled = path.read_bytes()
    result = budget("template", "-y", "2019", "-o", path)
    assert result.returncode == 1 and "县区填报!C5 已填有人数" in result.stderr and "--force" in result.stderr
    assert path.read_bytes() == filled
    other = tmp_path / "notes.xlsx"
    other.write_text("not a workbook", "utf-8")
    assert budget("template", "-y", "2019", "-o", other).returncode == 1 and other.read_text("utf-8") == "not a workbook"
    assert budget("template", "-y", "2019", "-o", path, "--force").returncode == 0
    assert path.read_bytes() != filled and sorted(p.name for p in tmp_path.iterdir()) == ["notes.xlsx", path.name]


def test_template_over_a_locked_file(tmp_path, chattr):
    path = tmp_path / "t.xlsx"
    assert budget("template", "-y", "2019", "-o", path).returncode == 0
    chattr(path)
    result = budget("template", "-y", "2019", "-o", path, "--force")
    assert result.returncode == 1 and "t.xlsx: 正被其他程序占用（或只读），请关闭后重试" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]
