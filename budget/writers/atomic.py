"""Output folders are replaced whole or not at all, and hold exactly one run's outputs.

A run writes its files into a new hidden sibling folder (``.out.budget-new-…``); only when
every file is written does one rename swap it with the old folder (Linux: ``renameat2``
``RENAME_EXCHANGE``; elsewhere two renames, the old folder kept as ``.out.budget-old-…`` until
the new one is in place). So a failure, a locked file or a kill leaves the old folder as it
was, never half old and half new. The next run into the same folder removes what a killed run
left beside it (and puts the old folder back if a kill came between the two renames).

``SHA256SUMS`` in the folder lists every file the run wrote (``sha256sum -c SHA256SUMS``
checks them). budget replaces a folder only if it holds nothing else: a file it did not
write, a file changed since, or a symbolic link is never deleted — the run is refused with
the file named. A lock file beside the folder (``.out.budget-lock``) makes a second run into
the same folder fail at once with a clear message instead of both "succeeding".
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from ..core.language import Said, both
from ..core.problems import InputError, Problem, Source

RECORD = "SHA256SUMS"
# what budget wrote before folders had a record (plan.json of format 1): still its own
LEGACY = re.compile(r"^(allocations\.csv|advances\.csv|assumptions\.txt|plan\.json|settlement\.csv|transfers\.csv|"
                    r"(budget|notice|explanation|settlement|settlement-notice)-\d{4}\.(xlsx|pdf)|"
                    r"notice-\d{4}-征求意见稿\.pdf|indicators-\d{4}\.(csv|xlsx)|\..+\.tmp)$")
# tests only: seconds to sleep just before the swap (and between the two renames), so a test can
# kill the process there; and a switch to use the two renames where RENAME_EXCHANGE exists
DELAY_VARIABLE = "BUDGET_TEST_SWAP_DELAY"
FALLBACK_VARIABLE = "BUDGET_TEST_SWAP_FALLBACK"


def _held_message(what: Path) -> Said:
    return both(f"正被其他程序占用（或只读），请关闭后重试 / {what.name} is open in another program (or read-only); "
                "close it and run again")


# --- the lock ------------------------------------------------------------------------------

_held: dict[str, int] = {}  # lock files this process holds → depth (the CLI and the writer both lock)


def _lock_path(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.budget-lock"


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


@contextmanager
def folder_lock(folder: str | Path) -> Iterator[None]:
    """Hold ``folder`` for this run; a second run into it fails at once, naming it. What a
    killed run left beside the folder is cleared first (a failed run clears it too)."""
    folder = _real(folder)
    path = _lock_path(folder)
    key = str(path)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    made = [p for p in [folder.parent, *folder.parent.parents] if not p.exists()]  # removed again if left empty
    folder.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        if not _try_lock(fd):
            os.close(fd)
            raise InputError([Problem(Source(str(folder)), both("另一个 budget 正在向此文件夹写出，请等它结束后重试 / another "
                                      "budget run is writing to this folder; wait for it to end and run again"))])
        try:  # the previous holder may have removed the file after we opened it: lock the new one
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    _held[key] = 1
    try:
        _recover(folder)
        yield
    finally:
        del _held[key]
        if sys.platform != "win32":  # removed while still locked, so no one locks a stale file
            path.unlink(missing_ok=True)
        os.close(fd)
        for parent in made:  # a failed run leaves no empty folders behind
            try:
                parent.rmdir()
            except OSError:
                break


def _real(folder: str | Path) -> Path:
    """The folder itself (an ``--out`` that is a link to a folder: the folder it names)."""
    return Path(os.path.realpath(os.path.abspath(folder)))


# --- what a folder holds --------------------------------------------------------------------

def _digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return _read_digest(handle)


def _read_digest(handle: BinaryIO) -> str:
    sha = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        sha.update(block)
    return sha.hexdigest()


def _record(folder: Path) -> dict[str, str] | None:
    """name → SHA-256 of what budget wrote into ``folder``, or None without a record."""
    try:
        text = (folder / RECORD).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    listed: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# "):  # a note (sha256sum -c skips it): what the files are
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            return None
        listed[name] = digest
    return listed


def _entries(folder: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to ``folder`` with /, path) of everything inside, links not followed."""
    for top, dirs, files in os.walk(folder):
        for entry in sorted(dirs) + sorted(files):
            path = Path(top) / entry
            yield path.relative_to(folder).as_posix(), path


