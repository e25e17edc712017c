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


def test_a_changed_configuration_file_it_includes_asks_again(fresh, processes, monkeypatch):
    # fontconfig reads what its files <include>: a file named nowhere else (review: a CJK folder
    # dropped from an included file left the kept answers in use, and the notice all boxes)
    extra = fresh / "extra.conf"
    extra.write_text("<fontconfig></fontconfig>", encoding="utf-8")
    main = fresh / "fonts.conf"
    main.write_text(f'<fontconfig><include>/etc/fonts/fonts.conf</include><include ignore_missing="yes">{extra}'
                    '</include></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(main))
    again()
    fonts.font_files(FAMILIES)
    asked = len(processes)
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) == asked
    extra.write_text(f"<fontconfig><dir>{fresh}</dir></fontconfig>", encoding="utf-8")
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) > asked


def test_a_font_added_below_a_linked_folder_asks_again(fresh, processes, tmp_path_factory):
    # fontconfig follows links to folders (a Windows fonts folder linked in, say)
    elsewhere = tmp_path_factory.mktemp("windows-fonts")
    (fresh / "data" / "fonts" / "windows").symlink_to(elsewhere, target_is_directory=True)
    (elsewhere / "loop").symlink_to(fresh / "data" / "fonts", target_is_directory=True)  # a loop: walked once
    again()
    fonts.font_files(FAMILIES)
    asked = len(processes)
    (elsewhere / "new").mkdir()
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) > asked


def test_another_users_answers_are_not_taken(fresh, processes, monkeypatch):
    fonts.font_files(FAMILIES)
    asked = len(processes)
    uid = font_matches.os.getuid()
    monkeypatch.setattr(font_matches.os, "getuid", lambda: uid + 1)  # as if the file were another user's
    again()
    fonts.font_files(FAMILIES)
    assert len(processes) > asked


def test_kept_answers_that_would_fail_the_run_are_asked_again(fresh, processes):
    # kept answers saying no font is installed (or naming a file that is no font): fontconfig is
    # asked before the run is failed, and the documents get the fonts it has
    expected = fonts.choose_fonts()
    (kept,) = (fresh / "cache" / "budget" / "fonts").glob("matches-*.txt")
    lines = kept.read_text("utf-8").split("\n")
    kept.write_text("\n".join(line.split("\t")[0] + "\t-" if "\t" in line else line for line in lines), encoding="utf-8")
    again()
    asked = len(processes)
    assert fonts.choose_fonts() == expected
    assert len(processes) > asked


def test_a_kept_answer_naming_a_file_that_is_no_font_is_asked_again(fresh, processes, tmp_path):
    from budget.writers import pdf

    expected = fonts.choose_fonts()
    (kept,) = (fresh / "cache" / "budget" / "fonts").glob("matches-*.txt")
    fake = tmp_path / "not-a-font.otf"
    fake.write_bytes(b"not a font at all")
    family = expected.used["fang"]
    kept.write_text("\n".join(f"{family}\t{fake}" if line.startswith(family + "\t") else line
                              for line in kept.read_text("utf-8").split("\n")), encoding="utf-8")
    again()
    assert pdf.checked_fonts(["<p>资金</p>"]) == expected


def test_a_damaged_font_file_is_named_not_an_internal_error(tmp_path):
    fake = tmp_path / "broken.otf"
    fake.write_bytes(b"not a font, not even its header")
    fonts._cmap.cache_clear()
    with pytest.raises(fonts.FontError, match="broken.otf"):
        fonts._cmap(str(fake))
    fonts._cmap.cache_clear()


def test_only_the_newest_sets_of_answers_are_kept(fresh, monkeypatch):
    monkeypatch.setattr(font_matches, "KEPT", 2)
    for n in range(3):
        monkeypatch.setenv("FONTCONFIG_PATH", "/etc/fonts" + ["", "/", "/."][n])  # three setups (the same files)
        again()
        fonts.font_files(FAMILIES[:1])
    assert len(list((fresh / "cache" / "budget" / "fonts").glob("matches-*.txt"))) == 2
