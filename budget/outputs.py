"""Write a plan's output folder: every file staged, then all renamed at once."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .core.display import Unit, allocation_name, format_share, parse_date, shown_unit
from .core.document_settings import DocumentSettings, default_settings
from .core.indicators import INDICATOR_COLUMNS, indicator_rows, mapped
from .core.language import said
from .core.lines import Allocation, all_lines
from .core.manifest import INPUTS, MANIFEST, Manifest
from .core.policy import SCENARIO_MARK, Policy, Scenario
from .core.problems import InputError, Problem, Source
from .core.results import InputFile, PlanResult, SettlementResult
from .core.settlement import advance
from .readers.input_files import file_digest
from .resources import EXAMPLE_DOCUMENTS
from .writers.atomic import Staged, folder_lock, new_folder_beside, staged
from .writers.csv_writer import (
    DEFAULT_FORMAT,
    CsvFormat,
    allocations_bytes,
    allocations_csv,
    rows_csv,
    settlement_csv,
    transfers_csv,
)
from .writers.parallel import Job, start_jobs
from .writers.text import assumptions_text

ADVANCES = "advances.csv"


def advance_rows(result: PlanResult) -> list[Allocation]:
    """The rows of advances.csv: what the plan advances (提前下达) of the money each line hands
    down; a lower level's own share is advanced by nobody."""
    if result.advance_rate is None:
        return []
    handed = result.policy.handed_down()
    return [Allocation(p.line.year, p.line.region.code, p.line.region.name, p.line.subsidy.id, payer,
                       p.line.headcount, amount)
            for p in advance(result.lines, result.advance_rate, result.quantum, handed) for payer, amount in p.amounts
            if payer in handed]  # only money handed down is advanced


def item_names(policy) -> dict[str, str]:
    """Subsidy and fund id → Chinese name: what a CSV with Chinese headers shows."""
    return {**{s.id: s.name for s in policy.subsidies.values()}, **{f.id: f.name for f in policy.funds.values()}}


def advances_file(result: PlanResult, fmt: CsvFormat = DEFAULT_FORMAT) -> bytes:
    return fmt.encode(allocations_csv(advance_rows(result), fmt, item_names(result.policy)))


def workbook_name(year: int) -> str:
    return f"budget-{year}.xlsx"


def notice_name(year: int, draft: bool = False) -> str:
    """notice-2018.pdf; a draft (built on assumed values) says so in its name too."""
    return f"notice-{year}-征求意见稿.pdf" if draft else f"notice-{year}.pdf"


def explanation_name(year: int) -> str:
    return f"explanation-{year}.pdf"


@dataclass
class Documents:
    settings_path: str | None = None  # None: defaults from the policy
    allow_missing_glyphs: bool = False
    notice: dict = field(default_factory=dict)  # command-line settings of the notice, over the file's
    final: bool = False  # an issued notice: refused while it rests on assumptions or lacks what it must carry
    rolling: bool = False  # 中期财政规划: each 测算说明 shows the planned years side by side
    # the rendering process (writers.rendering.Rendering) when the caller started it already (before
    # reading the inputs: it imports WeasyPrint meanwhile); else one is started with the documents
    rendering: Any = field(default=None, compare=False, repr=False)


def settings_for(result: PlanResult | SettlementResult, year: int, documents: Documents) -> DocumentSettings:
    """The documents' settings for ``year``: defaults from the policy of ``result`` (a plan or
    a settlement), then the settings file, then the command line."""
    from .readers.document_settings import read_document_settings

    advance = isinstance(result, PlanResult) and result.advance_rate is not None
    settings = default_settings(result.policy, year, result.quantum, advance)
    if documents.settings_path is not None:
        settings = read_document_settings(documents.settings_path, settings, year)
    if advance and "下达" in settings.notice.title and "提前下达" not in settings.notice.title:
        settings.notice.title = settings.notice.title.replace("下达", "提前下达", 1)  # what this notice does
    section = settings.settlement if isinstance(result, SettlementResult) else settings.notice  # the command's own
    for key, value in documents.notice.items():
        setattr(section, key, _for_year(value, year))
    date = section.date
    try:
        parse_date(date)
    except ValueError as exc:
        raise InputError([Problem(None, said("--date '{date}'：不是有效的日期，{why}", "--date '{date}' {why}", date=date,
                                             why=exc.args[0]))]) from None
    for section in (settings.notice, settings.settlement):
        try:
            shown_unit(section.unit, result.quantum)
        except ValueError as exc:
            if documents.settings_path and Path(documents.settings_path).resolve() == EXAMPLE_DOCUMENTS.resolve():
                section.unit = "元"  # the shipped example's 万元 does not suit a finer unit the clerk chose: 元 does
                continue
            where = Path(documents.settings_path).name if documents.settings_path else "--unit"
            raise InputError([Problem(Source(documents.settings_path or "--unit"), said(
                "公文设置 {where} 中的金额单位 unit: {unit} 与分配单位不相容：{why}。请把该设置改为 unit: 元，或用 -d 给出其他"
                "公文设置", "the amount unit of the document settings {where} (unit: {unit}) does not suit the "
                "allocation unit: {why}. Set unit: 元 there, or give other settings with -d", where=where,
                unit=section.unit, why=exc.args[0]))]) from None
    return settings


