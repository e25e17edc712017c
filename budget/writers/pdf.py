"""HTML (Jinja2, autoescaped) → PDF (WeasyPrint), deterministic and with fonts checked.

The same inputs give the same bytes: the PDF's dates come from the document date and its
file identifier from a hash of the HTML, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import jinja2
import markupsafe

from .. import __version__
from ..core.display import parse_date, title_lines, unit
from ..core.language import said
from ..resources import TEMPLATES
from .fonts import FontChoice, FontError, choose_fonts, uncovered

CHINESE_NUMBERS = [f"（{n}）" for n in "一二三四五六七八九十"] + [f"（十{n}）" for n in "一二三四五六七八九"]


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    fonts: str  # which font set each role


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=__version__, chinese_numbers=CHINESE_NUMBERS,
                       wan=unit("万元").text)
    # how many em a line of text takes: full-width characters one, ASCII digits half
    env.filters["em_width"] = lambda text: sum(0.5 if ord(ch) < 128 else 1 for ch in text)
    # a title in balanced lines broken between words (22 pt: 20 characters a portrait line, 29 landscape)
    env.filters["title_lines"] = lambda text, per_line=19: markupsafe.Markup("<br>").join(title_lines(text, per_line))
    return env


def render_html(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def font_css(fonts: FontChoice) -> str:
    # Font families as CSS variables; kept out of the Jinja templates so autoescaping
    # cannot mangle the quotes in family names.
    roles = "\n".join(f"  --{role}: {fonts.css_stack(role)};" for role in fonts.stacks)
    return f":root {{\n{roles}\n}}\n"


def visible_text(html: str) -> str:
    text = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    import html as html_lib
    return html_lib.unescape(text)


def check_glyphs(html: str, fonts: FontChoice) -> None:
    """Raise :class:`FontError` naming every character of ``html`` that no installed font has."""
    missing = uncovered(visible_text(html), fonts)
    if missing:
        shown = "、".join(f"{ch}（{code}）" for ch, code in missing.items())
        raise FontError(said("已安装的字体中没有这些字：{shown}；请安装含有这些字的字体（如 fonts-noto-cjk），或加 "
                             "--allow-missing-glyphs（缺字显示为方框）", "no installed font has these characters: {shown}; "
                             "install a font that has them (e.g. fonts-noto-cjk) or allow missing glyphs "
                             "(--allow-missing-glyphs)", shown=shown))


Files = tuple[tuple[str, bytes], ...]  # (name, data) of files embedded in a PDF
UNNUMBERED_BANJI = "@page banji { @bottom-left { content: none } @bottom-right { content: none } }"


def _banji_after_blank(document: Any) -> bool:
    """Whether the 版记's page (the last, an even one) follows a blank page."""
    pages = document.pages
    if len(pages) < 2:
        return False
    last, before = pages[-1]._page_box.page_type, pages[-2]._page_box.page_type  # WeasyPrint's layout record
    return bool(last.name == "banji" and before.blank)


def render_pdf(html: str, allow_missing_glyphs: bool = False, fonts: FontChoice | None = None,
               files: Files = (), date: str = "") -> Rendered:
    """An archival PDF (PDF/A-3b, GB/T 23286.3) of ``html``, with ``files`` embedded as associated
    files (the data the document shows: allocations.csv), dated ``date`` (never the clock)."""
    from weasyprint import CSS, HTML, Attachment

    fonts = fonts or choose_fonts()
    if not allow_missing_glyphs:
        check_glyphs(html, fonts)
    stylesheets = [CSS(string=font_css(fonts)), CSS(filename=str(TEMPLATES / "gongwen.css"))]
    document = HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=stylesheets)
    if _banji_after_blank(document):  # GB/T 9704 7.5: then neither page carries a number
        stylesheets.append(CSS(string=UNNUMBERED_BANJI))
        document = HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=stylesheets)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    when = None
    if date:
        day = parse_date(date)
        when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    attachments = [Attachment(string=data, name=name, description=name, relationship="Data",
                              created=when, modified=when) for name, data in files]
    pdf = document.write_pdf(pdf_identifier=identifier, pdf_variant="pdf/a-3b", attachments=attachments)
    return Rendered(pdf, len(document.pages), fonts.describe())


def _render_one(job: tuple[str, bool, FontChoice, Files, str]) -> Rendered:
    html, allow, fonts, files, date = job
    return render_pdf(html, allow, fonts, files, date)


def render_many(htmls: list[str], allow_missing_glyphs: bool = False, files: Files = (),
                dates: list[str] | None = None) -> list[Rendered]:
    """Several documents at once, one process per core: WeasyPrint's layout is single-threaded
    and the documents are independent. The bytes are the same as rendering them one by one."""
    fonts = choose_fonts()
    if not allow_missing_glyphs:
        for html in htmls:  # every document's characters, before any rendering starts
            check_glyphs(html, fonts)
    jobs = [(html, True, fonts, files, (dates or [""] * len(htmls))[i]) for i, html in enumerate(htmls)]  # checked above
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [_render_one(job) for job in jobs]
    # fork: the children start with everything imported (and no Pango state used yet)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_render_one, jobs))
