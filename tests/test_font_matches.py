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
    # fontconfig's own cache of these folders, made now (making it changes its cache folder,
    # which the answers are kept under: a setup's second run asks fc-match again)
    subprocess.run(["fc-match", "serif"], capture_output=True, check=False)
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


def asks_again(processes, change) -> bool:
    """Whether a new run asks fc-match again after ``change()``, with the answers of a run before kept."""
    fonts.font_files(FAMILIES)
    asked = len(processes)
    change()
    again()
    fonts.font_files(FAMILIES)
    return len(processes) > asked


def test_answers_are_kept_and_taken_without_asking_fc_match(fresh, processes):
    first = fonts.font_files(FAMILIES)
    assert processes and first["No Such Family 字"] is None and first["Noto Serif CJK SC"]
    asked = len(processes)
    again()
    assert fonts.font_files(FAMILIES) == first
    assert len(processes) == asked  # no process this time


def test_a_font_added_to_a_folder_fontconfig_reads_asks_again(fresh, processes):
    # (fontconfig reads $XDG_DATA_HOME/fonts and below)
    assert asks_again(processes, lambda: (fresh / "data" / "fonts" / "new").mkdir())


def test_a_changed_environment_asks_again(fresh, processes, monkeypatch):
    assert asks_again(processes, lambda: monkeypatch.setenv("FONTCONFIG_PATH", "/etc/fonts"))  # (named now, the same)


def test_an_answer_whose_file_is_gone_is_not_taken(fresh, processes, monkeypatch):
    real = font_matches.os.path.isfile
    assert asks_again(processes, lambda: monkeypatch.setattr(font_matches.os.path, "isfile",
                                                             lambda path: "NotoSans" not in path and real(path)))


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
    assert asks_again(processes, lambda: (elsewhere / "new").mkdir())


def test_another_users_answers_are_not_taken(fresh, processes, monkeypatch):
    uid = font_matches.os.getuid()
    # as if the kept file were another user's
    assert asks_again(processes, lambda: monkeypatch.setattr(font_matches.os, "getuid", lambda: uid + 1))


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


class _Answered:
    """A finished fc-match (the shell asking for every family) that answered ``text``."""

    def __init__(self, text):
        self.text = text

    def communicate(self, timeout=None):
        return self.text, ""


def test_a_bitmap_font_is_not_installed_and_a_file_name_may_hold_a_line_break(fresh, monkeypatch):
    # Pango draws only TrueType and CFF fonts: a BDF that fontconfig matches would leave boxes
    answers = ("FangSong\nBDF\n0\n/fonts/fs.bdf\036"
               "KaiTi\nTrueType\n0\n/fonts/kai\nti.ttf\036"
               "SimSun,宋体\nCFF\n2\n/fonts/simsun.ttc\036")
    monkeypatch.setattr(fonts.font_matches, "kept", lambda families, asked_as: None)
    monkeypatch.setattr(fonts.font_matches, "keep", lambda answers, asked_as: None)
    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: _Answered(answers))
    assert fonts.font_files(["FangSong", "KaiTi", "SimSun"]) == {
        "FangSong": None, "KaiTi": "/fonts/kai\nti.ttf", "SimSun": "/fonts/simsun.ttc"}
    assert fonts._FACES["SimSun"] == 2  # the face of the collection fontconfig matched


