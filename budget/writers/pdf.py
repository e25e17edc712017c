"""HTML (Jinja2, autoescaped) → PDF (WeasyPrint), deterministic and with fonts checked.

The same inputs give the same bytes: the PDF's dates come from the document date and its
file identifier from a hash of the HTML, never from the clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import markupsafe

from .. import __version__
from ..core.display import parse_date, title_lines, unit
from ..core.language import said
from ..resources import TEMPLATES
from .fonts import FontChoice, FontError, ask_afresh, choose_fonts, uncovered
from .rendering import Rendering
from .user_cache import cache_folder

if TYPE_CHECKING:
    import jinja2

# Words a table cell must not be broken inside: a narrow column wraps "省级/预算数", never "省级预算/数".
# Longer words first (the regex takes the first alternative that matches). Characters outside
# these words may still break anywhere, as Chinese text does.
CELL_WORDS = re.compile(
    r"(?:省级|市级|县级|市县|县)(?:承担)?\d+(?:\.\d+)?%|\d+(?:\.\d+)?%|[\d,.\-]+(?:起|至)?|"
    r"序号|地区|备注|合计|人数|资金合计|下达小计|小计|提前下达|下达资金|下达|应安排|安排|预算数|预拨数|应拨数|差额|"
    r"补拨|（收回）|收回|省级|市级|县级|市县|减：|参保缴费|困难群体|集中连片|已补助|重度残疾人|特困人员|低保对象|"
    r"建档立卡|贫困人口|农村|执行期间|补助标准|补助项目|分担比例|再分担|部分|城乡居民|基本养老保险|养老保险|"
    r"基本医疗保险|医疗保险|医保|基础养老金|养老金|提高部分|代缴保费|代缴|保险费|保费|个人缴费|缴费资助|缴费负担|"
    r"补充医疗保障|指标值|[一二三]级指标|年度目标|数量指标|质量指标|时效指标|成本指标|社会效益指标|满意度指标|"
    r"服务对象|满意度|按预算法|预算法|规定|时限|有效|减轻|应保尽保|应代尽代率|合规率|及时性|参保率|资金使用|资金|"
    r"加权得分|同属多类|计入次序|每人|一次|假设|人口|养老|医疗|参保|咸阳市|陕人社发|〔\d+〕\d+号")


OPENING, CLOSING = set("（《“‘〔"), set("，。、；：）》”’〕！？%")


BREAK = "\u200b"  # ZERO WIDTH SPACE: what <wbr> is drawn as (wbr::before in WeasyPrint's html5_ua.css)


def keep_words(text: object) -> markupsafe.Markup:
    """``text`` (escaped) with each of its CELL_WORDS in a span that does not wrap."""
    out, at = [], 0
    raw = str(text)
    broken = False  # whether the last thing out is a break
    for match in CELL_WORDS.finditer(raw):
        between = raw[at:match.start()]
        out.append(markupsafe.escape(between))
        broken = broken and not between
        # a break: WeasyPrint offers none between two nowrap spans unless told; none where a line
        # may not break anyway (before a closing mark such as ， or after an opening one such as （),
        # one between two words (not two). The break is the character itself, not a <wbr>: the
        # same glyph at the same place, without an element and a pseudo-element to lay out for each
        if raw[match.start() - 1:match.start()] not in OPENING and not broken:
            out.append(markupsafe.Markup(BREAK if match.start() else ""))  # none at the start: the word cannot fit better below
        out.append(markupsafe.Markup('<span class="w">') + markupsafe.escape(match.group()) + markupsafe.Markup("</span>"))
        broken = raw[match.end():match.end() + 1] not in CLOSING and match.end() < len(raw)  # none at the end either
        if broken:
            out.append(markupsafe.Markup(BREAK))
        at = match.end()
    out.append(markupsafe.escape(raw[at:]))
    return markupsafe.Markup(markupsafe.Markup("").join(out))


def cell_lines(text: object, per_line: int) -> markupsafe.Markup:
    """``text`` in balanced lines of at most ``per_line`` characters broken between words (a
    long subsidy name in a column of known width), each line's words kept whole."""
    return markupsafe.Markup("<br>").join(keep_words(line) for line in title_lines(str(text), per_line))


CHINESE_NUMBERS = [f"（{n}）" for n in "一二三四五六七八九十"] + [f"（十{n}）" for n in "一二三四五六七八九"]


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    fonts: str  # which font set each role


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The documents' templates, compiled once a process, and kept compiled between runs in the
    user's cache (compiling the notice's and the explanation's took ~0.05 s of each plan)."""
    import jinja2  # here: the rendering process imports this module for render_pdf, and jinja2 took it ~0.02 s

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.bytecode_cache = _compiled_templates(env)
    env.globals.update(version=__version__, chinese_numbers=CHINESE_NUMBERS,
                       wan=unit("万元").text)
    # how many em a line of text takes: full-width characters one, ASCII digits half
    env.filters["em_width"] = lambda text: sum(0.5 if ord(ch) < 128 else 1 for ch in text)
    # a title in balanced lines broken between words (22 pt: 20 characters a portrait line, 29 landscape)
    env.filters["title_lines"] = lambda text, per_line=19: markupsafe.Markup("<br>").join(title_lines(text, per_line))
    env.filters["words"] = keep_words
    env.filters["cell_lines"] = cell_lines
    return env


