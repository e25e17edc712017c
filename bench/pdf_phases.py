"""Where the city's PDFs spend their time: the shipped Xianyang example's notice and explanation
rendered in this one process, phase by phase (best of --runs, default 3), and cProfile's top
functions with --profile.

    .venv/bin/python bench/pdf_phases.py [--runs N] [--profile]

Phases: importing WeasyPrint; choosing the fonts (fontconfig) and checking every character;
the HTML templates; then per document WeasyPrint's parse and style cascade, layout, painting,
font subsetting and writing the PDF. A measuring aid, not a test.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

T0 = time.perf_counter()
from budget.writers.weasyprint_import import import_weasyprint  # noqa: E402 — as the rendering process imports it

import_weasyprint()
IMPORT = time.perf_counter() - T0

from budget.resources import TEMPLATES  # noqa: E402
from budget.writers import fonts as font_module  # noqa: E402
from budget.writers import pdf  # noqa: E402


class _Captured(BaseException):  # passes the CLI's last-resort handler
    pass


def documents() -> list[str]:
    """The HTML of the example's 2018 notice and explanation, as ``budget plan --year 2018`` makes
    them (the CLI itself, stopped where the PDFs would be rendered)."""
    import contextlib
    import tempfile

    from budget.cli import main

    captured: list[str] = []

    def capture(htmls, *args, **kwargs):
        captured.extend(htmls)
        raise _Captured

    real, argv = pdf.start_many, sys.argv
    pdf.start_many = capture
    try:
        with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(io.StringIO()):
            sys.argv = ["budget", "plan", "--year", "2018", "--out", str(Path(tmp) / "out")]
            main()
    except _Captured:
        pass
    finally:
        pdf.start_many, sys.argv = real, argv
    return captured


def best(fn, runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def phases(html: str, fonts, runs: int) -> dict[str, float]:
    import weasyprint.pdf as wpdf
    from weasyprint import CSS, HTML
    from weasyprint import document as wdocument

    spent: dict[str, float] = {}

    def timer(name, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        return timed

    # WeasyPrint's own steps, timed where they are called (its module globals, restored after)
    patched = [(wdocument.Document, "_build_layout_context", classmethod(timer(
                   "cascade", wdocument.Document._build_layout_context.__func__))),
               (wdocument, "build_formatting_structure", timer("boxes", wdocument.build_formatting_structure)),
               (wdocument.Page, "paint", timer("paint", wdocument.Page.paint)),
               (wpdf, "build_fonts_dictionary", timer("fonts (subset)", wpdf.build_fonts_dictionary))]
    saved = [(owner, name, vars(owner)[name]) for owner, name, _ in patched]
    for owner, name, value in patched:
        setattr(owner, name, value)
    try:
        stylesheets = [CSS(string=pdf.font_css(fonts)), CSS(filename=str(TEMPLATES / "gongwen.css"))]
        rounds = []
        for _ in range(runs):
            spent.clear()
            gc.collect()
            start = time.perf_counter()
            parsed = HTML(string=html, base_url=str(TEMPLATES))
            spent["parse HTML"] = time.perf_counter() - start
            document = parsed.render(stylesheets=stylesheets)
            mid = time.perf_counter()
            # layout_document is a generator: its time is the rest of render()
            spent["layout"] = mid - start - spent["parse HTML"] - spent["cascade"] - spent["boxes"]
            data = document.write_pdf(pdf_identifier=b"0" * 32, pdf_variant="pdf/a-3b")
            spent["write_pdf"] = time.perf_counter() - mid
            spent["all"] = time.perf_counter() - start
            rounds.append(dict(spent))
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
    out = min(rounds, key=lambda r: r["all"])
    out["pages"] = len(document.pages)
    out["bytes"] = len(data)
    return out


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    print(f"import weasyprint: {IMPORT:.3f} s")
    font_module._FILES.clear()
    t, fonts = best(lambda: (font_module._FILES.clear(), font_module.choose_fonts())[1], 1)
    print(f"choose_fonts (fc-match for every family): {t:.3f} s")
    t, htmls = best(documents, 1)
    print(f"plan and HTML of both documents: {t:.3f} s")
    t, _ = best(lambda: [pdf.check_glyphs(h, fonts) for h in htmls], 1)
    print(f"check_glyphs, both: {t:.3f} s")
    for name, html in zip(("notice", "explanation"), htmls):
        got = phases(html, fonts, runs)
        print(f"{name} ({got.pop('pages'):.0f} pages, {got.pop('bytes'):,.0f} bytes, {len(html):,} chars of HTML): "
              + ", ".join(f"{k} {v:.3f} s" for k, v in got.items()))
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.enable()
        for html in htmls:
            pdf.render_pdf(html, True, fonts)
        profile.disable()
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(40)
        print(text.getvalue())


if __name__ == "__main__":
    main()
