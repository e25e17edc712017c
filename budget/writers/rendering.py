"""The documents' rendering process: forked before the documents are written (by ``budget plan``
as soon as it starts), it imports WeasyPrint (~0.3 s) while the caller reads, computes and
writes the HTML, then renders the documents, sharing them with forked children of its own, one
per core (writers/parallel.py). This module imports next to nothing before the fork (not even
multiprocessing, nor the problems a failure is said with): forking costs the caller nothing,
and the process starts on WeasyPrint at once.

The caller sends the documents once, through a pipe, and closes it; the process sends back
(True, [Rendered, …]) or (False, the exception) through another, and ends.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .pdf import Job, Rendered

# how long each document takes, roughly: the first (a notice) is the longest; the rest are shared
# among the children and yield the processor to it
FIRST_WEIGHT, OTHER_WEIGHT = 2.0, 1.0
PIPE_SIZE = 1 << 20  # a city's documents (~0.1 MB) sent without waiting for the process to read them


def _renderer(jobs_in: int, answer_out: int, caller: int) -> None:
    """The rendering process, forked before the documents are written: it imports WeasyPrint
    while the caller makes the HTML, then renders the documents it is sent."""
    from .children import as_helper

    as_helper(caller)
    import contextlib
    import pickle
    from functools import partial

    failed = None
    try:
        from .weasyprint_import import import_weasyprint

        import_weasyprint()  # once, here: every child starts with it imported
    except Exception as exc:  # noqa: BLE001 — no Pango, say: raised in the caller, as when rendering there
        failed = exc
    # the children inherit every object made so far and free none of them: frozen, their cyclic
    # collector does not go through them again and again; and it runs every 10,000 new objects,
    # not 700: a layout makes boxes by the hundred thousand and keeps most until the end (the
    # same memory, a third of the collector's time)
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    with os.fdopen(jobs_in, "rb") as pipe:
        sent = pipe.read()
    if not sent:  # the caller gave up before the documents were written
        return
    try:
        if failed is not None:
            raise failed
        from .parallel import start_jobs
        from .pdf import render_job, render_job_yielding

        jobs: list[Job] = pickle.loads(sent)
        running = start_jobs([partial(render_job if i == 0 else render_job_yielding, job) for i, job in enumerate(jobs)],
                             [FIRST_WEIGHT] + [OTHER_WEIGHT] * (len(jobs) - 1))
        try:
            answer: tuple[bool, Any] = (True, running.result())
        finally:
            running.close()
    except Exception as exc:  # noqa: BLE001 — raised again in the caller
        answer = (False, exc)
    with contextlib.suppress(OSError), os.fdopen(answer_out, "wb") as out:  # (the caller may have given up)
        pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)


class Rendering:
    """Documents rendered in another process (and its children, one per core) while the caller
    goes on: made before the HTML (WeasyPrint is imported meanwhile), given the documents with
    :meth:`submit`, waited for with :meth:`result` (the workbook is written meanwhile). Where
    there is no fork (Windows), one core (or BUDGET_WORKERS=1), or other threads (a lock one of
    them held would stay held in the child), the documents are rendered here, when the result
    is asked for."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self.pid: int | None = None
        self.exitcode: int | None = None  # once ended: as multiprocessing says it (-9: killed by SIGKILL)
        self._send = self._answer = -1
        from .children import workers

        threading = sys.modules.get("threading")  # (never imported: no other thread)
        if workers() < 2 or not hasattr(os, "fork") or (threading and threading.active_count() > 1):
            return
        jobs_in, self._send = os.pipe()
        self._answer, answer_out = os.pipe()
        try:  # (Linux only; else the caller waits for it to read)
            import fcntl

            fcntl.fcntl(self._send, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        except (OSError, AttributeError, ImportError):
            pass
        caller = os.getpid()
        pid = os.fork()
        if pid == 0:  # the rendering process: never returns into the caller's code
            status = 1
            try:
                os.close(self._send)
                os.close(self._answer)
                _renderer(jobs_in, answer_out, caller)
                status = 0
            finally:
                os._exit(status)
        self.pid = pid
        os.close(jobs_in)
        os.close(answer_out)

    def submit(self, jobs: list[Job]) -> None:
        import pickle

        self._jobs = jobs
        if self.pid is not None:
            try:
                with os.fdopen(self._send, "wb") as pipe:
                    pickle.dump(jobs, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:  # it ended already (killed): said when the result is asked for
                pass
            self._send = -1

    def result(self) -> list[Rendered]:
        import pickle

        from ..core.language import said
        from ..core.problems import InputError, Problem

        if self.pid is None:
            from .pdf import render_job

            return [render_job(job) for job in self._jobs]
        try:
            with os.fdopen(self._answer, "rb") as pipe:
                self._answer = -1
                sent = pipe.read()
            ok, value = pickle.loads(sent)
        except Exception:  # noqa: BLE001 — it ended without answering (killed, out of memory): a torn answer
            self._wait()
            raise InputError([Problem(None, said("生成 PDF 的进程意外结束（退出码 {code}，可能内存不足或被终止）；请重试",
                                                 "the process rendering the PDFs ended without them (exit code "
                                                 "{code}: out of memory, or stopped?); run again",
                                                 code=self.exitcode))]) from None
        self._wait()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """No more waiting for the documents (the caller failed meanwhile): the process is
        stopped at once (its children die with it)."""
        if self.pid is not None:
            import signal

            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self._wait()

    def _wait(self) -> None:
        for end in (self._send, self._answer):
            if end >= 0:
                os.close(end)
        self._send = self._answer = -1
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)
            self.pid = None


_early: Rendering | None = None


def start_early() -> None:
    """Start the rendering process now, for the command about to be read (``budget plan``); the
    command takes it with :func:`take_early`, else it is stopped when this process ends."""
    global _early
    if _early is None:
        _early = Rendering()
        atexit.register(_close_early)


def take_early() -> Rendering | None:
    """The rendering process :func:`start_early` started, if any (once)."""
    global _early
    taken, _early = _early, None
    return taken


def _close_early() -> None:
    if _early is not None:
        _early.close()
