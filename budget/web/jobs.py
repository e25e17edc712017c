"""Jobs of the web page: one private temporary folder each, removed after a set time.

A job's files have fixed names chosen here (``headcounts.csv``, ``plan/``, …); the name a
clerk's browser sent is kept only to be shown, never used to build a path.
"""

from __future__ import annotations

import atexit
import functools
import io
import os
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class Limits:
    """What one server accepts: upload size and rows, jobs at once, how long files are kept."""

    max_upload_bytes: int = 5 * 1024 * 1024
    max_rows: int = 100_000
    max_unzipped_bytes: int = 50 * 1024 * 1024  # an XLSX upload, unpacked (a zip bomb is refused)
    busy: int = 4  # plans or settlements computed at once; more wait up to ``wait`` seconds, then 503
    wait: float = 30.0
    pdf_workers: int = 1  # PDF rendering: a pool of this many threads
    max_jobs: int = 200  # live jobs; beyond, the oldest are removed first
    keep_seconds: int = 2 * 3600


class TooLarge(Exception):
    """An upload over a limit: answered with 413 and a message saying which."""


class Busy(Exception):
    """Too many jobs computing at once: answered with 503."""


@dataclass
class Download:
    stored: str  # the file's name in the job's folder (chosen by the program)
    shown: str  # the name the browser saves it under
    label: str


@dataclass
class Job:
    id: str
    folder: Path
    created: float
    kind: str = "plan"
    uploaded: dict[str, str] = field(default_factory=dict)  # stored path → the name the clerk's file had
    form: dict[str, str] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)  # what the preview shows
    downloads: dict[str, Download] = field(default_factory=dict)  # key in the URL → file
    pdf_state: str = "none"  # none, running, done, failed
    pdf_started: float = 0.0
    pdf_error: str = ""
    zip_name: str = ""
    parent: str | None = None  # a settlement: the plan's job
    settlements: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        return self.folder / name


class JobStore:
    def __init__(self, limits: Limits, root: Path | None = None):
        self.limits = limits
        self.root = Path(tempfile.mkdtemp(prefix="budget-web-", dir=root))  # 0700: this user's only
        # Uploaded headcounts and the outputs are the bureau's data: the folder goes when the
        # server stops (close(), from the app's lifespan) and, should that never run (a store
        # never closed, an interpreter ending otherwise), when the interpreter exits.
        self._remove_root = functools.partial(shutil.rmtree, self.root, ignore_errors=True)
        atexit.register(self._remove_root)
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.busy = threading.BoundedSemaphore(limits.busy)
        self.pool = ThreadPoolExecutor(max_workers=limits.pdf_workers, thread_name_prefix="budget-pdf")
        self.queue: list[str] = []  # jobs whose PDFs wait or render, in order

    def new(self, kind: str, parent: str | None = None) -> Job:
        self.sweep()
        with self.lock:
            while len(self.jobs) >= self.limits.max_jobs:
                oldest = min(self.jobs.values(), key=lambda j: j.created)
                self._remove(oldest)
            job_id = secrets.token_urlsafe(16)  # unguessable: one clerk cannot open another's job
            folder = Path(tempfile.mkdtemp(prefix="job-", dir=self.root))
            job = Job(job_id, folder, time.time(), kind, parent=parent)
            self.jobs[job_id] = job
            return job

    def ahead(self, job: Job) -> int:
        """How many jobs' PDFs are rendered before this one's (0: its own are rendering)."""
        with self.lock:
            return max(0, self.queue.index(job.id) - self.limits.pdf_workers + 1) if job.id in self.queue else 0

    def get(self, job_id: str) -> Job | None:
        self.sweep()
        return self.jobs.get(job_id)

    def drop(self, job: Job) -> None:
        with self.lock:
            self._remove(job)

    def sweep(self) -> None:
        """Remove every job older than the set time, with its folder."""
        cutoff = time.time() - self.limits.keep_seconds
        with self.lock:
            for job in [j for j in self.jobs.values() if j.created < cutoff]:
                self._remove(job)

    def _remove(self, job: Job) -> None:
        self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every job's folder. PDFs waiting to render are cancelled; one rendering is
        waited for, as it would write its files into its job's folder again."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        with self.lock:
            self.jobs.clear()
        self._remove_root()
        atexit.unregister(self._remove_root)

    def computing(self):
        """A slot to compute in (at most ``busy`` at once), or :class:`Busy`."""
        store = self

        class Slot:
            def __enter__(self) -> None:
                if not store.busy.acquire(timeout=store.limits.wait):
                    raise Busy()

            def __exit__(self, *exc: object) -> None:
                store.busy.release()

        return Slot()

    def render_later(self, job: Job, work: Callable[[], None]) -> Future:
        """Render a job's PDFs in the pool; the job page shows progress until done."""
        job.pdf_state = "running"
        job.pdf_started = time.time()
        with self.lock:
            self.queue.append(job.id)

        def run() -> None:
            try:
                work()
                job.pdf_state = "done"
            except Exception as exc:  # noqa: BLE001 — shown on the job page, not lost in a thread
                job.pdf_error = str(exc) or type(exc).__name__
                job.pdf_state = "failed"
            finally:
                with self.lock:
                    self.queue.remove(job.id)

        return self.pool.submit(run)


def save_upload(data: bytes, folder: Path, stem: str, limits: Limits) -> Path:
    """Keep an upload under a name made here: ``stem.xlsx`` for a workbook (by its content), else
    ``stem.csv``; refuse it (:class:`TooLarge`) over the row limit or when it unpacks too big."""
    if len(data) > limits.max_upload_bytes:
        raise TooLarge(f"文件超过 {limits.max_upload_bytes // (1024 * 1024)} MB 的上限")
    if data.startswith(b"PK"):
        _check_workbook(data, limits)
        path = folder / f"{stem}.xlsx"
    else:
        lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        if lines > limits.max_rows + 1:
            raise TooLarge(f"文件有 {lines} 行，超过 {limits.max_rows} 行的上限")
        path = folder / f"{stem}.csv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path


def _check_workbook(data: bytes, limits: Limits) -> None:
    """Counted, not parsed: the sizes the zip declares and the rows of its sheets."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            entries = book.infolist()
            if len(entries) > 1000 or sum(e.file_size for e in entries) > limits.max_unzipped_bytes:
                raise TooLarge("工作簿解压后过大")
            rows = 0
            for entry in entries:
                if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                    with book.open(entry) as sheet:
                        tail = b""
                        while chunk := sheet.read(1 << 16):
                            rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
                            tail = chunk[-5:]
            if rows > limits.max_rows + 10:
                raise TooLarge(f"工作簿有 {rows} 行，超过 {limits.max_rows} 行的上限")
    except (zipfile.BadZipFile, OSError, EOFError):
        return  # not a readable workbook: the reader says so, with the file's name


def zip_bytes(files: list[tuple[str, Path]]) -> bytes:
    """The files under their program names, with a fixed date: the same files give the same zip."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as out:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.flag_bits |= 0x800  # UTF-8 names
            out.writestr(info, path.read_bytes())
    return stream.getvalue()
