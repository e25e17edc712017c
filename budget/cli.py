"""Command line: parse options, call the library, print problems, set the exit code.

Exit codes: 0 done, 1 problems in the input (all listed, nothing written), 2 usage errors.
"""

from __future__ import annotations

import copy
import errno
import gc
import os
import sys
import unicodedata
from contextlib import ExitStack, closing, contextmanager, nullcontext
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from . import __version__, cli_text
from .core.display import UNITS, allocation_quantum, parse_date
from .core.language import LANGUAGES, both, language_from_environment, said, use_language
from .core.money import format_grouped
from .core.period import parse_years
from .core.policy import parse_share
from .core.problems import InputError, Problem
from .core.results import sample_notes
from .resources import EXAMPLE_DOCUMENTS, EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY, policy_path
from .writers.atomic import folder_lock
from .writers.fonts import FontError

cli_text.install()

# Each command imports what it needs when it runs (python -X importtime): planning without
# documents or workbooks never loads WeasyPrint, Jinja2, openpyxl or xlsxwriter.

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
                  help="社会保险扶贫补助资金测算、下达与清算，精确到分。"
                       "(Plan and settle social-insurance poverty-alleviation subsidies, exact to the fen.)")

PolicyOption = typer.Option(None, "--policy", "-p", metavar="政策文件", help="政策文件（YAML，可重复，每个城市一个；"
                            "也可写内置名称如 xianyang-2017-303）。默认：内置咸阳配置。(policy YAML, repeatable)")
HeadcountOption = typer.Option(None, "--headcounts", "-H", metavar="人数文件", help="人数文件（CSV 或 XLSX，"
                               "或填好的填报模板）。默认：内置的虚构示例。(headcounts CSV/XLSX)")
YearOption = typer.Option(None, "--year", "-y", metavar="年度", help="预算年度（可重复）。默认：人数文件中的每一年。"
                          "(budget year, repeatable)")


def _policies(paths: Optional[List[Path]]) -> list[str]:
    if not paths:
        return [str(EXAMPLE_POLICY)]
    found = {p: policy_path(str(p)) for p in paths}  # (a country names ~335 files: each looked up once)
    _once("--policy", paths, key=lambda p: _same_file(found[p]))
    return [found[p] for p in paths]


def _same_file(path: str) -> object:
    """What the same file given twice (by two names, or through a link) has in common."""
    try:
        status = os.stat(path)
    except OSError:  # (missing: the reader says so)
        return os.path.abspath(path)
    if not status.st_ino:  # a file system without file numbers (some network shares on Windows)
        return os.path.realpath(path)
    return status.st_dev, status.st_ino


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)


def _say(zh: str, en: str, err: bool = False, **values) -> None:
    """Print a message in the chosen language (``str.format`` fields filled from ``values``)."""
    typer.echo(str(said(zh, en, **values)), err=err)


@app.callback()
def _choose_language(
    lang: Optional[str] = typer.Option(None, "--lang", metavar="语言", help="提示信息的语言：zh（中文，默认）或 en；"
                                       "也可用环境变量 BUDGET_LANG=en 或 LANG=en_US.UTF-8。(language: zh or en)"),
) -> None:
    """社会保险扶贫补助资金测算、下达与清算，精确到分。"""
    given = os.environ.get("BUDGET_LANG", "").strip()
    if lang is None and given and given.lower()[:2] not in LANGUAGES:
        _usage_error(f"BUDGET_LANG={given}：只能是 zh 或 en / BUDGET_LANG must be zh or en")
    chosen = lang or language_from_environment(os.environ)
    if chosen not in LANGUAGES:
        _usage_error(f"--lang {chosen}：只能是 zh 或 en / --lang must be zh or en")
    use_language(chosen)


def _lang_first(args: list[str]) -> list[str]:
    """``budget check --lang en`` as ``budget --lang en check``: the language is an option of the
    program, but a clerk adds it where the rest of the command is."""
    for i, arg in enumerate(args[1:], start=1):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return [args[i], args[i + 1], *args[:i], *args[i + 2:]]
        if arg.startswith("--lang="):
            return [arg, *args[:i], *args[i + 1:]]
    return args


OS_REASONS = {errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
              errno.EACCES: ("没有权限", "permission denied"), errno.EPERM: ("没有权限", "operation not permitted"),
              errno.ENOSPC: ("磁盘空间不足", "no space left on the disk"),
              errno.EROFS: ("只读的磁盘或文件夹", "read-only file system"),
              errno.EISDIR: ("是文件夹", "is a folder"), errno.ENOTDIR: ("不是文件夹", "not a folder"),
              errno.ENAMETOOLONG: ("文件名太长", "file name too long")}


def os_reason(exc: OSError):
    """What the system said, in the chosen language where it is a common reason."""
    known = OS_REASONS.get(exc.errno or 0)
    return said(known[0], known[1]) if known else (exc.strerror or str(exc))


@contextmanager
def _problems_exit(out: Path | None = None, writes: bool = True):
    """Input problems, missing fonts and unwritable outputs end the command with exit code 1
    and a message, never a traceback. ``writes``: the command writes files (check and explain
    do not, so they never say that nothing was written)."""
    try:
        yield
    except InputError as exc:
        _fail(exc, writes)
    except FontError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        where = exc.filename or out
        why = os_reason(exc)
        if not writes:  # nothing is written: it is a file that could not be read
            _say("无法读取 {where}：{why}", "cannot read {where}: {why}", err=True, where=where, why=why)
            raise typer.Exit(1) from None
        # the folder the clerk named, not the temporary file or lock beside it that failed
        _say("无法写出到 {out}：{why}", "cannot write to {out}: {why}", err=True, out=out if out else where, why=why)
        raise typer.Exit(1) from None