def _for_year(value: str | list[str], year: int) -> str | list[str]:
    """``{year}`` and ``{next_year}`` in a command-line setting, as in a settings file."""
    if isinstance(value, list):
        return [str(_for_year(v, year)) for v in value]
    return value.replace("{year}", str(year)).replace("{next_year}", str(year + 1))


def render_documents(result: PlanResult, documents: Documents) -> tuple[dict[str, bytes], str]:
    """The notice and the explanation of every year, as PDF bytes (allocations.csv inside each);
    and the fonts used."""
    return start_documents(result, documents).result()


@dataclass
class PendingDocuments:
    """PDFs being rendered (in other processes) while the caller writes the rest."""

    names: list[str]
    rendering: Any  # writers.rendering.Rendering, imported only when documents are made

    def result(self) -> tuple[dict[str, bytes], str]:
        rendered = self.rendering.result()
        return {name: r.pdf for name, r in zip(self.names, rendered)}, (rendered[-1].fonts if rendered else "")

    def close(self) -> None:
        self.rendering.close()


def start_documents(result: PlanResult, documents: Documents) -> PendingDocuments:
    """Start rendering what :func:`render_documents` returns; problems (a draft refused, a
    character no font has) are raised here, before any rendering starts."""
    from .writers.rendering import Rendering

    rendering = documents.rendering or Rendering()  # first: it imports WeasyPrint while the documents are written
    try:
        return PendingDocuments(*_write_documents(result, documents, rendering))
    except BaseException:
        rendering.close()
        raise


def _write_documents(result: PlanResult, documents: Documents, rendering: Any) -> tuple[list[str], Any]:
    from .documents import explanation, notice  # Jinja2 and WeasyPrint only when documents are made
    from .documents.explanation import rolling as rolling_table
    from .writers.pdf import render_html, start_many

    names, htmls, dates = [], [], []
    if documents.final:
        refuse_draft(result, documents)
    marked = result.policy.scenario is not None and result.policy.scenario.marked
    for year in result.years:
        settings = settings_for(result, year, documents)
        if marked:  # a scenario not adopted: no notice; its explanation says what it is
            settings.explanation.title = f"{settings.explanation.title}（{SCENARIO_MARK}）"
        else:
            written = notice(result, year, settings)
            names.append(notice_name(year, written.draft))
            htmls.append(render_html("notice.html", n=written))
            dates.append(settings.notice.date)
        dates.append(settings.notice.date)
        names.append(explanation_name(year))
        unit = shown_unit(settings.notice.unit, result.quantum)  # the notice's figures, explained
        explained = explanation(result, year, settings.explanation, settings.notice.date, unit)
        if documents.rolling:
            explained.rolling_years, explained.rolling_rows = rolling_table(result, unit)
        htmls.append(render_html("explanation.html", e=explained, date=settings.notice.date))
    return names, start_many(htmls, documents.allow_missing_glyphs, (("allocations.csv", allocations_file(result)),),
                             dates, rendering)


def allocations_file(result: PlanResult, fmt: CsvFormat = DEFAULT_FORMAT) -> bytes:
    # the rows made as they are written, never all at once (a country has ~35,000 a year)
    return allocations_bytes(all_lines(result.lines, result.fund_lines), fmt, item_names(result.policy))


