"""fc-match's answers kept between runs (writers/font_matches.py): taken while fontconfig's setup
is the same (its configuration, its folders of fonts, its environment), asked again otherwise."""

import shutil
import subprocess

import pytest

from budget.writers import font_matches, fonts

FAMILIES = ["Noto Serif CJK SC", "No Such Family 字", "Noto Sans CJK SC"]

pytestmark = pytest.mark.skipif(shutil.which("fc-match") is None, reason="no fontconfig here")


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache, fontconfig's user folders in tmp_path, nothing asked yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    (tmp_path / "data" / "fonts").mkdir(parents=True)
    font_matches.setup_digest.cache_clear()
    fonts._FILES.clear()
    yield tmp_path
    font_matches.setup_digest.cache_clear()
    fonts._FILES.clear()


@pytest.fixture
def processes(monkeypatch):
    """The processes started (fc-match asked)."""
    started = []
    real = subprocess.Popen

    def counted(args, *rest, **kwargs):
        started.append(args)
        return real(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counted)
    return started


def again():
    """As a new run would: nothing asked yet in this process."""
    fonts._FILES.clear()
    font_matches.setup_digest.cache_clear()


def test_answers_are_kept_and_taken_without_asking_fc_match(fresh, processes):
    first = fonts.font_files(FAMILIES)
    assert processes and first["No Such Family 字"] is None and first["Noto Serif CJK SC"]
    asked = len(processes)
    again()
    assert fonts.font_files(FAMILIES) == first
    assert len(processes) == asked  # no process this time


def test_a_font_added_to_a_folder_fontconfig_reads_asks_again(fresh, processes):
    first = fonts.font_files(FAMILIES)
    asked = len(processes)
    (fresh / "data" / "fonts" / "new").mkdir()  # (fontconfig reads $XDG_DATA_HOME/fonts and below)
    again()
    assert fonts.font_files(FAMILIES) == first
    assert len(processes) > asked


def test_a_changed_environment_asks_again(fresh, processes, monkeypatch):
    fonts.font_files(FAMILIES)
    asked = len(processes)
    monkeypatch.setenv("FONTCONFIG_PATH", "/etc/fonts")  # (named now, though the same)
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) > asked


def test_an_answer_whose_file_is_gone_is_not_taken(fresh, processes, monkeypatch):
    fonts.font_files(FAMILIES)
    asked = len(processes)
    real = font_matches.os.path.isfile
    monkeypatch.setattr(font_matches.os.path, "isfile", lambda path: "NotoSans" not in path and real(path))
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) > asked


def test_a_family_not_kept_yet_is_asked_for(fresh, processes):
    fonts.font_files(FAMILIES[:1])
    asked = len(processes)
    again()
    assert fonts.font_files(FAMILIES)["Noto Sans CJK SC"]
    assert len(processes) > asked
    asked = len(processes)
    again()
    fonts.font_files(FAMILIES)  # now all three are kept, together
    assert len(processes) == asked


def test_a_kept_file_cut_short_is_asked_again(fresh, processes):
    first = fonts.font_files(FAMILIES)
    (kept,) = (fresh / "cache" / "budget" / "fonts").glob("matches-*.txt")
    kept.write_text(kept.read_text("utf-8")[:-8], encoding="utf-8")
    asked = len(processes)
    again()
    assert fonts.font_files(FAMILIES) == first
    assert len(processes) > asked
