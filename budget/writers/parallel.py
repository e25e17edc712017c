"""Independent output jobs run side by side on the machine's cores.

A plan's workbooks and indicator files are made from the same finished result and do not
depend on each other, nor do its documents (rendered by the rendering process,
writers/rendering.py, in the same way); each takes a core's worth of Python. Where the system
can fork (Linux) and has a second core, the jobs are shared among forked children, which
inherit the result without copying it and send back only what they made (pickled, through a
pipe); this process makes its own share meanwhile. A child that fails for any reason is not
trusted: its jobs are made again here, so an error is raised as it would be without children. Elsewhere the jobs run one
after another. Either way the files are the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from typing import Callable, Generic, TypeVar

from .children import WORKERS_VARIABLE as WORKERS_VARIABLE  # (the knob of these jobs too)
from .children import as_helper, workers

T = TypeVar("T")
Job = Callable[[], T]  # what a job makes (a plan's files: dict[str, bytes])


def run_jobs(jobs: list[Job[T]], single: bool = False) -> list[T]:
    """Each job's files, in the order of ``jobs``; ``single``: all in this process (the other
    cores are busy already)."""
    running = start_jobs(jobs, single=single)
    try:
        return running.result()
    finally:
        running.close()


def start_jobs(jobs: list[Job[T]], weights: list[float] | None = None, here: float = 0.0,
               single: bool = False) -> Running[T]:
    """Start the jobs: the shares of other processes now, this process's share when
    :meth:`Running.result` is called (the caller does other work in between). ``weights``: how
    long each job takes, roughly (the longest are shared out first, each to the process with the
    least to do); ``here``: the weight of what the caller does meanwhile."""
    # a process with other threads (the web server) is not forked: a lock another thread held
    # at that moment would stay held in the child
    alone = hasattr(os, "fork") and threading.active_count() == 1 and not single
    count = max(1, min(workers(), len(jobs) + (1 if here else 0))) if alone else 1  # (the caller's work: a share)
    weights = weights or [1.0] * len(jobs)
    shares: list[list[int]] = [[] for _ in range(count)]
    loads = [here] + [0.0] * (count - 1)
    for i in sorted(range(len(jobs)), key=lambda i: -weights[i]):
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += weights[i]
    children = [(share, *_fork([jobs[i] for i in share])) for share in shares[1:] if share]
    return Running(jobs, sorted(shares[0]), children)


class Running(Generic[T]):
    """Jobs started by :func:`start_jobs`."""

    def __init__(self, jobs: list[Job[T]], mine: list[int], children: list[tuple[list[int], int, int]]):
        self.jobs, self.mine, self.children = jobs, mine, children

    def result(self) -> list[T]:
        """What each job made, in the order of the jobs (this process's share made now)."""
        results: dict[int, T] = {}
        for i in self.mine:
            results[i] = self.jobs[i]()
        while self.children:  # one at a time: those not yet collected when an error comes are close()'s
            share, pid, reader = self.children.pop(0)
            made = _collect(pid, reader)
            for i, files in zip(share, made if made is not None else [self.jobs[i]() for i in share]):
                results[i] = files
        return [results[i] for i in range(len(self.jobs))]

    def close(self) -> None:
        """Children not collected (the caller gave up: an error, Ctrl-C) are stopped at once."""
        children, self.children = self.children, []
        for _, pid, reader in children:
            os.close(reader)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)


def _fork(jobs: list[Job[T]]) -> tuple[int, int]:
    reader, writer = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: make the files, send them, leave without running the parent's exit code
        status = 1
        try:
            as_helper(parent)
            os.close(reader)
            with os.fdopen(writer, "wb") as out:
                pickle.dump([job() for job in jobs], out, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        except BaseException:  # noqa: BLE001 — the parent makes these files again and says what is wrong
            pass
        finally:
            os._exit(status)
    os.close(writer)
    return pid, reader


def _collect(pid: int, reader: int) -> list | None:
    """What the child sent, or None when it did not finish well."""
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        made = pickle.loads(data)
    except Exception:  # noqa: BLE001 — a torn message: made again here
        return None
    return made if isinstance(made, list) else None