def indicator_files(result: PlanResult, year: int, settings: DocumentSettings,
                    fmt: CsvFormat = DEFAULT_FORMAT) -> dict[str, bytes]:
    """indicators-YEAR.csv and .xlsx: the notice's money for the budget-management system, in the
    columns of the settings' indicator_columns mapping (default: the documented header)."""
    from .writers.workbook import rows_workbook

    header, take = mapped(settings.indicator_columns)
    rows = [[cells[i] for i in take] for cells in (r.cells() for r in indicator_rows(result, year, settings))]
    amount = next((n for n, i in enumerate(take) if INDICATOR_COLUMNS[i] == "金额（元）"), None)
    return {f"indicators-{year}.csv": fmt.encode(rows_csv(header, rows)),  # Chinese headers already
            f"indicators-{year}.xlsx": rows_workbook(f"{year}年社会保险扶贫补助资金指标", header, rows, year, amount)}


def refuse_draft(result: PlanResult, documents: Documents) -> None:
    """--final: every value the notices rest on must cite a document; list each one that does
    not, with the file:line to fix, and what an issued notice must carry but the settings lack."""
    from .documents import notice

    problems = [Problem(a.source, said("假设未引用本地文件，不能正式印发：{what}（{value}）— 在此处改为引用本地正式文件的 "
                                       "ref 并删去 assumption", "an assumed value cannot be issued: {what} ({value}) — "
                                       "cite the local document that sets it here (ref) and remove the assumption",
                                       what=a.what, value=a.value))
                for a in result.policy.assumptions_for(result.years)]
    for year in result.years:
        settings = settings_for(result, year, documents)
        for item in notice(result, year, settings).missing:
            problems.append(Problem(Source(documents.settings_path or "document settings"),
                                    said("{year}年通知缺少{item}，不能正式印发", "the {year} notice lacks {item}, which "
                                         "an issued notice needs", year=year, item=item)))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))


def _described(f: InputFile) -> str:
    return f"{f.role}: {f.name} sha256={f.sha256}" + "".join(f"\n    # {note}" for note in f.notes)


def inputs_layout(files: list[InputFile], region_files: list[str], settings_path: str | None) -> dict[str, str]:
    """Where each input's copy goes in the plan folder → the file it copies. Policy files and
    region lists keep their places beside each other (``extends:`` and ``regions: file:`` name
    them relative to one another); the others go by role and name."""
    layout: dict[str, str] = {}
    policy_files = [os.path.abspath(f.path) for f in files if f.role == "policy"]
    related = policy_files + [os.path.abspath(p) for p in region_files]
    common = os.path.commonpath([os.path.dirname(p) for p in related])
    for path in related:
        layout[f"{INPUTS}/policy/" + Path(os.path.relpath(path, common)).as_posix()] = path
    for f in files:
        if f.role in ("headcounts", "factors"):
            layout[f"{INPUTS}/{f.role}/{f.name}"] = os.path.abspath(f.path)
    if settings_path:
        layout[f"{INPUTS}/documents/{Path(settings_path).name}"] = os.path.abspath(settings_path)
    return layout


def _layout_digests(files: list[InputFile], layout: dict[str, str]) -> dict[str, str]:
    known = {os.path.abspath(f.path): f.sha256 for f in files}
    return {rel: known.get(source) or file_digest(source) for rel, source in layout.items()}


def manifest(result: PlanResult, unit: str, settings_path: str | None,
             fmt: CsvFormat = DEFAULT_FORMAT) -> tuple[Manifest, dict[str, str]]:
    """plan.json, naming the copies of the inputs inside the folder (never a path of this
    machine); and the copies to make: path in the folder → file."""
    layout = inputs_layout(result.files, result.policy.region_files, settings_path)
    where = {source: rel for rel, source in layout.items()}
    digests = _layout_digests(result.files, layout)
    role = {f.role: where[os.path.abspath(f.path)] for f in result.files if f.role in ("headcounts", "factors")}
    return Manifest(
        program=f"budget {__version__}", years=result.years, unit=unit,
        documents=where[os.path.abspath(settings_path)] if settings_path else None,
        advance_rate=format_share(result.advance_rate) if result.advance_rate else None,
        policy=[where[os.path.abspath(f.path)] for f in result.files if f.role == "policy"],
        headcounts=role["headcounts"], factors=role.get("factors"), sha256=digests,
        allocation_unit=allocation_name(result.quantum), csv_encoding=fmt.encoding, csv_headers=fmt.headers), layout