def test_a_folder_named_from_the_working_folder_and_a_configuration_found_on_the_path(fresh, monkeypatch):
    # fontconfig finds <dir>fonts</dir> from where it runs, and <include>extra.conf</include> on
    # FONTCONFIG_PATH, then in /etc/fonts
    place = fresh / "config"
    place.mkdir()
    (place / "fonts.conf").write_text('<fontconfig><include>/etc/fonts/fonts.conf</include><dir>myfonts</dir>'
                                      '<include ignore_missing="yes">extra.conf</include></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(place / "fonts.conf"))
    monkeypatch.setenv("FONTCONFIG_PATH", str(place))

    def digest():
        font_matches.setup_digest.cache_clear()
        return font_matches.setup_digest("x")

    with_fonts, without = fresh / "a", fresh / "b"
    (with_fonts / "myfonts").mkdir(parents=True)
    without.mkdir()
    monkeypatch.chdir(with_fonts)
    here = digest()
    monkeypatch.chdir(without)
    assert digest() != here  # another working folder: another folder of fonts
    monkeypatch.chdir(with_fonts)
    assert digest() == here
    (place / "extra.conf").write_text("<fontconfig></fontconfig>", encoding="utf-8")
    assert digest() != here  # made on FONTCONFIG_PATH: read by fontconfig now
    here = digest()
    (place / "extra.conf").write_text(f"<fontconfig><dir>{fresh}</dir></fontconfig>", encoding="utf-8")
    assert digest() != here


def test_fontconfigs_own_cache_rewritten_asks_again(fresh, monkeypatch):
    # fc-cache after a font file was replaced in place (the same folder's time): its cache folder changes
    place = fresh / "fccache"
    place.mkdir()
    (fresh / "fonts.conf").write_text(f'<fontconfig><cachedir>{place}</cachedir><include>/etc/fonts/fonts.conf'
                                      '</include></fontconfig>', encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(fresh / "fonts.conf"))
    font_matches.setup_digest.cache_clear()
    before = font_matches.setup_digest("x")
    (place / "new-le64.cache-8").write_bytes(b"")
    font_matches.setup_digest.cache_clear()
    assert font_matches.setup_digest("x") != before


def test_a_pipe_where_answers_are_kept_is_never_waited_on(fresh):
    import os
    import threading

    first = fonts.font_files(FAMILIES)
    (kept,) = (fresh / "cache" / "budget" / "fonts").glob("matches-*.txt")
    kept.unlink()
    os.mkfifo(kept)
    found = []
    again()
    asking = threading.Thread(target=lambda: found.append(fonts.font_files(FAMILIES)), daemon=True)
    asking.start()
    asking.join(20)
    assert found == [first]


def test_harfbuzz_reads_the_characters_fonttools_reads(fresh, monkeypatch):
    # the glyph check's characters come from the font files, read by HarfBuzz (milliseconds)
    # where it loads; they are those fontTools reads from the character map
    from budget.writers.harfbuzz_cmap import character_runs

    compared = 0
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC", "FandolFang", "LXGW WenKai"):
        path = fonts.font_file(family)
        if path is None:
            continue
        runs = character_runs(path)
        assert runs is not None, "HarfBuzz did not load"
        assert runs == fonts._code_runs(fonts._read_cmap(path)), family
        compared += 1
    assert compared >= 2
    path = fonts.font_file("Noto Sans CJK SC") or pytest.skip("Noto Sans CJK SC is not installed")

    def refused(path):
        raise AssertionError("fontTools read the font")

    monkeypatch.setattr(fonts, "_read_cmap", refused)
    fonts._cmap.cache_clear()
    assert ord("资") in fonts._cmap(path)  # (an empty cache: read by HarfBuzz alone)
    fonts._cmap.cache_clear()


def test_a_font_file_whose_name_is_not_utf8(fresh):
    # (a review: fontconfig gives a file's name as its bytes; they were read as UTF-8, an internal error)
    import os

    real = fonts.font_file("Noto Sans CJK SC") or pytest.skip("Noto Sans CJK SC is not installed")
    odd = os.fsdecode(os.fsencode(str(fresh)) + b"/F\xe9.ttc")
    os.symlink(real, odd)
    fonts._cmap.cache_clear()
    assert ord("资") in fonts._cmap(odd) and ord("资") in fonts._cmap(odd)  # read, kept, read back
    fonts._cmap.cache_clear()
    font_matches.keep({"Odd": (odd, 0)}, "asked")
    assert font_matches.kept(["Odd"], "asked") == {"Odd": (odd, 0)}


def test_the_characters_of_the_face_fontconfig_matched(fresh):
    # a collection's faces may have different characters: those of the face Pango draws with
    from fontTools.ttLib import TTCollection

    from budget.writers.harfbuzz_cmap import character_runs

    fonts.font_files(["Noto Serif CJK SC"])
    path, face = fonts._FILES["Noto Serif CJK SC"], fonts._FACES["Noto Serif CJK SC"]
    if not path or not path.endswith(".ttc"):
        pytest.skip("Noto Serif CJK is not installed as a collection")
    for index in {0, face}:
        assert character_runs(path, index) == fonts._code_runs(frozenset(
            TTCollection(path, lazy=True).fonts[index].getBestCmap())), index


def test_a_font_file_copied_over_keeping_its_time_is_read_again(fresh, tmp_path):
    # (cp -p, rsync -t, tar: the same size and time, other characters)
    import os

    font = tmp_path / "f.ttf"
    font.write_bytes(b"a" * 100)
    before = fonts._cache_file(str(font))
    times = os.stat(font)
    font.write_bytes(b"b" * 100)
    os.utime(font, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert os.stat(font).st_mtime_ns == times.st_mtime_ns
    assert fonts._cache_file(str(font)) != before
