"""A plan's policy kept between runs, and read again only when a file it came from changed.

Reading a country's 335 policy files takes ~0.17 s, a third of ``budget plan --no-pdf
--no-workbook``, and a bureau plans again and again from the same policy files (the headcounts
are what change). What the reader made (core.policy.Policy, with the bytes of each file it
read) is kept pickled in the user's cache folder (writers/user_cache.py), under the files as
named, the folder they were named from, the scenario, the language and this program's code.

It is taken only when every file the reading opened — or passed over as one already read — is
now at the same real place with the same bytes (SHA-256); else the files are read as usual and
the new reading kept. Only a reading without problems is kept, so problems are always found,
and said, anew. A kept reading that cannot be read back (damaged, from another Python) or that
belongs to another user is passed over: the cache costs time, never a different result.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal, overload

from .core.policy import Policy
from .readers.policy_reader import read_policy

KEPT = 16  # readings kept (the newest): a bureau's few policy sets, not every one ever read
FORMAT = 2  # of a kept reading: pickle((format, key, files)) and then pickle(policy)

Files = list[tuple[str, str, str | None]]  # (path as named, its real path, SHA-256 of its bytes; None: passed over)


@overload
def read_policy_kept(paths: list[str], scenario: str | None = None, pickled: Literal[False] = False) -> Policy: ...


@overload
def read_policy_kept(paths: list[str], scenario: str | None, pickled: Literal[True]) -> Policy | bytes: ...


def read_policy_kept(paths: list[str], scenario: str | None = None, pickled: bool = False) -> Policy | bytes:
    """:func:`read_policy` of ``paths`` and ``scenario``, taken from the cache when no file
    changed since it was kept (raises :class:`InputError` as read_policy does). ``pickled``: a
    kept reading is given as its pickle (a process that sends it on need not unpickle it and
    pickle it again)."""
    from .core.language import language

    named = paths + ([scenario] if scenario else [])
    place = os.getcwd() if any(not os.path.isabs(p) for p in named) else ""
    key = hashlib.sha256(repr((FORMAT, _code(), sys.version, language(), place, paths, scenario)).encode()).hexdigest()
    entry = _entry(key)
    data = _kept(entry, key) if entry is not None else None
    if data is not None and pickled:
        return data
    if data is not None:
        policy = unpickled(data)
        if policy is not None:
            return policy
    opened: list[tuple[str, bytes | None]] = []
    policy, _ = read_policy(paths, scenario, opened=opened)
    if entry is not None:
        _keep(entry, key, opened, policy)
    return policy


def unpickled(data: bytes) -> Policy | None:
    """The policy a kept reading's pickle holds (None if it holds none: damaged)."""
    try:
        policy = pickle.loads(data)
    except Exception:  # noqa: BLE001 — a damaged file: read anew
        return None
    return policy if isinstance(policy, Policy) else None


@lru_cache(maxsize=1)
def _code() -> tuple[tuple[str, int, int], ...]:
    """This program's code as installed: each module's name, size and time (any change to it,
    an upgrade included, makes earlier readings unusable)."""
    package = Path(__file__).resolve().parent
    found = []
    for path in sorted(package.rglob("*.py")):
        module = path.stat()
        found.append((str(path.relative_to(package)), module.st_size, module.st_mtime_ns))
    return tuple(found)


def _entry(key: str) -> Path | None:
    from .writers.user_cache import cache_folder

    folder = cache_folder("policies")
    return folder / f"{key[:32]}.pickle" if folder is not None else None


def _kept(entry: Path, key: str) -> bytes | None:
    """The pickled policy of ``entry`` if it was kept under ``key`` from files unchanged since."""
    from .writers.user_cache import read_kept

    data = read_kept(entry)  # (None: another user's, never unpickled; or a pipe, never waited on)
    if data is None:
        return None
    handle = io.BytesIO(data)
    try:
        form, kept_key, files = pickle.load(handle)
    except Exception:  # noqa: BLE001 — damaged, or another Python's: read anew
        return None
    if form != FORMAT or kept_key != key or not _unchanged(files):
        return None
    return handle.read()


def _unchanged(files: Files) -> bool:
    for path, real, digest in files:
        if os.path.realpath(path) != real:
            return False
        if digest is not None and _digest(path) != digest:
            return False
    return True


def _digest(path: str) -> str | None:
    """The SHA-256 of a regular file's bytes; None for anything else (a pipe is never read here:
    what it holds is the command's to read) or a file that cannot be read."""
    from .writers.user_cache import read_kept

    data = read_kept(path, only_mine=False)
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _keep(entry: Path, key: str, opened: list[tuple[str, bytes | None]], policy: Policy) -> None:
    from .writers.user_cache import keep

    if not all(os.path.isfile(path) for path, _ in opened):  # read from a pipe, say: never the same again
        return
    files: Files = [(path, os.path.realpath(path), hashlib.sha256(data).hexdigest() if data is not None else None)
                    for path, data in opened]
    keep(entry, pickle.dumps((FORMAT, key, files), protocol=pickle.HIGHEST_PROTOCOL)
         + pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL), "*.pickle", KEPT)