def scenario_lines(scenario: Scenario | None) -> list[str]:
    """What a scenario plan says first: its name, reason, mark and every value it changes."""
    if scenario is None:
        return []
    lines = [f"测算方案 scenario: {scenario.name} — {scenario.reason}"
             + ("（已采纳 adopted）" if scenario.adopted else f"  【{SCENARIO_MARK}】")]
    for c in scenario.changes:
        when = f" {c.start}起" if c.start else ""
        lines.append(f"  {c.what}{' @' + c.scope if c.scope else ''}{when}{'至' + str(c.end) if c.end else ''}: "
                     f"{c.old or '（无）'} → {c.new}" + (f"  [{c.source.short}]" if c.source else ""))
    return lines + [""]


def rolling_name(years: list[int]) -> str:
    return f"budget-{years[0]}-{years[-1]}.xlsx"


def write_plan_outputs(result: PlanResult, out: Path, unit: str = "元",
                       documents: Documents | None = None, settings_path: str | None = None,
                       workbooks: bool = True, rolling: bool = False,
                       csv_format: CsvFormat = DEFAULT_FORMAT, copies: InputCopies | None = None
                       ) -> tuple[list[str], str]:
    """Every output of a plan (the workbooks unless ``workbooks`` is false; the years side by
    side with ``rolling``; the CSV files in ``csv_format``, recorded in plan.json); returns the
    names written and the fonts the PDFs used. Everything is computed and rendered before the
    first file is renamed into place. ``copies``: the inputs' copies, started already (the caller
    closes them); else they are made here."""
    try:
        workbook_unit = shown_unit(unit, result.quantum)
    except ValueError as exc:
        raise InputError([Problem(Source("--unit"), str(exc))]) from None
    copied_settings = documents.settings_path if documents else settings_path
    plan_json, layout = manifest(result, unit, copied_settings, csv_format)
    names = ["allocations.csv", "assumptions.txt", MANIFEST] + ([ADVANCES] if result.advance_rate is not None else [])
    # held by the CLI already, perhaps: the copies are made beside the folder before it is staged
    with folder_lock(out):
        pending = running = None
        made_here = copies is None
        try:
            if copies is not None and copies.layout != layout:  # (started for other inputs: not these copies)
                copies.close()
                copies = None
            if copies is None:
                made_here = True
                copies = InputCopies(result.policy, result.files, copied_settings, out)
            if documents is not None:  # the PDFs first: they are rendered in other processes meanwhile
                pending = start_documents(result, replace(documents, rolling=True) if rolling else documents)
            # the workbooks and indicator files: independent jobs shared among the cores, while this
            # process writes the other files (all here while documents are rendered: they take the
            # other cores then)
            jobs, weights = _workbook_jobs(result, workbook_unit, documents, settings_path, workbooks, rolling, csv_format)
            running = start_jobs(jobs, weights, here=WEIGHT_OF_THE_REST, single=pending is not None)
            with staged(out, notes=[csv_format.describe()]) as stage:
                stage.write_bytes("allocations.csv", allocations_file(result, csv_format))
                stage.write_bytes("assumptions.txt", "\n".join([
                    f"budget {__version__}", *scenario_lines(result.policy.scenario), *[_described(f) for f in result.files],
                    "", assumptions_text(result.policy, result.years), ""]).encode("utf-8"))
                stage.write_bytes(MANIFEST, plan_json.to_text().encode("utf-8"))
                if result.advance_rate is not None:
                    stage.write_bytes(ADVANCES, advances_file(result, csv_format))
                made = [item for job_files in running.result() for item in job_files.items()]
                pdfs, fonts = pending.result() if pending is not None else ({}, "")
                for name, data in [*made, *pdfs.items()]:
                    stage.write_bytes(name, data)
                    names.append(name)
                copies.place(stage)
        finally:
            if made_here and copies is not None:
                copies.close()
            if running is not None:
                running.close()
            if pending is not None:
                pending.close()
    return names + [f"{INPUTS}/"], fonts