def _compiled_templates(env: jinja2.Environment) -> Any:
    """Jinja2's bytecode cache in the user's cache folder, in a folder of its own for each Jinja2
    version and set of ``env``'s options that shape the compiled code (Jinja2's own key is a
    template's name and text only). A cache that cannot be read (damaged) or written (read-only,
    full, another user's) is passed over: it costs time, never a run, never other bytes."""
    import jinja2
    from jinja2.bccache import Bucket, FileSystemBytecodeCache

    options = (jinja2.__version__, env.autoescape, env.trim_blocks, env.lstrip_blocks, env.undefined.__name__,
               env.newline_sequence, env.keep_trailing_newline)
    key = hashlib.sha256(repr(options).encode()).hexdigest()
    folder = cache_folder(f"templates/{key[:16]}", make=True)
    if folder is None:
        return None

    class Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 — a damaged file: compiled again, and written anew
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return Cache(str(folder))


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


def checked_fonts(htmls: list[str], allow_missing_glyphs: bool = False) -> FontChoice:
    """The fonts chosen, and every character of ``htmls`` checked against them (:class:`FontError`)
    unless missing ones are allowed; a check that fails on fc-match's answers kept from an earlier
    run (writers/font_matches.py) is made again on fontconfig's answers now before it fails."""
    fonts = choose_fonts()
    if allow_missing_glyphs:
        return fonts
    try:
        for html in htmls:
            check_glyphs(html, fonts)
    except FontError:
        if not ask_afresh():
            raise
        fonts = choose_fonts()
        for html in htmls:
            check_glyphs(html, fonts)
    return fonts


Files = tuple[tuple[str, bytes], ...]  # (name, data) of files embedded in a PDF
PAGE_NUMBERS = ("@bottom-left", "@bottom-right")  # the margin boxes gongwen.css puts the page numbers in


def _banji_after_blank(document: Any) -> bool:
    """Whether the 版记's page (the last, an even one) follows a blank page."""
    pages = document.pages
    if len(pages) < 2:
        return False
    last, before = pages[-1]._page_box.page_type, pages[-2]._page_box.page_type  # WeasyPrint's layout record
    return bool(last.name == "banji" and before.blank)


def _unnumbered(page: Any) -> None:
    """``page`` without its page number: its margin boxes (WeasyPrint's layout record) hold
    nothing else and take no part in the layout of the page, so dropping them gives the bytes a
    second layout with ``@page banji { @bottom-left { content: none } … }`` gave, in half the time."""
    box = page._page_box
    box.children = [child for child in box.children if getattr(child, "at_keyword", None) not in PAGE_NUMBERS]


def render_pdf(html: str, allow_missing_glyphs: bool = False, fonts: FontChoice | None = None,
               files: Files = (), date: str = "") -> Rendered:
    """An archival PDF (PDF/A-3b, GB/T 23286.3) of ``html``, with ``files`` embedded as associated
    files (the data the document shows: allocations.csv), dated ``date`` (never the clock)."""
    from .weasyprint_import import import_weasyprint

    weasyprint = import_weasyprint()
    if fonts is None:
        fonts = checked_fonts([html], allow_missing_glyphs)
    elif not allow_missing_glyphs:
        check_glyphs(html, fonts)
    stylesheets = [weasyprint.CSS(string=font_css(fonts)), weasyprint.CSS(filename=str(TEMPLATES / "gongwen.css"))]
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=stylesheets)
    if _banji_after_blank(document):  # GB/T 9704 7.5: then neither page carries a number (a blank one has none)
        _unnumbered(document.pages[-1])
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    when = None
    if date:
        day = parse_date(date)
        when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    attachments = [weasyprint.Attachment(string=data, name=name, description=name, relationship="Data",
                              created=when, modified=when) for name, data in files]
    pdf = document.write_pdf(pdf_identifier=identifier, pdf_variant="pdf/a-3b", attachments=attachments)
    return Rendered(pdf, len(document.pages), fonts.describe())


Job = tuple[str, bool, FontChoice, Files, str]  # html, allow missing glyphs, fonts, embedded files, date


def render_job(job: Job) -> Rendered:
    html, allow, fonts, files, date = job
    return render_pdf(html, allow, fonts, files, date)


def render_job_yielding(job: Job) -> Rendered:
    """A document that is not the first, rendered in a child that yields the processor to the
    first (the one the caller waits for)."""
    with contextlib.suppress(OSError):
        os.nice(5)  # for the rest of this child's life
    return render_job(job)


def start_many(htmls: list[str], allow_missing_glyphs: bool = False, files: Files = (),
               dates: list[str] | None = None, rendering: Rendering | None = None) -> Rendering:
    """Start rendering several documents at once (in ``rendering``, or a new one): WeasyPrint's
    layout is single-threaded and the documents are independent. The bytes are the same as
    rendering them one by one. Every document's characters are checked before any rendering
    starts (:class:`FontError`)."""
    fonts = checked_fonts(htmls, allow_missing_glyphs)
    rendering = rendering or Rendering()
    rendering.submit([(html, True, fonts, files, (dates or [""] * len(htmls))[i])  # checked above
                      for i, html in enumerate(htmls)])
    return rendering


def render_many(htmls: list[str], allow_missing_glyphs: bool = False, files: Files = (),
                dates: list[str] | None = None) -> list[Rendered]:
    """Several documents at once (see :func:`start_many`), waiting for them."""
    return start_many(htmls, allow_missing_glyphs, files, dates).result()