def _replaceable(folder: Path) -> tuple[list[Problem], dict[str, Path]]:
    """Problems that forbid replacing ``folder``, and budget's own files in it."""
    if not folder.exists():
        return [], {}
    if not folder.is_dir():
        return [Problem(Source(str(folder)), both(f"不是文件夹，无法写出 / cannot write to {folder}: it is a "
                                                  "file, not a folder"))], {}
    listed = _record(folder)
    problems, own = [], {}
    held: list[Path] = []
    for name, path in _entries(folder):
        if path.is_symlink():
            problems.append(Problem(Source(str(path)), both("是符号链接，不是 budget 写出的文件 / is a symbolic link, which "
                                    "budget never writes: remove it or choose another --out folder")))
        elif path.is_dir():
            if listed is None or not any(n.startswith(name + "/") for n in listed):
                problems.append(Problem(Source(str(path)), both("是 budget 没有写出的文件夹，budget 不会删除它 / is a folder "
                                        "budget did not write, and budget never deletes one: move it away or choose "
                                        "another --out folder")))
        elif name == RECORD and listed is not None:
            own[name] = path
            if not _free(path):
                held.append(path)
        elif listed is None and LEGACY.match(name) or listed is not None and name in listed:
            digest, free = _digest_if_free(path, listed is not None)
            if not free:
                held.append(path)
            if listed is not None and digest != listed[name]:
                problems.append(Problem(Source(str(path)), both("在 budget 写出后被修改过，budget 不会删除它 / was changed "
                                        "after budget wrote it, and budget never deletes such a file: move it away "
                                        "or choose another --out folder")))
            else:
                own[name] = path
        else:
            problems.append(Problem(Source(str(path)), both("不是 budget 写出的文件，budget 不会删除它 / was not written by "
                                    "budget, which never deletes such a file: move it away or choose another --out "
                                    "folder")))
    if not problems:
        problems = [Problem(Source(str(path)), _held_message(path)) for path in held]
    return problems, own


def _digest_if_free(path: Path, digest: bool) -> tuple[str, bool]:
    """The file's SHA-256 (when ``digest``) and whether it is :func:`_free`, in one opening of it
    (a plan folder holds ~335 copies of inputs: each is checked before the folder is replaced)."""
    try:
        with open(path, "r+b") as handle:
            return (_read_digest(handle) if digest else ""), True
    except OSError:
        return (_digest(path) if digest else ""), False


def _free(path: Path) -> bool:
    """No other program holds ``path`` (Excel keeps a workbook open for writing; chattr +i,
    read-only): opened for writing and closed again, nothing written."""
    try:
        with open(path, "r+b"):
            return True
    except OSError:
        return False


# --- leftovers of a killed run ----------------------------------------------------------------

def _leftovers(folder: Path, kind: str) -> list[Path]:
    prefix = f".{folder.name}.budget-{kind}-"
    try:
        return sorted(p for p in folder.parent.iterdir() if p.name.startswith(prefix) and p.is_dir()
                      and not p.is_symlink())
    except OSError:
        return []


def _recover(folder: Path) -> None:
    """Under the lock: put back an old folder a kill left between the two renames; remove
    the rest (a half-written new folder, an old one already replaced)."""
    old = _leftovers(folder, "old")
    if old and not folder.exists():
        os.rename(old[-1], folder)
        old = old[:-1]
    for path in old + _leftovers(folder, "new"):
        shutil.rmtree(path, ignore_errors=True)


# --- the swap ---------------------------------------------------------------------------------

def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    if sys.platform != "linux" or os.environ.get(FALLBACK_VARIABLE):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without it
        return False
    raise OSError(code, os.strerror(code), str(b))


def _delay() -> None:
    seconds = os.environ.get(DELAY_VARIABLE)
    if seconds:
        time.sleep(float(seconds))


def _swap(new: Path, folder: Path) -> Path | None:
    """Put ``new`` in place of ``folder``; returns where the old folder went (to remove)."""
    _delay()
    if not folder.exists():
        os.rename(new, folder)
        return None
    if _exchange(new, folder):
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.budget-old-", dir=folder.parent))
    os.rmdir(old)
    os.rename(folder, old)
    _delay()
    try:
        os.rename(new, folder)
    except BaseException:
        os.rename(old, folder)
        raise
    return old


# --- staging a run's outputs --------------------------------------------------------------------