@contextmanager
def _without_cycle_collection():
    """Reading, checking and computing a plan build hundreds of thousands of long-lived objects
    and no reference cycles: the cyclic collector would only rescan them, over and over (a
    quarter of a country plan's time, and a growing share as the country grows). Reference
    counting frees what is dropped; the collector is back on afterwards (and around the PDFs,
    whose layout makes cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # what was made meanwhile lives until the command ends: frozen, the collector back on
            # does not go through it all at its first run (~0.1 s of a country's plan, twice)
            gc.freeze()
            gc.enable()


def _say_if_sample(files) -> None:
    for note in sample_notes(files):
        _say("示例数据：{note}（输出文件中也有此说明）", "sample: {note} — the outputs say so too", err=True, note=note)


def _fail(exc: InputError, writes: bool = True) -> None:
    _report(exc.problems)
    count = sum(1 for p in exc.problems if p.severity == "error")
    if writes:
        _say("发现 {count} 个问题，未写出任何文件。", "{count} problem(s) found; nothing was written.", err=True, count=count)
    else:
        _say("发现 {count} 个问题。", "{count} problem(s) found.", err=True, count=count)
    raise typer.Exit(1)


# What an option names: an input file, an output folder or an output file. A wrong kind of path
# (a folder for a file, a file for a folder) is said as such before anything is read or written,
# instead of "cannot write" or "File exists" from the operating system.
INPUT_KINDS = {"table": ("CSV 或 XLSX 文件", "a CSV or XLSX file"), "yaml": ("YAML 文件", "a YAML file")}


def _paths(inputs: tuple = (), out: Optional[Path] = None, out_file: Optional[Path] = None) -> None:
    """``inputs``: (option, path or paths, kind of :data:`INPUT_KINDS`); ``out``: an output
    folder (--out); ``out_file``: an output .xlsx file (template --out). Every wrong path is
    named at once, then exit code 2."""
    messages = []
    for option, given, kind in inputs:
        zh, en = INPUT_KINDS[kind]
        for path in given if isinstance(given, list) else [given]:
            if path is not None and Path(path).is_dir():
                messages.append(f"{option} 应是一个 {zh}，{path} 是一个文件夹 / {option} must be {en}; {path} is a folder")
    if out is not None:
        blocking = next((p for p in [out, *out.parents] if p.exists() and not p.is_dir()), None)
        if blocking == out:
            messages.append(f"--out 应是一个文件夹，{out} 是一个文件 / --out must be a folder; {out} is a file")
        elif blocking is not None:
            messages.append(f"--out 应是一个文件夹，{blocking} 是一个文件，不能在其中建文件夹 / --out must be a folder; "
                            f"{blocking} is a file, so no folder can be made in it")
    if out_file is not None and out_file.is_dir():
        messages.append(f"--out 应是一个 .xlsx 文件，{out_file} 是一个文件夹 / --out must be an .xlsx file; "
                        f"{out_file} is a folder")
    elif out_file is not None and out_file.suffix.lower() != ".xlsx":
        messages.append(f"--out 应是一个 .xlsx 文件（文件名以 .xlsx 结尾），{out_file.name} 不是 / --out must be an .xlsx "
                        f"file (a name ending in .xlsx); {out_file.name} is not")
    elif out_file is not None and out_file.parent.exists() and not out_file.parent.is_dir():
        messages.append(f"--out 所在的 {out_file.parent} 是文件，不是文件夹 / the folder of --out, {out_file.parent}, is a "
                        "file")
    elif out_file is not None and not out_file.parent.is_dir():
        messages.append(f"--out 所在的文件夹 {out_file.parent} 不存在 / the folder of --out, {out_file.parent}, does not "
                        "exist")
    if messages:
        _usage_error("\n".join(messages))


DocumentsOption = typer.Option(None, "--documents", "-d", metavar="公文设置", help="公文设置（YAML：分配单位、发文机关、"
                               "文号、日期、主送、抄送、上级指标文号、科目等）。(document settings YAML)")
NumberOption = typer.Option(None, "--number", metavar="文号", help="通知文号，如 咸财社〔{year}〕12号（优先于公文设置）。")
DateOption = typer.Option(None, "--date", metavar="日期", help="成文日期，如 2018-01-08（优先于公文设置）。")
TitleOption = typer.Option(None, "--title", metavar="标题", help="通知标题（优先于公文设置）。")
IssuerOption = typer.Option(None, "--issuer", metavar="发文机关", help="发文机关，联合发文时重复（优先于公文设置）。")
AddresseesOption = typer.Option(None, "--addressees", metavar="主送机关", help="主送机关（优先于公文设置）。")
CcOption = typer.Option(None, "--cc", metavar="抄送机关", help="抄送机关，每个重复一次（优先于公文设置）。")


def _usage_error(message: str) -> NoReturn:
    """``"中文 / English"`` (a line each): the part in the chosen language; exit code 2."""
    typer.echo("\n".join(str(both(line)) for line in message.split("\n")), err=True)
    raise typer.Exit(2)


# Years the tool plans: the policies start in 2018; a year outside this is a typing error
# (19 for 2019, 1999 for 2019), which would otherwise write a template the tool cannot read back.
YEAR_MIN, YEAR_MAX = 2000, 2100


def _year(value: int, option: str = "--year") -> int:
    if not YEAR_MIN <= value <= YEAR_MAX:
        _usage_error(f"{option} {value}：年度须在 {YEAR_MIN}–{YEAR_MAX} 之间 / must be a year from {YEAR_MIN} "
                     f"to {YEAR_MAX}, written in full (2019, not 19)")
    return value


def _once(option: str, values: Optional[List], key=str) -> None:
    """A repeatable option given the same value twice is an error, not collapsed: the user most
    likely meant another value (--year 2019 --year 2020), and planning 2019 twice doubled every total."""
    seen: set = set()
    for value in values or []:
        if key(value) in seen:
            _usage_error(f"{option} {value} 重复给出，每个值只能给一次 / {option} {value} is given twice: "
                         "give each value once")
        seen.add(key(value))


def _years(values: Optional[List[int]]) -> Optional[List[int]]:
    _once("--year", values)
    return [_year(v) for v in values] if values else None


def _notice_options(number, date, title, issuer, addressees, cc) -> dict:
    """Document settings given on the command line, checked here. ``{year}`` and ``{next_year}``
    in them become each budget year, as in a settings file; a date with ``{year}`` is checked
    once the years are known."""
    if date is not None and "{" not in date:
        try:
            parse_date(date)
        except ValueError as exc:
            _usage_error(f"--date '{date}'：不是有效的日期，应写作 2018-01-08 / --date '{date}' {exc}")
    _once("--issuer", issuer)
    _once("--cc", cc)
    given = {"number": number, "date": date, "title": title, "issuers": list(issuer or []) or None,
             "addressees": addressees, "cc": list(cc or []) or None}
    return {k: v for k, v in given.items() if v}


AllowGlyphsOption = typer.Option(False, "--allow-missing-glyphs", help="即使有字库缺少的字也照样生成 PDF（该字显示为方框）。")


FinalOption = typer.Option(False, "--final", help="正式稿：仍有假设参数（逐项列出文件:行）或缺少上级指标文号、科目、"
                           "联系人时拒绝；不加此项时，依赖假设的通知为征求意见稿。")
AllocationUnitOption = typer.Option(None, "--allocation-unit", metavar="单位", help="分配单位：每县每项目金额只舍入一次到"
                                    "该单位——分、元、0.01万元 或 万元"
                                    "（优先于公文设置；没有公文设置时为 分，内置示例的公文设置为 元）。")


def _quantum(given: Optional[str], settings_path: Optional[str]) -> int:
    """The allocation unit in fen: the option, else the document settings', else 分."""
    from .readers.document_settings import read_allocation_unit

    name = given or (read_allocation_unit(settings_path) if settings_path else None) or "分"
    try:
        return allocation_quantum(name)
    except ValueError as exc:
        typer.echo(f"--allocation-unit: {exc}", err=True)
        raise typer.Exit(2) from None


