"""Output jobs shared among forked children: the same files in the same order, and a child that
fails is never trusted — its jobs are made again in this process."""

import os
import threading

import pytest

from budget.writers import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is for systems that have it")


def where(name: str):
    """A job naming the process that made it."""
    return lambda: {name: str(os.getpid()).encode()}


def test_jobs_run_in_children_and_come_back_in_order(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "3")
    made = parallel.run_jobs([where(f"f{i}") for i in range(7)])
    assert [list(m) for m in made] == [[f"f{i}"] for i in range(7)]
    pids = {m[f"f{i}"].decode() for i, m in enumerate(made)}
    assert str(os.getpid()) in pids and len(pids) == 3  # this process and two children
    assert made[0]["f0"] == made[3]["f3"] == str(os.getpid()).encode()  # shares taken round-robin


def test_one_worker_runs_everything_here(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "1")
    made = parallel.run_jobs([where("a"), where("b")])
    assert made == [{"a": str(os.getpid()).encode()}, {"b": str(os.getpid()).encode()}]


def test_a_child_that_dies_has_its_jobs_made_here(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    me = os.getpid()

    def dies_in_a_child():
        if os.getpid() != me:
            os._exit(3)
        return {"b": b"made here"}

    assert parallel.run_jobs([where("a"), dies_in_a_child]) == [{"a": str(me).encode()}, {"b": b"made here"}]


def test_an_error_in_a_child_is_raised_here(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    calls = []

    def fails():
        calls.append(os.getpid())  # seen only by the process that ran it
        raise ValueError("bad settings")

    with pytest.raises(ValueError, match="bad settings"):
        parallel.run_jobs([where("a"), fails])
    assert calls == [os.getpid()]  # made again here, where it raised


def test_an_error_here_leaves_no_child_behind(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")

    def fails():
        raise RuntimeError("here")

    big = lambda: {"big": b"x" * 1_000_000}  # noqa: E731 — more than a pipe holds: the child waits to write
    with pytest.raises(RuntimeError):
        parallel.run_jobs([fails, big])
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped: no child left


def test_a_process_with_threads_is_not_forked(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "4")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        made = parallel.run_jobs([where("a"), where("b")])
    finally:
        stop.set()
        thread.join()
    assert made == [{"a": str(os.getpid()).encode()}, {"b": str(os.getpid()).encode()}]


def test_no_jobs(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    assert parallel.run_jobs([]) == []
    assert parallel.start_jobs([], here=1.0).result() == []


def test_the_longest_jobs_go_where_there_is_least_to_do(monkeypatch):
    """Weights share the jobs out: with this process busy meanwhile (``here``), the heavy job
    goes to a child and the light ones stay here."""
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "2")
    running = parallel.start_jobs([where("light"), where("heavy"), where("light2")], [1.0, 3.0, 1.0], here=1.0)
    try:
        made = running.result()
    finally:
        running.close()
    me = str(os.getpid()).encode()
    assert made[0]["light"] == made[2]["light2"] == me and made[1]["heavy"] != me


def test_an_error_while_a_failed_childs_jobs_are_made_again_leaves_no_other_child(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, "3")
    me = os.getpid()

    def dies_there_fails_here():
        if os.getpid() != me:
            os._exit(3)
        raise ValueError("bad here too")

    big = lambda: {"big": b"x" * 1_000_000}  # noqa: E731 — more than a pipe holds: that child waits to write
    with pytest.raises(ValueError, match="bad here too"):
        parallel.run_jobs([where("a"), dies_there_fails_here, big])
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child reaped


@pytest.mark.parametrize("given", ["²", "0", "-1", "abc", ""])
def test_a_workers_setting_that_is_not_a_count_is_the_cores(monkeypatch, given):
    monkeypatch.setenv(parallel.WORKERS_VARIABLE, given)
    assert parallel.workers() == len(os.sched_getaffinity(0))
