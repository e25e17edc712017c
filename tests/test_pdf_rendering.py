"""Rendering documents in another process (writers/rendering.py) and the word spans of table
cells (keep_words): the same PDF as rendering here, errors raised in the caller, nothing left
running; one break between two words, as a character."""

import os
import signal
import sys

import pytest

from budget.writers.fonts import choose_fonts, uncovered
from budget.writers.pdf import BREAK, Rendering, keep_words, render_pdf, start_many

HTML = '<!DOCTYPE html><html lang="zh-CN"><body><p>{}</p></body></html>'


def test_a_break_between_two_words_once_and_none_at_the_ends():
    text = str(keep_words("城乡居民养老保险"))
    assert text == f'<span class="w">城乡居民</span>{BREAK}<span class="w">养老保险</span>'
    assert "<wbr>" not in text and BREAK * 2 not in text


def test_no_break_beside_a_mark_the_line_may_not_break_at():
    assert str(keep_words("省级50%，市县50%")) == \
        f'<span class="w">省级50%</span>，{BREAK}<span class="w">市县50%</span>'
    assert str(keep_words("（收回）")) == '<span class="w">（收回）</span>'
    assert str(keep_words("从2018年")) == f'从{BREAK}<span class="w">2018</span>{BREAK}年'


def test_text_is_escaped():
    assert str(keep_words("<b>合计</b>")) == f'&lt;b&gt;{BREAK}<span class="w">合计</span>{BREAK}&lt;/b&gt;'


def test_the_break_is_not_a_missing_glyph():
    assert uncovered(f"合计{BREAK}人数", choose_fonts()) == {}


def test_documents_rendered_in_another_process_are_the_bytes_rendered_here():
    htmls = [HTML.format("第一份文件"), HTML.format("第二份文件：合计")]
    rendered = start_many(htmls, dates=["2018-01-08", "2018-01-08"]).result()
    here = [render_pdf(html, date="2018-01-08") for html in htmls]
    assert [r.pdf for r in rendered] == [r.pdf for r in here]
    assert [r.pages for r in rendered] == [1, 1]


def test_an_error_in_the_rendering_process_is_raised_in_the_caller():
    rendering = Rendering()
    rendering.submit([(HTML.format("日期"), True, choose_fonts(), (), "2018-13-45")])  # no such day
    with pytest.raises(ValueError, match="不是日历上的日期|not a day of the calendar"):
        rendering.result()