ScenarioOption = typer.Option(None, "--scenario", metavar="测算方案", help="测算方案（YAML）：在政策文件之上按日期改变标准、"
                              "比例、期间或增加本地补助，含方案名称和理由。(a scenario over the policy)")
AdvanceOption = typer.Option(None, "--advance-rate", "-a", metavar="比例", help="预拨（提前下达）比例，如 90%；"
                             "写出 advances.csv 和提前下达通知，清算时据此结算。")


CsvEncodingOption = typer.Option(None, "--csv-encoding", metavar="编码", help="CSV 文件的编码：utf-8-bom（默认，Excel "
                                 "可直接打开）、gb18030（中文 Windows 的 Excel 默认编码）或 utf-8（无 BOM，供程序读取）。")
CsvHeadersOption = typer.Option(None, "--csv-headers", metavar="表头", help="CSV 文件的表头：en（默认，英文表头和代码，"
                                "见 README，供程序读取）或 zh（中文表头，补助项目、承担级次、人员类别用中文名称）。")


def _csv_format(encoding: Optional[str], headers: Optional[str], default=None):
    """The CSV format the options ask for, over ``default`` (a plan folder's, for settle)."""
    from .writers.csv_writer import CsvFormat

    base = default or CsvFormat()
    try:
        return CsvFormat(encoding or base.encoding, headers or base.headers)
    except ValueError as exc:
        _usage_error(str(exc))


def _rate(text: Optional[str]):
    if text is None:
        return None
    try:
        rate = parse_share(unicodedata.normalize("NFKC", text).strip())  # ９０％ typed with a Chinese input method
    except ValueError:
        _usage_error(f"--advance-rate {text}：不是比例，应写作 90%、9/10 或 0.9 / --advance-rate {text} is not a share: "
                     "write 90%, 9/10 or 0.9")
    if not 0 < rate <= 1:
        _usage_error(f"--advance-rate {text}：应大于 0、不超过 100% / must be more than 0 and at most 100%")
    return rate


