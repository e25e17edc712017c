"""`budget plan --no-pdf` has its policy files read by a process forked as it starts (budget/prefetch.py):
the policy is handed over only when it was read from exactly the files, scenario and language the
command asks for, without a problem; else the command reads them itself. Either way: the same
outputs, the same messages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import XIANYANG

from budget import prefetch
from budget.resources import EXAMPLE_POLICY

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="read ahead only where processes fork")


@pytest.fixture(autouse=True)
def two_workers(monkeypatch):
    monkeypatch.setenv("BUDGET_WORKERS", "2")
    yield
    prefetch._stop()


def test_the_files_named_on_the_command_line():
    args = ["plan", "--year", "2018", "--policy", "a.yaml", "-p", "b.yaml", "--policy=c.yaml", "-pd.yaml",
            "--scenario", "s.yaml", "--title", "x"]
    assert prefetch._named_files(args) == (["a.yaml", "b.yaml", "c.yaml", "d.yaml"], "s.yaml")
    assert prefetch._named_files(["plan", "--no-pdf"]) == ([], None)


def test_handed_over_for_the_files_it_read():
    prefetch.start(["plan", "--no-pdf", "--policy", "./" + os.path.relpath(XIANYANG)])
    policy = prefetch.take([os.path.relpath(XIANYANG)], None, None)  # as typer gives it: "./" dropped
    assert policy is not None and os.path.relpath(XIANYANG) in policy.files


def test_a_reading_kept_from_an_earlier_run_is_handed_over_as_read(tmp_path, monkeypatch):
    from budget import policy_cache
    from budget.readers.policy_reader import read_policy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    sent_as_kept = []
    real = policy_cache.unpickled
    monkeypatch.setattr(policy_cache, "unpickled", lambda data: sent_as_kept.append(len(data)) or real(data))
    for _ in range(2):  # the first reads the files and keeps the reading; the second sends it on as kept
        prefetch.start(["plan", "--no-pdf", "--policy", XIANYANG])
        policy = prefetch.take([XIANYANG], None, None)
        assert policy is not None
        fresh = read_policy([XIANYANG])[0]
        assert policy == fresh and policy.contents == fresh.contents
    assert list((tmp_path / "cache" / "budget" / "policies").glob("*.pickle"))
    assert len(sent_as_kept) == 1  # the second: the kept pickle, unpickled once, here


@pytest.mark.parametrize("paths, scenario, within", [
    ([str(EXAMPLE_POLICY), str(EXAMPLE_POLICY)], None, None),  # other files
    ([str(EXAMPLE_POLICY)], "scenario.yaml", None),  # a scenario it did not read
    ([str(EXAMPLE_POLICY)], None, "inputs"),  # reading restricted to a folder
])
def test_not_handed_over_for_other_files(paths, scenario, within):
    prefetch.start(["plan", "--no-pdf"])
    assert prefetch.take(paths, scenario, within) is None


def test_not_handed_over_in_another_language(monkeypatch):
    from budget.core.language import use_language

    monkeypatch.setenv("BUDGET_LANG", "zh")
    prefetch.start(["plan", "--no-pdf"])
    use_language("en")
    try:
        assert prefetch.take([str(EXAMPLE_POLICY)], None, None) is None
    finally:
        use_language("zh")


def test_files_with_problems_are_read_and_said_by_the_command(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(XIANYANG).read_text("utf-8").replace("subsidies:", "subsidies: [", 1), "utf-8")
    said = []
    for workers in ("2", "1"):  # read ahead, and not
        done = subprocess.run([sys.executable, "-c", "import sys; from budget.console import main; "
                               "sys.argv[0] = 'budget'; main()", "plan", "--no-pdf", "-y", "2018", "-p", str(bad),
                               "-o", str(tmp_path / "out")], capture_output=True, text=True,
                              env={**os.environ, "BUDGET_WORKERS": workers})
        said.append((done.returncode, done.stdout, done.stderr))
    assert said[0] == said[1] and said[0][0] == 1 and "bad.yaml" in said[0][2]


def test_the_same_outputs_read_ahead_or_not(tmp_path):
    folders = []
    for workers in ("2", "1"):
        out = tmp_path / f"out-{workers}"
        done = subprocess.run([sys.executable, "-c", "import sys; from budget.console import main; "
                               "sys.argv[0] = 'budget'; main()", "plan", "--no-pdf", "-y", "2018", "-o", str(out)],
                              capture_output=True, text=True, env={**os.environ, "BUDGET_WORKERS": workers})
        assert done.returncode == 0, done.stderr
        folders.append((done.stdout.replace(str(out), "OUT"),
                        {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}))
    assert folders[0] == folders[1]


def test_a_policy_read_from_a_pipe_is_left_to_the_command(tmp_path):
    fifo = tmp_path / "policy.yaml"
    os.mkfifo(fifo)
    prefetch.start(["plan", "--no-pdf", "-p", str(fifo)])  # must not open it: it can be read once
    assert prefetch.take([str(fifo)], None, None) is None