class Staged:
    def __init__(self, folder: Path, temp: Path):
        self.folder = folder
        self.temp = temp
        self.written: list[str] = []
        self.digests: dict[str, str] = {}  # name → SHA-256 of what was written, known without reading it back
        self.folders: list[str] = []  # the folder the last file was written in, made already

    def path(self, name: str) -> Path:
        """Where to write ``name`` (``inputs/x.csv`` makes its folder); it is ``folder/name``
        once the whole set is in place."""
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts) or name == RECORD:
            raise ValueError(f"output name {name!r} would leave the output folder")
        target = self.temp.joinpath(*parts)
        if len(parts) > 1 and parts[:-1] != self.folders:  # (a plan copies ~335 inputs into a few folders)
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders = parts[:-1]
        self.written.append(name)
        self.digests.pop(name, None)  # whatever the caller writes there is read for the record
        return target

    def recorded(self, name: str, sha256: str) -> None:
        """``name``, written into :attr:`temp` by another process, with the digest it was written with."""
        if name not in self.digests:
            _ = self.path(name)  # (checked, and its folder made already)
        self.digests[name] = sha256

    def write_text(self, name: str, text: str) -> None:
        with open(self.path(name), "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)
        self.digests[name] = hashlib.sha256(data).hexdigest()

    def copy(self, name: str, source: str | Path, sha256: str) -> None:
        """A copy of ``source``, which must still have the digest it was read with: the bytes
        written are the bytes digested (one read of each input, none of the copy)."""
        target = self.path(name)
        sha = hashlib.sha256()
        with open(source, "rb") as src, open(target, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                sha.update(block)
                out.write(block)
        if sha.hexdigest() != sha256:
            raise InputError([Problem(Source(str(source)), both("在运行中被修改，请重试 / changed while budget was running: "
                                      "run again"))])
        self.digests[name] = sha256


def _notes(folder: Path) -> list[str]:
    """The notes of the folder's record (``# …`` lines)."""
    try:
        return [line[2:] for line in (folder / RECORD).read_text("utf-8").splitlines() if line.startswith("# ")]
    except (OSError, UnicodeDecodeError):
        return []


def _finish(stage: Staged, keep: dict[str, Path], notes: Sequence[str] = ()) -> None:
    """The record of what the folder holds, after ``notes`` (``# …`` lines, which ``sha256sum -c``
    skips); earlier files to keep are copied over."""
    for name, path in keep.items():
        if name != RECORD and name not in stage.written:
            shutil.copyfile(path, stage.path(name))
    files = sorted((name, path) for name, path in _entries(stage.temp) if path.is_file())
    known = stage.digests
    (stage.temp / RECORD).write_text("".join(f"# {note}\n" for note in notes)
                                     + "".join(f"{known.get(name) or _digest(path)}  {name}\n" for name, path in files),
                                     "utf-8")


def new_folder_beside(folder: str | Path) -> Path:
    """A new hidden folder beside ``folder`` to stage files in, with the usual permissions: what a
    killed run leaves of it is cleared by the next run's :func:`folder_lock`."""
    folder = _real(folder)
    temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.budget-new-", dir=folder.parent))
    try:
        os.chmod(temp, 0o777 & ~_umask())  # mkdtemp makes 0700 folders; outputs get the usual permissions
    except OSError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return temp


@contextmanager
def staged(folder: str | Path, keep_earlier: bool = False, notes: Sequence[str] = ()) -> Iterator[Staged]:
    """Stage a run's outputs; on success they replace ``folder`` whole. ``keep_earlier``: the
    files budget wrote there before and this run does not rewrite stay (`budget report` into
    a plan's folder), and so do the record's notes unless ``notes`` are given: lines at the
    head of SHA256SUMS saying what the files are (how the CSV files are encoded)."""
    folder = _real(folder)
    with folder_lock(folder):
        problems, own = _replaceable(folder)
        if problems:
            raise InputError(problems)
        temp = new_folder_beside(folder)
        old: Path | None = None
        try:
            stage = Staged(folder, temp)
            yield stage
            kept = notes or (_notes(folder) if keep_earlier else [])
            _finish(stage, own if keep_earlier else {}, kept)
            try:
                old = _swap(temp, folder)
            except OSError as exc:
                if exc.errno in (errno.EPERM, errno.EACCES, errno.EBUSY):
                    raise InputError([Problem(Source(str(folder)), _held_message(folder))]) from None
                raise
        finally:
            shutil.rmtree(temp, ignore_errors=True)  # gone already after a swap into an absent folder
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- single files ---------------------------------------------------------------------------------

def write_bytes(target: str | Path, data: bytes) -> None:
    """Replace one file whole (a temporary file beside it, then a rename); a file another
    program holds is named, and the temporary file is removed on every way out."""
    target = Path(target)
    if target.exists() and not target.is_symlink() and target.is_file() and not _free(target):
        raise InputError([Problem(Source(str(target)), _held_message(target))])
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, 0o666 & ~_umask())
        try:
            os.replace(temp, target)
        except PermissionError:
            raise InputError([Problem(Source(str(target)), _held_message(target))]) from None
    finally:
        Path(temp).unlink(missing_ok=True)


def write_text(target: str | Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