@app.command()
def plan(
    year: Optional[List[int]] = YearOption,
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    out: Path = typer.Option(Path("out"), "--out", "-o", metavar="文件夹", help="输出文件夹（没有则新建）。"),
    unit: str = typer.Option("元", "--unit", "-u", metavar="单位", help="预算表金额单位：元 或 万元。"),
    documents: Optional[Path] = DocumentsOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否生成通知和测算说明 PDF。"),
    workbook: bool = typer.Option(True, "--workbook/--no-workbook", help="是否生成预算表（xlsx）和指标表。"),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    advance_rate: Optional[str] = AdvanceOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", metavar="因素文件", help="因素法分配的因素数据："
                                           "year,region_code,factor,value。"),
    allocation_unit: Optional[str] = AllocationUnitOption,
    final: bool = FinalOption,
    number: Optional[str] = NumberOption, date: Optional[str] = DateOption, title: Optional[str] = TitleOption,
    issuer: Optional[List[str]] = IssuerOption, addressees: Optional[str] = AddresseesOption,
    cc: Optional[List[str]] = CcOption,
    years: Optional[str] = typer.Option(None, "--years", metavar="年度范围", help="中期财政规划：年度范围，如 2020-2022"
                                        "（预测的年度）；另写出各年并列的 budget-2020-2022.xlsx。"),
    scenario: Optional[Path] = ScenarioOption,
    adopt: Optional[str] = typer.Option(None, "--adopt", metavar="方案名称", help="采用该名称的测算方案：测算即为正式测算"
                                        "（写出通知，不加“测算方案”标记）。"),
    csv_encoding: Optional[str] = CsvEncodingOption,
    csv_headers: Optional[str] = CsvHeadersOption,
) -> None:
    """测算：计算各县各项目省、市、县应承担金额，写出分配表、预算表、通知和测算说明。

    Plan: every payer's amount per subsidy and county; allocations.csv, the workbook, the
    notice and the explanation (advances.csv and the 提前下达 notice with --advance-rate). With --scenario, the outputs
    are marked 测算方案，非正式下达 and no notice is written unless --adopt names it."""
    if unit not in UNITS:
        _usage_error(f"--unit {unit}：只能是 {'、'.join(UNITS)} / must be one of: {', '.join(UNITS)}")
    _paths((("--headcounts", headcounts, "table"), ("--factors", factors, "table"), ("--policy", policy, "yaml"),
            ("--documents", documents, "yaml"), ("--scenario", scenario, "yaml")), out=out)
    rate = _rate(advance_rate)
    if years is not None:
        if year:
            _usage_error("--year（可重复）和 --years（年度范围）只能给一个 / give either --year or --years, not both")
        try:
            year = parse_years(years)
        except ValueError as exc:
            _usage_error(f"--years {years}：应写作 2020-2022 / {exc}")
    chosen = _years(year)
    csv_format = _csv_format(csv_encoding, csv_headers)
    notice_settings = _notice_options(number, date, title, issuer, addressees, cc)
    settings = str(documents) if documents else (str(EXAMPLE_DOCUMENTS) if not policy else None)
    from .outputs import Documents, InputCopies, scenario_lines, write_plan_outputs
    from .plan import run_plan
    from .writers.text import assumptions_shown, summary

    # the documents' rendering process: started by the console script already, perhaps (a plan
    # without documents does not import it: multiprocessing would cost a country's plan 1 MB)
    early = sys.modules.get("budget.writers.rendering")
    rendering = early.take_early() if early is not None else None
    if pdf and rendering is None:  # first: it imports WeasyPrint while the inputs are read
        from .writers.rendering import Rendering

        rendering = Rendering()
    elif not pdf and rendering is not None:
        rendering.close()
        rendering = None
    copies: list[InputCopies] = []  # the inputs' copies, made in the plan folder while the plan is computed
    with closing(rendering) if rendering is not None else nullcontext(), _problems_exit(out), folder_lock(out), \
            ExitStack() as started:
        quantum = _quantum(allocation_unit, settings)
        with _without_cycle_collection():
            result, warnings = run_plan(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), chosen, rate,
                                        str(factors) if factors else None, quantum, str(scenario) if scenario else None,
                                        adopt, loaded=lambda read, files: copies.append(
                                            started.enter_context(closing(InputCopies(read, files, settings, out)))))
        with _without_cycle_collection() if not pdf else nullcontext():
            names, fonts = write_plan_outputs(result, out, unit,
                                              Documents(settings, allow_missing_glyphs, notice_settings, final,
                                                        rendering=rendering)
                                              if pdf else None, settings, workbook, rolling=years is not None,
                                              csv_format=csv_format, copies=copies[0] if copies else None)
    _report(warnings)
    _say_if_sample(result.files)
    if result.policy.scenario is not None:
        typer.echo("\n".join(scenario_lines(result.policy.scenario)))
    typer.echo(summary(result.policy, result.lines, result.fund_lines))
    typer.echo("")
    typer.echo(assumptions_shown(result.policy, result.years))
    _written(out, names, fonts)


def _written(out: Path, names, fonts: str | None = None) -> None:
    if fonts:
        _say("\n字体：{fonts}", "\nfonts: {fonts}", fonts=fonts)
    _say("\n已写出到 {out}：{names}", "\nwritten to {out}: {names}", out=out, names=", ".join(names))


@app.command()
def report(
    plan_folder: Path = typer.Option(Path("out"), "--from", metavar="测算文件夹", help="budget plan 的输出文件夹。"),
    documents: Optional[Path] = DocumentsOption,
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="文件夹", help="PDF 写到哪里（默认：测算文件夹）。"),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    number: Optional[str] = NumberOption, date: Optional[str] = DateOption, title: Optional[str] = TitleOption,
    issuer: Optional[List[str]] = IssuerOption, addressees: Optional[str] = AddresseesOption,
    cc: Optional[List[str]] = CcOption,
) -> None:
    """重新生成通知和测算说明（如换用其他公文设置）；测算文件夹的输入被改动时拒绝。

    Report: render the PDFs again from a plan's folder; refuses changed inputs."""
    from .outputs import Documents, render_documents
    from .plan import load_plan_folder
    from .writers.atomic import staged

    _paths((("--documents", documents, "yaml"),), out=out)
    target = out or plan_folder
    notice_settings = _notice_options(number, date, title, issuer, addressees, cc)
    with _problems_exit(target), folder_lock(target):
        folder = load_plan_folder(plan_folder)
        files, fonts = render_documents(folder.result, Documents(str(documents) if documents else folder.documents,
                                                                 allow_missing_glyphs, notice_settings))
        # into the plan's own folder: the plan's files stay beside the new documents
        with staged(target, keep_earlier=os.path.samefile(target, plan_folder) if target.exists() else False) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    _written(target, files, fonts)


