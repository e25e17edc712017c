"""The documents' rendering process: forked before the documents are written (by ``budget plan``
as soon as it starts), it imports WeasyPrint (~0.5 s) while the caller reads, computes and
writes the HTML, then renders each document in a child of its own (one per core). This module
imports nothing heavy, so the process can be forked before the CLI is imported."""

from __future__ import annotations

import atexit
import contextlib
import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from ..core.language import said
from ..core.problems import InputError, Problem
from .children import as_helper

if TYPE_CHECKING:
    from .pdf import Job, Rendered


def _renderer(connection: Any, callers: Any, caller: int) -> None:
    """The rendering process, forked before the documents are written: it imports WeasyPrint
    (~0.5 s) while the caller makes the HTML, then forks one child per document and core."""
    as_helper(caller)
    callers.close()  # the caller's end, inherited: else the caller closing it would not end recv() here
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
    try:
        jobs = connection.recv()
    except EOFError:  # the caller gave up before the documents were written
        return
    try:
        if failed is not None:
            raise failed
        from .pdf import _render_one, _render_yielding  # (after WeasyPrint: its import is the long one)

        with ProcessPoolExecutor(min(len(jobs), os.cpu_count() or 1), mp_context=multiprocessing.get_context("fork"),
                                 initializer=_rendering_child, initargs=(connection, os.getpid())) as pool:
            # the longest (the notice) first; the others yield the processor to it while the caller
            # still writes the workbook: it is the one the caller waits for
            futures = [pool.submit(_render_one if i == 0 else _render_yielding, job) for i, job in enumerate(jobs)]
            answer: tuple[bool, Any] = (True, [future.result() for future in futures])
    except Exception as exc:  # noqa: BLE001 — raised again in the caller
        answer = (False, exc)
    with contextlib.suppress(OSError):  # the caller gave up meanwhile (stopped, or failed writing the rest)
        connection.send(answer)


def _rendering_child(connection: Any, renderer: int) -> None:
    connection.close()  # the children answer through the rendering process
    as_helper(renderer)


class Rendering:
    """Documents rendered in other processes, one per core, while the caller goes on: made
    before the HTML (WeasyPrint is imported meanwhile), given the documents with :meth:`submit`,
    waited for with :meth:`result` (the workbook is written meanwhile). Where there is no fork
    (Windows) or one core, the documents are rendered here, when the result is asked for."""

    def __init__(self) -> None:
        self._jobs: list[Job] = []
        self._process: Any = None
        self._connection: Any = None
        self._received = False
        self._process_exitcode: int | None = None
        if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        # fork: the process starts with everything imported but WeasyPrint (and no Pango state)
        self._process = context.Process(target=_renderer, args=(theirs, self._connection, os.getpid()),
                                        name="budget-pdf")
        self._process.start()
        theirs.close()

    def submit(self, jobs: list[Job]) -> None:
        self._jobs = jobs
        if self._process is not None:
            try:
                self._connection.send(jobs)
            except OSError:  # it ended already (killed): said when the result is asked for
                pass

    def result(self) -> list[Rendered]:
        if self._process is None:
            from .pdf import _render_one

            return [_render_one(job) for job in self._jobs]
        try:
            ok, value = self._connection.recv()
            self._received = True
        except (EOFError, OSError):
            self.close()
            raise InputError([Problem(None, said("生成 PDF 的进程意外结束（退出码 {code}，可能内存不足或被终止）；请重试",
                                                 "the process rendering the PDFs ended without them (exit code "
                                                 "{code}: out of memory, or stopped?); run again",
                                                 code=self._process_exitcode))]) from None
        finally:
            self.close()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """No more waiting for the documents (the caller failed meanwhile): the process ends once
        it sees that (at once when it has no documents yet; after them when it has)."""
        if self._process is not None:
            self._connection.close()
            if not self._received:  # given up: its documents are not wanted (its children die with it)
                self._process.terminate()
            self._process.join()
            self._process_exitcode = self._process.exitcode
            self._process = None


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