class InputCopies:
    """The copies of a plan's inputs (its folder's inputs/), written by a child process into a
    folder beside the output folder while the headcounts are checked and the plan is computed
    and its files made: creating a country's ~335 files waits on the disk (0.01–0.25 s on this
    machine, more on a network share), not on a processor. :meth:`place` moves them into the new folder whole, with one
    rename; the child failing, they are made again there, and so its error is raised there."""

    def __init__(self, policy: Policy, files: list[InputFile], settings_path: str | None, out: Path):
        self.layout = inputs_layout(files, policy.region_files, settings_path)
        self.digests = _layout_digests(files, self.layout)
        read = {os.path.abspath(path): data for path, data in policy.contents.items()}
        self.temp = new_folder_beside(out)
        self.running = start_jobs([partial(_copy_inputs, Staged(Path(out), self.temp), self.layout, read,
                                           self.digests)], here=WEIGHT_OF_THE_REST)

    def place(self, stage: Staged) -> None:
        """The copies, once written, moved into ``stage`` (named in its record)."""
        self.running.result()
        if self.layout:
            os.rename(self.temp / INPUTS, stage.temp / INPUTS)
        for name, digest in self.digests.items():
            stage.recorded(name, digest)

    def close(self) -> None:
        """A child not finished is stopped, and what is left beside the output folder removed."""
        self.running.close()
        shutil.rmtree(self.temp, ignore_errors=True)


def _copy_inputs(stage: Staged, layout: dict[str, str], read: dict[str, bytes],
                 digests: dict[str, str]) -> dict[str, bytes]:
    """The copies of a plan's inputs in ``stage`` (their bytes as read, or read again and checked)."""
    for name, source in layout.items():  # the folder settles a year later on another machine
        if source in read:  # a policy file: the bytes its reader parsed (a country has ~335)
            stage.write_bytes(name, read[source])
        else:
            stage.copy(name, source, digests[name])
    return {}


# how long each job takes, roughly (a year's workbook about three times its indicator files), and
# what this process writes meanwhile: the jobs are shared out by them
WEIGHT_OF_THE_REST, WORKBOOK_WEIGHT, INDICATORS_WEIGHT = 1.0, 3.0, 1.0


def _workbook_jobs(result: PlanResult, workbook_unit: Unit, documents: Documents | None, settings_path: str | None,
                   workbooks: bool, rolling: bool, csv_format: CsvFormat) -> tuple[list[Job[dict[str, bytes]]], list[float]]:
    jobs: list[Job[dict[str, bytes]]] = []
    weights: list[float] = []
    if workbooks:
        for year in result.years:
            jobs.append(partial(_year_workbook, result, year, workbook_unit))
            weights.append(WORKBOOK_WEIGHT)
            if result.policy.scenario is None or result.policy.scenario.adopted:  # a trial's money is not handed down
                jobs.append(partial(indicator_files, result, year,
                                    settings_for(result, year, documents or Documents(settings_path)), csv_format))
                weights.append(INDICATORS_WEIGHT)
        if rolling:  # 中期财政规划: the years side by side
            jobs.append(partial(_rolling_workbook, result, workbook_unit))
            weights.append(WORKBOOK_WEIGHT)
    return jobs, weights


def _year_workbook(result: PlanResult, year: int, unit: Unit) -> dict[str, bytes]:
    from .writers.workbook import workbook_bytes  # xlsxwriter only when written

    return {workbook_name(year): workbook_bytes(result, year, unit)}


def _rolling_workbook(result: PlanResult, unit: Unit) -> dict[str, bytes]:
    from .writers.workbook import rolling_workbook_bytes

    return {rolling_name(result.years): rolling_workbook_bytes(result, unit)}


def settlement_name(year: int) -> str:
    return f"settlement-{year}.xlsx"


def settlement_notice_name(year: int) -> str:
    return f"settlement-notice-{year}.pdf"


def write_settlement_outputs(result: SettlementResult, out: Path, documents: Documents | None,
                             csv_format: CsvFormat = DEFAULT_FORMAT) -> tuple[list[str], str]:
    """settlement.csv, transfers.csv (in ``csv_format``), the 清算/决算 workbook and (with
    ``documents``) the notice."""
    from .documents import settlement_notice
    from .writers.pdf import render_html, render_pdf
    from .writers.settlement_workbook import settlement_workbook

    files = {"settlement.csv": csv_format.encode(settlement_csv(result, csv_format)),
             "transfers.csv": csv_format.encode(transfers_csv(result, csv_format)),
             settlement_name(result.year): settlement_workbook(result)}
    fonts = ""
    if documents is not None:
        settings = settings_for(result, result.year, documents)
        rendered = render_pdf(render_html("settlement.html", n=settlement_notice(result, settings.settlement)),
                              documents.allow_missing_glyphs)
        files[settlement_notice_name(result.year)] = rendered.pdf
        fonts = rendered.fonts
    with staged(out, notes=[csv_format.describe()]) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
    return list(files), fonts