@app.command()
def settle(
    year: int = typer.Option(..., "--year", "-y", metavar="年度", help="清算年度。"),
    planned: Path = typer.Option(..., "--planned", metavar="测算", help="budget plan 的输出文件夹，或预测人数文件。"),
    actual: Path = typer.Option(..., "--actual", metavar="实际人数", help="实际人数文件（CSV 或 XLSX；按月补助可有 month 列）。"),
    policy: Optional[List[Path]] = typer.Option(None, "--policy", "-p", metavar="政策文件", help="政策文件（与预测人数文件"
                                                "一起用；对测算文件夹则必须是其政策）。"),
    out: Path = typer.Option(Path("out-settlement"), "--out", "-o", metavar="文件夹", help="输出文件夹。"),
    advance_rate: Optional[str] = typer.Option(None, "--advance-rate", "-a", metavar="比例", help="与预测人数文件一起用："
                                               "当时预拨的比例（对测算文件夹则以其记录为准，不同即拒绝）。"),
    documents: Optional[Path] = DocumentsOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否生成清算通知 PDF。"),
    allow_missing_glyphs: bool = AllowGlyphsOption,
    allocation_unit: Optional[str] = AllocationUnitOption,
    number: Optional[str] = NumberOption, date: Optional[str] = DateOption, title: Optional[str] = TitleOption,
    issuer: Optional[List[str]] = IssuerOption, addressees: Optional[str] = AddresseesOption,
    cc: Optional[List[str]] = CcOption,
    csv_encoding: Optional[str] = CsvEncodingOption,
    csv_headers: Optional[str] = CsvHeadersOption,
) -> None:
    """清算：按实际人数计算应拨数，与预算或已预拨数比较，多退少补；写出清算表、上下级结算、决算表和清算通知。

    Settle a year against a plan folder (what it advanced and its allocation unit are the
    plan's) or forecast headcounts."""
    from .outputs import Documents, write_settlement_outputs
    from .settle import run_settlement
    from .writers.text import settlement_summary

    _year(year)
    _paths((("--actual", actual, "table"), ("--policy", policy, "yaml"), ("--documents", documents, "yaml")), out=out)
    _once("--policy", policy, key=lambda p: os.path.realpath(policy_path(str(p))))
    rate = _rate(advance_rate)
    _csv_format(csv_encoding, csv_headers)  # a wrong value is a usage error before anything is read
    with _problems_exit(out), folder_lock(out):
        settings = str(documents) if documents else _plan_documents(planned)
        csv_format = _csv_format(csv_encoding, csv_headers, _plan_csv_format(planned))  # as the plan's, unless given
        quantum = _quantum(allocation_unit, settings) if (allocation_unit or not planned.is_dir()) else None
        result, warnings = run_settlement(year, str(planned), str(actual),
                                          [policy_path(str(p)) for p in policy] if policy else None, rate, quantum)
        notice_settings = _notice_options(number, date, title, issuer, addressees, cc)
        names, fonts = write_settlement_outputs(result, out, Documents(settings, allow_missing_glyphs, notice_settings)
                                                if pdf else None, csv_format)
    _report(warnings)
    _say_if_sample(result.files)
    typer.echo(settlement_summary(result))
    _written(out, names, fonts)


def _plan_csv_format(planned: Path):
    """How a plan folder wrote its CSV files (settle writes its own the same way); None for headcounts."""
    from .plan import plan_csv_format

    return plan_csv_format(planned) if planned.is_dir() else None


def _plan_documents(planned: Path) -> str | None:
    """The document settings a plan folder was made with (its verified copy), if any."""
    from .plan import plan_documents

    return plan_documents(planned) if planned.is_dir() else None


@app.command()
def check(
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    year: Optional[List[int]] = YearOption,
) -> None:
    """校验政策文件和人数文件，不做计算。 (Check the policy and the headcounts.)"""
    from .plan import load_inputs

    _paths((("--headcounts", headcounts, "table"), ("--policy", policy, "yaml")))
    years = _years(year)
    with _problems_exit(writes=False):  # check writes nothing
        inputs = load_inputs(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), years)
    _report(inputs.warnings)
    counties = len(inputs.policy.counties())
    given = len({code for year, code, _ in inputs.headcounts.keys() if year in inputs.years})
    left_out = (said("（另 {n} 个未填报，不纳入测算）", " ({n} more without headcounts, left out)", n=counties - given)
                if given < counties else "")
    _say("校验通过：{files} 个政策文件，{subsidies} 项补助，{counties} 个县（市、区）{left_out}，年度 {years}。",
         "OK: {files} policy file(s), {subsidies} subsidies, {counties} counties{left_out}, years {years}.",
         files=len(inputs.policy.files), subsidies=len(inputs.policy.subsidies), counties=given,
         left_out=left_out, years=", ".join(map(str, inputs.years)))


@app.command()
def explain(
    year: int = typer.Option(..., "--year", "-y", metavar="年度", help="预算年度。"),
    region: str = typer.Option(..., "--region", "-r", metavar="地区", help="县（市、区）代码或名称，如 610402 或 秦都区。"),
    subsidy: str = typer.Option(..., "--subsidy", "-s", metavar="项目", help="补助项目或资金的名称（或其中几个字）或代码，"
                                "如 补充医疗保障 或 supplementary_medical。"),
    headcounts: Optional[Path] = HeadcountOption,
    policy: Optional[List[Path]] = PolicyOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", metavar="因素文件", help="因素法资金的因素数据。"),
) -> None:
    """说明某县某项目某年各级金额的计算过程。 (Explain how one line was derived.)"""
    from .plan import run_plan
    from .writers.text import explain as explain_line
    from .writers.text import explain_fund

    _year(year)
    _paths((("--headcounts", headcounts, "table"), ("--policy", policy, "yaml"), ("--factors", factors, "table")))
    with _problems_exit(writes=False):  # explain writes nothing
        result, _ = run_plan(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS), [year],
                             factors_path=str(factors) if factors else None)
    items = {**{s.id: s.name for s in result.policy.subsidies.values()},
             **{f.id: f.name for f in result.policy.funds.values()}}
    matches = ([i for i, name in items.items() if subsidy in (i, name)]
               or [i for i, name in items.items() if subsidy in name]
               or [i for i, name in items.items() if _in_order(subsidy, name)])  # 医保缴费资助 → 城乡居民医保个人缴费资助
    if len(matches) != 1:
        listed = "；".join(f"{name}（{i}）" for i, name in items.items() if i in matches or not matches)
        what = "不止一个项目" if matches else "没有这个项目"
        _say("--subsidy '{subsidy}'：{what}，可用的项目：{listed}", "--subsidy '{subsidy}': {what_en}; the subsidies: "
             "{listed}", err=True, subsidy=subsidy, what=what, listed=listed,
             what_en="more than one subsidy matches" if matches else "no such subsidy")
        raise typer.Exit(1)
    subsidy = matches[0]
    tree = result.policy.regions
    left_out = {tree.regions[c].name: c for c in result.policy.excluded if c in tree.regions}
    by_name = left_out | {r.name: r.code for r in result.policy.counties()} | \
        {r.old_name: r.new_code for r in tree.renamed.values()}
    code = tree.renamed[region].new_code if region in tree.renamed else by_name.get(region, region)
    if subsidy in result.policy.funds:
        shares = [f for f in result.fund_lines if f.region.code == code and f.fund.id == subsidy]
        if shares:
            typer.echo(explain_fund(shares[0], result.fund_lines))
            return
    found = [ln for ln in result.lines if ln.region.code == code and ln.subsidy.id == subsidy]
    if not found:
        zh, en = _why_no_line(result, year, region, code, subsidy, items[subsidy],
                              headcounts.name if headcounts else EXAMPLE_HEADCOUNTS.name)
        _say("{a}", "{b}", err=True, a=zh, b=en)
        raise typer.Exit(1)
    typer.echo(explain_line(result.policy, found[0]))


