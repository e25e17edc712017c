"""A plan's policy kept between runs (budget/policy_cache.py): taken only while every file it was
read from is the same bytes at the same real place; read again, and kept anew, otherwise."""

import hashlib
import os
import pickle
import shutil

import pytest
from conftest import SHAANXI, XIANYANG

from budget import policy_cache
from budget.core.language import use_language
from budget.core.problems import InputError
from budget.policy_cache import read_policy_kept
from budget.readers import policy_reader


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "budget" / "policies"


@pytest.fixture
def reads(monkeypatch):
    """How often the files are read (the reader called, not the cache)."""
    count = []
    real = policy_reader.read_policy

    def counted(*args, **kwargs):
        count.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(policy_cache, "read_policy", counted)
    return count


@pytest.fixture
def files(tmp_path):
    """A copy of the shipped Shaanxi and Xianyang files (and Shaanxi's region list), to change."""
    folder = tmp_path / "policy"
    folder.mkdir()
    for path in (SHAANXI, XIANYANG):
        shutil.copy(path, folder)
    root = (folder / os.path.basename(SHAANXI)).read_text(encoding="utf-8")
    regions = [line.split("file:")[1].strip().strip("}").strip().strip('"') for line in root.splitlines()
               if "file:" in line][0]
    shutil.copy(os.path.join(os.path.dirname(SHAANXI), regions), folder / os.path.basename(regions))
    text = root.replace(regions, os.path.basename(regions))
    (folder / os.path.basename(SHAANXI)).write_text(text, encoding="utf-8")
    return [str(folder / os.path.basename(XIANYANG))], folder / os.path.basename(regions)


def same(a, b):
    """The same policy (its dataclasses' equality), read from the same bytes."""
    return a == b and a.contents == b.contents


def test_a_second_reading_of_the_same_files_is_taken_from_the_cache(cache, reads, files):
    paths, _ = files
    first = read_policy_kept(paths)
    second = read_policy_kept(paths)
    assert len(reads) == 1
    assert same(first, second)
    assert same(second, policy_reader.read_policy(paths)[0])  # what reading them gives
    assert len(list(cache.glob("*.pickle"))) == 1


def test_a_changed_file_is_read_again(cache, reads, files):
    paths, _ = files
    read_policy_kept(paths)
    path = paths[0]
    text = open(path, encoding="utf-8").read()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace("25%", "20%", 1).replace("75%", "80%", 1))
    changed = read_policy_kept(paths)
    assert len(reads) == 2
    assert same(changed, policy_reader.read_policy(paths)[0])
    assert changed.contents[path] == open(path, "rb").read()
    read_policy_kept(paths)
    assert len(reads) == 2  # the new reading kept


def test_a_changed_file_it_extends_or_its_region_list_is_read_again(cache, reads, files):
    paths, regions = files
    read_policy_kept(paths)
    root = os.path.join(os.path.dirname(paths[0]), os.path.basename(SHAANXI))
    with open(root, "a", encoding="utf-8") as handle:
        handle.write("\n# a comment\n")
    read_policy_kept(paths)
    assert len(reads) == 2
    with open(regions, "a", encoding="utf-8") as handle:
        handle.write("\n# a comment\n")
    read_policy_kept(paths)
    assert len(reads) == 3
    read_policy_kept(paths)
    assert len(reads) == 3


def test_the_same_bytes_at_another_real_place_are_read_again(cache, reads, files, tmp_path):
    paths, _ = files
    read_policy_kept(paths)
    moved = tmp_path / "elsewhere.yaml"
    os.rename(paths[0], moved)
    os.symlink(moved, paths[0])  # the same bytes, but another file (which may change on its own)
    read_policy_kept(paths)
    assert len(reads) == 2


def test_a_reading_with_problems_is_never_kept(cache, reads, files):
    paths, regions = files
    regions.write_text("regions: [\n", encoding="utf-8")  # broken YAML
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            read_policy_kept(paths)
        assert str(regions) in str(raised.value)
    assert len(reads) == 2
    assert not cache.exists() or not list(cache.glob("*.pickle"))


def test_each_language_is_kept_apart(cache, reads, files):
    # (what the reader says as it reads — its assumptions' wording — is in the language chosen)
    paths, _ = files
    try:
        use_language("en")
        read_policy_kept(paths)
        english = read_policy_kept(paths)
        assert same(english, policy_reader.read_policy(paths)[0])
        use_language("zh")
        chinese = read_policy_kept(paths)
        assert same(chinese, policy_reader.read_policy(paths)[0])
    finally:
        use_language("zh")
    assert len(reads) == 2


def test_relative_names_are_kept_for_the_folder_they_were_named_from(cache, reads, files, monkeypatch, tmp_path):
    paths, _ = files
    monkeypatch.chdir(os.path.dirname(paths[0]))
    here = read_policy_kept([os.path.basename(paths[0])])
    assert here.files[-1] == os.path.basename(paths[0])
    other = tmp_path / "other"
    other.mkdir()
    shutil.copytree(os.path.dirname(paths[0]), other / "policy")
    monkeypatch.chdir(other / "policy")
    there = read_policy_kept([os.path.basename(paths[0])])
    assert len(reads) == 2  # the same names, another folder: read there
    assert there.contents and all(name in there.contents for name in there.files)