def test_weasyprint_failing_to_load_in_the_rendering_process_is_raised_in_the_caller(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if its libraries were missing
    rendering = Rendering()
    rendering.submit([(HTML.format("字"), True, choose_fonts(), (), "")])
    with pytest.raises(ImportError):
        rendering.result()


def test_giving_up_before_the_documents_ends_the_rendering_process():
    rendering = Rendering()
    pid = rendering.pid
    rendering.close()
    if pid is not None:  # one core or no fork: nothing was started
        # stopped (it has no documents to finish: it need not end its import of WeasyPrint first)
        assert rendering.exitcode in (0, -signal.SIGTERM) and rendering.pid is None
        with pytest.raises(ChildProcessError):  # collected: nothing left of it
            os.waitpid(pid, 0)


def test_a_banji_after_a_blank_page_has_no_number_and_the_others_keep_theirs(tmp_path):
    """GB/T 9704 7.5: the default settings' notice ends on a blank page and the 版记 (14 pages):
    neither carries a page number (the number is taken off the laid-out page, not laid out again)."""
    import pdfplumber
    from typer.testing import CliRunner

    from budget.cli import app
    from budget.resources import EXAMPLE_POLICY

    result = CliRunner().invoke(app, ["plan", "--year", "2018", "--policy", str(EXAMPLE_POLICY), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with pdfplumber.open(next((tmp_path / "out").glob("notice-2018*.pdf"))) as pdf:
        below = [[c for c in page.chars if c["top"] > (263 if page.width < page.height else 183) * 72 / 25.4]
                 for page in pdf.pages]  # under the type area (37 + 225 mm; landscape 26 + 156 mm)
        texts = ["".join(c["text"] for c in chars).replace(" ", "") for chars in below]
        assert len(pdf.pages) == 14 and not pdf.pages[-2].chars  # the blank page: nothing at all
        assert texts[-1] == ""  # the 版记's page: no number
        assert texts[:-2] == [f"—{n}—" for n in range(1, 13)]


@pytest.mark.parametrize("entry", [["-m", "budget.cli"], ["-c", "import sys; from budget.console import main; "
                                                                "sys.argv[0] = 'budget'; main()"]])
def test_a_plan_refused_for_its_inputs_leaves_no_rendering_process(tmp_path, entry):
    """`budget plan` starts the rendering process before reading its inputs (the console script:
    before the CLI is even imported; WeasyPrint is imported meanwhile); a run refused for its
    inputs stops it and leaves nothing running."""
    import subprocess

    out = tmp_path / "refused-plan-folder"
    done = subprocess.run([sys.executable, *entry, "plan", "--year", "2018", "--headcounts",
                           str(tmp_path / "missing.csv"), "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 1 and "不存在" in done.stderr
    left = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(out) not in left and not out.exists()


def test_a_rendering_process_that_dies_is_said_and_leaves_nothing():
    """Killed (out of memory, say) while the caller writes the rest: the caller says so in one
    line — not "connection reset" or an internal error — and nothing of it is left running."""
    from budget.core.language import use_language
    from budget.core.problems import InputError

    rendering = Rendering()
    pid = rendering.pid
    if pid is None:
        pytest.skip("one core or no fork: the documents are rendered in this process")
    os.kill(pid, signal.SIGKILL)
    use_language("zh")
    with pytest.raises(InputError, match="生成 PDF 的进程意外结束（退出码 -9"):
        start_many(["<p>测试</p>"], rendering=rendering).result()
    with pytest.raises(ChildProcessError):  # collected: nothing left of it
        os.waitpid(pid, 0)


def test_the_console_script_finds_the_command():
    """It starts the rendering process for `plan` only: the first word that is not an option."""
    from budget.console import command_named

    assert command_named(["--lang", "en", "plan", "--year", "2018"]) == "plan"
    assert command_named(["--lang", "plan", "report", "--from", "plan"]) == "report"
    assert command_named(["-h"]) is None


def test_fc_match_asked_in_one_shell_says_what_it_says_family_by_family(tmp_path, monkeypatch):
    """writers/fonts.py asks fc-match for every family through one shell; the answers are those
    of fc-match asked for each family on its own (a family not installed: None)."""
    import shutil
    import subprocess

    from budget.writers import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no answers kept from earlier (font_matches.py)

    if shutil.which("fc-match") is None:
        pytest.skip("no fontconfig here")
    families = ["Noto Serif CJK SC", "No Such Family 字", "FandolFang", "Noto Sans CJK SC"]
    one_by_one = {}
    for family in families:
        found = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", f"{family}:lang=zh-cn"], capture_output=True,
                               text=True).stdout
        names, _, path = found.partition("\n")
        one_by_one[family] = path if family in names.split(",") else None
    fonts._FILES.clear()
    assert fonts.font_files(families) == one_by_one
    assert one_by_one["No Such Family 字"] is None and one_by_one["Noto Serif CJK SC"]


def test_templates_compiled_in_the_cache_give_the_same_html(tmp_path):
    """The documents' templates are kept compiled in the user's cache between runs: the HTML made
    from the cache is the HTML made by compiling them."""
    import subprocess

    outs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", "import sys; from budget.cli import main; "
                               "sys.argv = ['budget', 'plan', '-y', '2018', '--no-workbook', '-o', sys.argv[1]]; main()",
                               str(tmp_path / f"out{len(outs)}")], capture_output=True, text=True,
                              env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert done.returncode == 0, done.stderr
        outs.append({p.name: p.read_bytes() for p in (tmp_path / f"out{len(outs)}").glob("*.pdf")})
    assert list((tmp_path / "cache" / "budget" / "templates").rglob("*.cache"))  # kept compiled
    assert outs[0] == outs[1] and len(outs[0]) == 2  # the same documents, the second time from the cache


def test_a_damaged_or_unwritable_template_cache_costs_time_never_the_run(tmp_path, monkeypatch):
    """The compiled templates' cache (writers/pdf.py): a file cut short is compiled again, a
    cache that cannot be written is passed over; the HTML is the same either way."""
    from jinja2.bccache import FileSystemBytecodeCache

    from budget.writers import pdf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    pdf.environment.cache_clear()
    fresh = pdf.render_html("notice.html", n=_notice())
    cached = list((tmp_path / "budget" / "templates").rglob("*.cache"))
    assert cached
    for path in cached:  # cut inside the pickled checksum: Jinja2 alone raised UnpicklingError here
        path.write_bytes(path.read_bytes()[:30])
    pdf.environment.cache_clear()
    assert pdf.render_html("notice.html", n=_notice()) == fresh

    def refused(self, bucket):
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(FileSystemBytecodeCache, "dump_bytecode", refused)
    for path in cached:
        path.unlink()
    pdf.environment.cache_clear()
    assert pdf.render_html("notice.html", n=_notice()) == fresh
    pdf.environment.cache_clear()


def _notice():
    from budget.core.document_settings import default_settings
    from budget.documents import notice
    from budget.plan import run_plan
    from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

    result, _ = run_plan([str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018])
    return notice(result, 2018, default_settings(result.policy, 2018))


def test_fonts_without_a_shell_or_without_fc_match(monkeypatch, tmp_path):
    import subprocess

    from budget.writers import fonts

    real = subprocess.Popen
    families = ["Noto Serif CJK SC", "No Such Family 字"]
    fonts._FILES.clear()
    expected = fonts.font_files(families)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # none of those answers kept (font_matches.py)

    def no_shell(args, *rest, **kw):
        if args[0] in ("nice", "sh"):
            raise FileNotFoundError(2, "No such file or directory", "sh")
        return real(args, *rest, **kw)

    monkeypatch.setattr(subprocess, "Popen", no_shell)
    fonts._FILES.clear()
    assert fonts.font_files(families) == expected  # fc-match asked family by family

    def nothing(args, *rest, **kw):
        raise FileNotFoundError(2, "No such file or directory", args[0])

    monkeypatch.setattr(subprocess, "Popen", nothing)
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    fonts._FILES.clear()
    with pytest.raises(fonts.FontError, match="找不到 fontconfig 的 fc-match"):
        fonts.choose_fonts()
    fonts._FILES.clear()


def test_a_character_map_cache_cut_short_is_read_from_the_font_again(tmp_path, monkeypatch):
    from budget.writers import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = fonts.font_file("Noto Sans CJK SC") or pytest.skip("Noto Sans CJK SC is not installed")
    fonts._cmap.cache_clear()
    whole = fonts._cmap(path)
    cache = fonts._cache_file(path)
    cache.write_text(cache.read_text("ascii")[:100], "ascii")  # a run or two, then nothing
    fonts._cmap.cache_clear()
    again = fonts._cmap(path)
    assert again == whole and ord("资") in again
    assert cache.read_text("ascii").endswith(f"runs {len(whole.firsts)}")  # written whole anew
    fonts._cmap.cache_clear()


def test_one_worker_renders_here(monkeypatch):
    monkeypatch.setenv("BUDGET_WORKERS", "1")
    assert Rendering().pid is None


def test_a_character_map_not_kept_leaves_no_temporary_file(tmp_path, monkeypatch):
    from budget.writers import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = fonts.font_file("Noto Sans CJK SC") or pytest.skip("Noto Sans CJK SC is not installed")

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fonts.os, "replace", full)
    fonts._cmap.cache_clear()
    assert ord("资") in fonts._cmap(path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing kept, nothing left
    fonts._cmap.cache_clear()