def _in_order(short: str, name: str) -> bool:
    """Every character of ``short`` in ``name``, in order: how a clerk shortens a subsidy's name."""
    rest = iter(name)
    return len(short) >= 2 and all(ch in rest for ch in short)


def _why_no_line(result, year: int, region: str, code: str, subsidy: str, name: str, file: str) -> tuple[str, str]:
    """Why ``explain`` has no line to show, in Chinese and English: the region is unknown, left out
    by the policy, or not in the headcount file for the year, or the subsidy is not in force."""
    policy = result.policy
    known = policy.regions.get(code)
    if known is None or known.level != "county":
        counties = "、".join(f"{r.name}（{r.code}）" for r in policy.counties())
        return (f"找不到县（市、区）“{region}”：本测算的县（市、区）为 {counties}",
                f"no county “{region}” in this plan; its counties: {counties}")
    place = f"{known.name}（{code}）"
    if code in policy.excluded:
        return (f"{place}按政策设置不纳入测算：{policy.excluded[code]}",
                f"{place} is left out by the policy setting: {policy.excluded[code]}")
    if not any(ln.region.code == code for ln in result.lines):
        return (f"{place}在人数文件 {file} 中没有 {year} 年的人数，不纳入本次测算",
                f"{place} has no headcounts for {year} in {file}, so it is not in this plan")
    if not any(ln.subsidy.id == subsidy for ln in result.lines):
        return f"“{name}”{year}年未执行", f"“{name}” is not in force in {year}"
    where = "、".join(dict.fromkeys(ln.region.name for ln in result.lines if ln.subsidy.id == subsidy))
    return (f"“{name}”{year}年只在{where}执行，{place}没有这项补助",
            f"“{name}” applies in {year} only in {where}; {place} has none")


@app.command()
def template(
    year: int = typer.Option(..., "--year", "-y", metavar="年度", help="各县填报的年度。"),
    policy: Optional[List[Path]] = PolicyOption,
    out: Path = typer.Option(..., "--out", "-o", metavar="文件", help="要写出的 .xlsx 文件。"),
    force: bool = typer.Option(False, "--force", help="即使该文件已有填报数据也覆盖。"),
) -> None:
    """生成人数填报模板（每县一行、每类人员一列）；已填报的同名文件不会被覆盖（除非 --force）。

    Template: the headcount collection workbook."""
    from .core.template_layout import template_groups
    from .readers.policy_reader import read_policy
    from .readers.template_reader import filled_cell
    from .writers.atomic import write_bytes
    from .writers.template import template_bytes

    _year(year)
    _paths((("--policy", policy, "yaml"),), out_file=out)
    with _problems_exit(out):
        loaded, _ = read_policy(_policies(policy))
    if not template_groups(loaded, year):
        in_force = [y for y in range(YEAR_MIN, YEAR_MAX + 1) if template_groups(loaded, y)]
        since_zh = f"（政策自 {in_force[0]} 年起执行）" if in_force else ""
        since_en = f" (in force from {in_force[0]})" if in_force else ""
        _usage_error(f"--year {year}：该年度没有在执行的补助{since_zh}，模板将没有任何人员类别 / no subsidy of the policy "
                     f"is in force in {year}, so the template would collect nothing{since_en}")
    if (out.exists() or out.is_symlink()) and not force:
        why = (filled_cell(str(out)) if out.is_file() and not out.is_symlink()
               else str(said("不是普通文件", "it is not a plain file")))
        if why is not None:
            _say("{out}：已存在且不是未填写的空模板（{why}），为免丢失已填数据未覆盖；确需覆盖请加 --force",
                 "{out} exists and is not an untouched template ({why}); it was not overwritten: add --force to "
                 "replace it", err=True, out=out, why=why)
            raise typer.Exit(1)
    with _problems_exit(out):
        write_bytes(out, template_bytes(loaded, year))
    _say("已写出：{out}（{year}年，{counties} 个县（市、区），{groups} 类人员）", "written: {out} ({counties} counties, "
         "{groups} groups for {year})", out=out, year=year, counties=len(loaded.counties()),
         groups=len(template_groups(loaded, year)))


@app.command()
def verify(
    cases: List[Path] = typer.Argument(..., metavar="案例文件", help="政策案例文件（YAML，可给多个）：测算、清算和因素法案例。"),
) -> None:
    """运行按文件手工推算的政策案例，逐项核对到分。 (Verify hand-written policy cases.)"""
    from .readers.cases_reader import read_cases
    from .verify import verify as run_verify

    _paths((("案例文件", cases, "yaml"),))
    with _problems_exit(writes=False):  # verify writes nothing
        loaded = [case for path in cases for case in read_cases(str(path))]
    verdicts = run_verify(loaded)
    for verdict in verdicts:
        mark = "✓" if verdict.passed else "✗"
        typer.echo(f"{mark} {verdict.case.name}  [{verdict.case.source}]")
        for difference in verdict.differences:
            typer.echo(f"    {difference}")
        if not verdict.passed and verdict.case.clause:
            _say("    依据：{clause}", "    clause: {clause}", clause=verdict.case.clause)
    failed = sum(1 for v in verdicts if not v.passed)
    _say("共 {cases} 个案例，{failed} 个不符。", "{cases} case(s), {failed} failed.", cases=len(verdicts), failed=failed)
    if failed:
        raise typer.Exit(1)