def test_a_damaged_or_foreign_cache_is_passed_over(cache, reads, files, monkeypatch):
    paths, _ = files
    first = read_policy_kept(paths)
    (kept,) = cache.glob("*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short
    assert same(read_policy_kept(paths), first)
    assert len(reads) == 2
    read_policy_kept(paths)
    assert len(reads) == 2  # written whole again
    uid = os.getuid()
    monkeypatch.setattr(policy_cache.os, "getuid", lambda: uid + 1)  # as if another user's file
    read_policy_kept(paths)
    assert len(reads) == 3


def test_another_version_of_the_program_reads_again(cache, reads, files, monkeypatch):
    paths, _ = files
    read_policy_kept(paths)
    monkeypatch.setattr(policy_cache, "_code", lambda: (("engine.py", 1, 2),))
    read_policy_kept(paths)
    assert len(reads) == 2


def test_an_unwritable_cache_costs_only_time(tmp_path, monkeypatch, reads, files):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    paths, _ = files
    assert same(read_policy_kept(paths), read_policy_kept(paths))
    assert len(reads) == 2


def test_only_the_newest_readings_are_kept(cache, monkeypatch, files):
    paths, _ = files
    monkeypatch.setattr(policy_cache, "KEPT", 2)
    for scenario_year in range(3):  # three languages × … : three keys
        monkeypatch.setattr(policy_cache, "FORMAT", 100 + scenario_year)
        read_policy_kept(paths)
    assert len(list(cache.glob("*.pickle"))) == 2


def test_a_plan_from_a_kept_reading_is_the_plan_read_afresh(tmp_path):
    # through the console script (its read-ahead process reads through the cache too): the same
    # files, the same messages, whether the policy was kept or read
    import subprocess
    import sys

    from conftest import EXAMPLE

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    said = []
    for out in ("cold", "warm"):
        done = subprocess.run([sys.executable, "-c", "from budget.console import main; main()", "plan", "--no-pdf",
                               "--policy", XIANYANG, "--headcounts", EXAMPLE, "--out", str(tmp_path / out)],
                              capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
        assert done.returncode == 0, done.stderr
        said.append((done.stdout.replace(out, "…"), done.stderr.replace(out, "…")))  # (the folder named)
    assert list((tmp_path / "cache" / "budget" / "policies").glob("*.pickle"))
    assert said[0] == said[1]
    cold = sorted(p.relative_to(tmp_path / "cold") for p in (tmp_path / "cold").rglob("*") if p.is_file())
    warm = sorted(p.relative_to(tmp_path / "warm") for p in (tmp_path / "warm").rglob("*") if p.is_file())
    assert cold == warm and len(cold) > 5
    assert all((tmp_path / "cold" / p).read_bytes() == (tmp_path / "warm" / p).read_bytes() for p in cold)


def test_a_kept_reading_can_be_had_as_its_pickle(cache, reads, files):
    paths, _ = files
    first = read_policy_kept(paths, pickled=True)  # read: the policy itself
    kept = read_policy_kept(paths, pickled=True)  # kept: its pickle, to send on as it is
    assert len(reads) == 1
    assert isinstance(kept, bytes) and same(policy_cache.unpickled(kept), first)
    assert policy_cache.unpickled(b"not a pickle") is None and policy_cache.unpickled(pickle.dumps([1])) is None


def test_a_pipe_is_never_read_for_the_check_and_its_reading_never_kept(cache, reads, files):
    # (review: hashing a FIFO named as a policy file drained it, and the reading then waited forever)
    import threading

    paths, _ = files
    read_policy_kept(paths)
    text = open(paths[0], "rb").read()
    os.unlink(paths[0])
    os.mkfifo(paths[0])
    writer = threading.Thread(target=lambda: open(paths[0], "wb").write(text), daemon=True)
    writer.start()
    done = []
    reader = threading.Thread(target=lambda: done.append(read_policy_kept(paths)), daemon=True)
    reader.start()
    reader.join(20)
    assert done, "the reading waited for the pipe"
    assert len(reads) == 2  # read from the pipe, by the reader
    (entry,) = cache.glob("*.pickle")
    assert pickle.loads(entry.read_bytes())[2][0][2] == hashlib.sha256(text).hexdigest()  # the file's reading, not the pipe's


def test_an_entry_that_cannot_be_used_is_replaced(cache, reads, files, monkeypatch):
    paths, _ = files
    read_policy_kept(paths)
    (entry,) = cache.glob("*.pickle")
    os.utime(entry, ns=(0, 0))  # (to tell the entry written anew)
    uid = os.getuid()
    monkeypatch.setattr(policy_cache.os, "getuid", lambda: uid + 1)  # as if the entry were another user's
    read_policy_kept(paths)
    assert len(reads) == 2
    assert list(cache.glob("*.pickle")) == [entry] and entry.stat().st_mtime_ns > 0  # written anew
    monkeypatch.undo()


def test_pruning_goes_on_past_a_file_it_cannot_remove(tmp_path, monkeypatch):
    from pathlib import Path

    from budget.writers.user_cache import prune

    for n in range(5):
        (tmp_path / f"{n}.pickle").write_bytes(b"x")
        os.utime(tmp_path / f"{n}.pickle", ns=(n * 10**9, n * 10**9))
    real = Path.unlink

    def stuck(self, missing_ok=False):
        if self.name == "0.pickle":
            raise PermissionError(13, "Permission denied")
        real(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", stuck)
    prune(tmp_path, "*.pickle", 2)
    assert sorted(p.name for p in tmp_path.glob("*.pickle")) == ["0.pickle", "3.pickle", "4.pickle"]


def test_a_pipe_where_a_reading_is_kept_is_never_waited_on(cache, reads, files):
    import threading

    paths, _ = files
    first = read_policy_kept(paths)
    (entry,) = cache.glob("*.pickle")
    entry.unlink()
    os.mkfifo(entry)  # (another user could make one in a shared cache folder)
    found = []
    reading = threading.Thread(target=lambda: found.append(read_policy_kept(paths)), daemon=True)
    reading.start()
    reading.join(20)
    assert found and same(found[0], first)