@app.command()
def roster(
    lists: Path = typer.Option(..., "--lists", "-l", metavar="名单配置", help="名单配置（YAML）：各名单文件、列及各类人员的"
                               "认定规则。(roster configuration)"),
    year: int = typer.Option(..., "--year", "-y", metavar="年度", help="统计年度。"),
    out: Path = typer.Option(..., "--out", "-o", metavar="文件夹", help="输出文件夹（没有则新建）。"),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="跳过无法统计的行（身份证号、日期或地区有误）"
                                       "并写出结果，problems.csv 逐行列出。"),
    person_rows: str = typer.Option("flagged", "--person-rows", metavar="范围", help="台账中的脱敏人员行：flagged（多名单、"
                                    "年内变动、重复、迁移）、all 或 none。"),
    memory_limit: str = typer.Option("1GB", "--memory-limit", metavar="内存", help="DuckDB 内存上限，超出时写入私有临时文件夹。"),
    csv_encoding: Optional[str] = CsvEncodingOption,
    csv_headers: Optional[str] = CsvHeadersOption,
) -> None:
    """人员台账比对：按身份证号匹配各名单，生成人数文件、问题清单、脱敏台账和审计日志。

    Roster: person lists matched by ID number into a headcount file (masked outputs)."""
    from .roster import PERSON_ROWS, refuse_bad_rows, roster_outputs, run_roster
    from .writers.atomic import staged

    _paths((("--lists", lists, "yaml"),), out=out)
    if person_rows not in PERSON_ROWS:
        _usage_error(f"--person-rows {person_rows}：只能是 {'、'.join(PERSON_ROWS)} / must be one of: "
                     f"{', '.join(PERSON_ROWS)}")
    csv_format = _csv_format(csv_encoding, csv_headers)
    with _problems_exit(out):
        result = run_roster(str(lists), year, person_rows, memory_limit)
        if not skip_bad_rows:
            refuse_bad_rows(result)
        files = roster_outputs(result, csv_format)
        with staged(out, notes=[csv_format.describe()]) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    rows = [p for p in result.row_problems if p.severity == "row"]
    for problem in rows[:20] + result.notes[:20]:
        typer.echo(str(problem), err=True)
    if len(rows) > 20 or len(result.notes) > 20:
        _say("… 共 {rows} 行未计入、{notes} 条提示，见 problems.csv", "… {rows} rows left out and {notes} notes in all: "
             "see problems.csv", err=True, rows=len(rows), notes=len(result.notes))
    _say("{year}年：{lists} 份名单，读入 {read} 行，{left} 行未计入；计入 {total} 人次（人员类别）",
         "{year}: {lists} lists, {read} rows read, {left} left out; {total} person-groups counted", year=year,
         lists=len(result.lists), read=sum(result.rows_read.values()), left=len(rows), total=sum(result.annual.values()))
    _written(out, files)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="地址", help="监听地址：127.0.0.1（仅本机）；0.0.0.0 向局域网"
                             "开放（没有登录功能：局域网内所有人都能使用）。"),
    port: int = typer.Option(8000, "--port", metavar="端口", help="端口。"),
) -> None:
    """本机网页：下载模板、上传填报表、校验、预览、下载、清算。 (Serve the clerks' web page.)"""
    import uvicorn

    from .web import create_app

    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"budget: 请在浏览器中打开 http://{shown}:{port}/ （按 Ctrl+C 停止）")
    if host in ("127.0.0.1", "localhost", "::1"):
        typer.echo("budget: 只有本机能打开；让局域网的同事使用：budget serve --host 0.0.0.0")
    else:
        typer.echo(f"budget: 已向局域网开放（{host}），没有登录功能：局域网内所有人都能使用。同事请打开 http://本机IP地址:{port}/")
    uvicorn.run(create_app(host=host, port=port), host=host, port=port, log_level="warning")


@app.command()
def compare(
    scenario: List[Path] = typer.Option(..., "--scenario", metavar="测算方案", help="测算方案（YAML），可重复。"),
    out: Path = typer.Option(..., "--out", "-o", metavar="文件夹", help="输出文件夹：compare.xlsx 等。"),
    headcounts: Optional[Path] = typer.Option(None, "--base", "--headcounts", "-H", metavar="人数文件", help="各方案共用的"
                                              "基准人数，如预测的 forecast-base.csv。默认：内置的虚构示例。"),
    policy: Optional[List[Path]] = PolicyOption,
    year: Optional[List[int]] = YearOption,
    factors: Optional[Path] = typer.Option(None, "--factors", "-f", metavar="因素文件", help="因素法资金的因素数据。"),
    allocation_unit: Optional[str] = AllocationUnitOption,
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="是否写出 compare-appendix.pdf（测算说明的附件）。"),
    allow_missing_glyphs: bool = AllowGlyphsOption,
) -> None:
    """方案比较：基准测算与各测算方案在同一人数上逐县、逐级并列，差额和增幅为公式，并列出改变的参数。

    Compare scenarios side by side."""
    from .compare import compare_files, run_compare
    from .writers.atomic import staged

    _paths((("--scenario", scenario, "yaml"), ("--base", headcounts, "table"), ("--policy", policy, "yaml"),
            ("--factors", factors, "table")), out=out)

    with _problems_exit(out):
        quantum = _quantum(allocation_unit, None)
        comparison, warnings = run_compare(_policies(policy), str(headcounts or EXAMPLE_HEADCOUNTS),
                                           [str(s) for s in scenario], year or None, quantum,
                                           str(factors) if factors else None)
        files = compare_files(comparison, pdf, allow_missing_glyphs)
        with staged(out) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    _report(warnings)
    _say_if_sample(comparison.files)
    typer.echo("测算方案，非正式下达 — 合计 (元)  基准 " + "  ".join(comparison.names))
    for year_ in comparison.base.years:
        sums = [sum(v for k, v in t.items() if k[0] == year_) for t in comparison.totals]
        typer.echo(f"{year_}: " + "  ".join(format_grouped(s) for s in sums))
    _written(out, files)


@app.command()
def forecast(
    history: Path = typer.Option(..., "--history", metavar="历年人数", help="以往年度的实际人数（plan 能读的格式）。"),
    years: str = typer.Option(..., "--years", metavar="年度范围", help="要预测的年度，如 2020-2022。"),
    out: Path = typer.Option(..., "--out", "-o", metavar="文件夹", help="输出文件夹：forecast-low/base/high.csv 和 "
                             "forecast.xlsx。"),
    policy: Optional[List[Path]] = PolicyOption,
    method: str = typer.Option("auto", "--method", "-m", metavar="方法", help="auto（逐县回测选择）、last、growth、"
                               "loglinear 或 stockflow（所有县用同一方法）。"),
    exit_rate: str = typer.Option("10%", "--exit-rate", metavar="比例", help="存量流量法：上年人员中退出的比例。"),
    entry_rate: Optional[str] = typer.Option(None, "--entry-rate", metavar="比例", help="存量流量法：新进入人员占上年"
                                             "人数的比例（默认：按历年数据推算的平均值）。"),
    scenario: Optional[List[Path]] = typer.Option(None, "--scenario", metavar="测算方案", help="预测结果还将用于该测算方案"
                                                  "（可重复）：方案计入的人员类别也一并预测。"),
    csv_encoding: Optional[str] = CsvEncodingOption,
    csv_headers: Optional[str] = CsvHeadersOption,
) -> None:
    """人数预测：按历年人数逐县回测选择预测方法，给出低、中、高三个方案，“其中”类人员按占比预测。

    Forecast headcounts from history."""
    from .core.forecast_methods import METHOD_NAMES, StockFlow
    from .forecast import forecast_files, run_forecast
    from .writers.atomic import staged

    _paths((("--history", history, "table"), ("--policy", policy, "yaml"), ("--scenario", scenario, "yaml")), out=out)

    try:
        wanted = parse_years(years)
        rates = [parse_share(exit_rate)] + ([parse_share(entry_rate)] if entry_rate else [])
    except ValueError as exc:
        _usage_error(f"--years / --exit-rate / --entry-rate：{exc}（年度写作 2020-2022，比例写作 10%）")
    if not all(0 <= r <= 1 for r in rates):
        _usage_error("--exit-rate 和 --entry-rate 应在 0 到 100% 之间 / must be between 0 and 100%")
    flows = StockFlow(float(rates[0]), float(rates[1]) if entry_rate else None)
    csv_format = _csv_format(csv_encoding, csv_headers)
    with _problems_exit(out):
        result, warnings = run_forecast(_policies(policy), str(history), wanted, method, flows,
                                        [str(s) for s in scenario or []])
        files = forecast_files(result, csv_format)
        with staged(out, notes=[csv_format.describe()]) as stage:
            for name, data in files.items():
                stage.write_bytes(name, data)
    _report(warnings)
    _say_if_sample(result.files)
    typer.echo("地区代码  地区名称    选用方法        回测年度  回测误差")
    for row in result.backtest.itertuples(index=False):
        error = getattr(row, str(row.chosen))
        shown = f"{error:.2%}" if error is not None and error == error else "—"
        tested = int(row.backtest_year) if row.backtest_year == row.backtest_year and row.backtest_year else "—"
        typer.echo(f"{row.region_code}  {row.region_name:<8}  {METHOD_NAMES[str(row.chosen)]:<12}  {tested}  {shown}")
    _written(out, files)


@app.command()
def version() -> None:
    """显示版本号。 (Print the version.)"""
    typer.echo(__version__)


def _language_of(args: list[str]) -> str:
    if args[:1] == ["--lang"] and len(args) > 1 and args[1] in LANGUAGES:
        return args[1]
    if args and args[0].startswith("--lang=") and args[0][7:] in LANGUAGES:
        return args[0][7:]
    return language_from_environment(os.environ)


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command ``args`` name: typer builds a command's options from its
    signature each time it starts (~2 ms a command), and a plan needs one of twelve. The whole
    app where no known command is named (its help, or the message for an unknown one)."""
    from typer.main import get_command_name

    from .console import command_named

    name = command_named(args)
    chosen = [c for c in app.registered_commands
              if c.callback is not None and (c.name or get_command_name(c.callback.__name__)) == name]
    if len(chosen) != 1:
        return app
    single = copy.copy(app)
    single.registered_commands = chosen
    return single


def main() -> None:
    """The console script: a bug shows as one clear line (BUDGET_DEBUG=1 for the traceback)."""
    import signal

    # a terminated run (SIGTERM) unwinds like Ctrl-C, so its temporary files are removed
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    args = _lang_first(sys.argv[1:])
    # help is printed while the options are parsed, before the language option is acted on
    use_language(_language_of(args))
    try:
        _app_for(args)(args)
    except OSError as exc:  # a path the system refuses (a name too long, a device): said, not a crash
        print(str(said("无法访问 {path}：{why}", "cannot use {path}: {why}", path=exc.filename or "", why=os_reason(exc))),
              file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — the last resort: input problems are handled above
        if os.environ.get("BUDGET_DEBUG"):
            raise
        print(f"budget: internal error ({type(exc).__name__}: {exc}). This is a bug in budget, not in your "
              "files; run again with BUDGET_DEBUG=1 and report the traceback.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
