"""Write a plan's output folder: every file staged, then all renamed at once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .core.display import UNITS, format_share, parse_date
from .core.document_settings import DocumentSettings, default_settings
from .core.lines import Allocation, all_lines, allocations
from .core.manifest import INPUTS, MANIFEST, Manifest
from .core.problems import InputError, Problem
from .core.results import InputFile, PlanResult, SettlementResult
from .core.settlement import advance
from .documents import explanation, notice, settlement_notice
from .readers.document_settings import read_document_settings
from .readers.input_files import file_digest
from .writers.atomic import staged
from .writers.csv_writer import allocations_csv, settlement_csv, transfers_csv
from .writers.pdf import render_html, render_many, render_pdf
from .writers.settlement_workbook import settlement_workbook
from .writers.text import assumptions_text
from .writers.workbook import workbook_bytes


def workbook_name(year: int) -> str:
    return f"budget-{year}.xlsx"


def notice_name(year: int) -> str:
    return f"notice-{year}.pdf"


def explanation_name(year: int) -> str:
    return f"explanation-{year}.pdf"


@dataclass
class Documents:
    settings_path: str | None = None  # None: defaults from the policy
    allow_missing_glyphs: bool = False
    notice: dict = field(default_factory=dict)  # command-line settings of the notice, over the file's


def settings_for(result: PlanResult | SettlementResult, year: int, documents: Documents) -> DocumentSettings:
    """The documents' settings for ``year``: defaults from the policy of ``result`` (a plan or
    a settlement), then the settings file, then the command line."""
    settings = default_settings(result.policy, year)
    if documents.settings_path is not None:
        settings = read_document_settings(documents.settings_path, settings, year)
    for key, value in documents.notice.items():
        setattr(settings.notice, key, _for_year(value, year))
    date = settings.notice.date
    try:
        parse_date(date)
    except ValueError as exc:
        raise InputError([Problem(None, f"--date '{date}'：不是有效的日期 / --date '{date}' {exc}")]) from None
    return settings


def _for_year(value: str | list[str], year: int) -> str | list[str]:
    """``{year}`` and ``{next_year}`` in a command-line setting, as in a settings file."""
    if isinstance(value, list):
        return [str(_for_year(v, year)) for v in value]
    return value.replace("{year}", str(year)).replace("{next_year}", str(year + 1))


def render_documents(result: PlanResult, documents: Documents) -> tuple[dict[str, bytes], str]:
    """The notice and the explanation of every year, as PDF bytes; and the fonts used."""
    names, htmls = [], []
    for year in result.years:
        settings = settings_for(result, year, documents)
        names.append(notice_name(year))
        htmls.append(render_html("notice.html", n=notice(result, year, settings.notice)))
        names.append(explanation_name(year))
        htmls.append(render_html("explanation.html", e=explanation(result, year, settings.explanation,
                                                                  settings.notice.date), date=settings.notice.date))
    rendered = render_many(htmls, documents.allow_missing_glyphs)
    return {name: r.pdf for name, r in zip(names, rendered)}, (rendered[-1].fonts if rendered else "")


def _described(f: InputFile) -> str:
    return f"{f.role}: {f.name} sha256={f.sha256}" + "".join(f"\n    # {note}" for note in f.notes)


def inputs_layout(result: PlanResult, settings_path: str | None) -> dict[str, str]:
    """Where each input's copy goes in the plan folder → the file it copies. Policy files and
    region lists keep their places beside each other (``extends:`` and ``regions: file:`` name
    them relative to one another); the others go by role and name."""
    layout: dict[str, str] = {}
    policy_files = [os.path.abspath(f.path) for f in result.files if f.role == "policy"]
    related = policy_files + [os.path.abspath(p) for p in result.policy.region_files]
    common = os.path.commonpath([os.path.dirname(p) for p in related])
    for path in related:
        layout[f"{INPUTS}/policy/" + Path(os.path.relpath(path, common)).as_posix()] = path
    for f in result.files:
        if f.role in ("headcounts", "factors"):
            layout[f"{INPUTS}/{f.role}/{f.name}"] = os.path.abspath(f.path)
    if settings_path:
        layout[f"{INPUTS}/documents/{Path(settings_path).name}"] = os.path.abspath(settings_path)
    return layout


def manifest(result: PlanResult, unit: str, settings_path: str | None) -> tuple[Manifest, dict[str, str]]:
    """plan.json, naming the copies of the inputs inside the folder (never a path of this
    machine); and the copies to make: path in the folder → file."""
    layout = inputs_layout(result, settings_path)
    where = {source: rel for rel, source in layout.items()}
    known = {os.path.abspath(f.path): f.sha256 for f in result.files}
    digests = {rel: known.get(source) or file_digest(source) for rel, source in layout.items()}
    role = {f.role: where[os.path.abspath(f.path)] for f in result.files if f.role in ("headcounts", "factors")}
    return Manifest(
        program=f"budget {__version__}", years=result.years, unit=unit,
        documents=where[os.path.abspath(settings_path)] if settings_path else None,
        advance_rate=format_share(result.advance_rate) if result.advance_rate else None,
        policy=[where[os.path.abspath(f.path)] for f in result.files if f.role == "policy"],
        headcounts=role["headcounts"], factors=role.get("factors"), sha256=digests), layout


def write_plan_outputs(result: PlanResult, out: Path, unit: str = "元",
                       documents: Documents | None = None, settings_path: str | None = None) -> tuple[list[str], str]:
    """Every output of a plan; returns the names written and the fonts the PDFs used.
    Everything is computed and rendered before the first file is renamed into place."""
    files: dict[str, bytes] = {
        "allocations.csv": allocations_csv(allocations(all_lines(result.lines, result.fund_lines))).encode("utf-8"),
        "assumptions.txt": "\n".join([f"budget {__version__}", *[_described(f) for f in result.files], "",
                                      assumptions_text(result.policy), ""]).encode("utf-8"),
    }
    plan_json, copies = manifest(result, unit, documents.settings_path if documents else settings_path)
    files[MANIFEST] = plan_json.to_text().encode("utf-8")
    if result.advance_rate is not None:
        files["advances.csv"] = allocations_csv(
            Allocation(p.line.year, p.line.region.code, p.line.region.name, p.line.subsidy.id, payer,
                       p.line.headcount, amount)
            for p in advance(result.lines, result.advance_rate) for payer, amount in p.amounts).encode("utf-8")
    for year in result.years:
        files[workbook_name(year)] = workbook_bytes(result, year, UNITS[unit])
    fonts = ""
    if documents is not None:
        pdfs, fonts = render_documents(result, documents)
        files.update(pdfs)
    with staged(out) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
        for name, source in copies.items():  # the folder settles a year later on another machine
            stage.copy(name, source, plan_json.sha256[name])
    return list(files) + [f"{INPUTS}/"], fonts


def settlement_name(year: int) -> str:
    return f"settlement-{year}.xlsx"


def settlement_notice_name(year: int) -> str:
    return f"settlement-notice-{year}.pdf"


def write_settlement_outputs(result: SettlementResult, out: Path, documents: Documents | None) -> tuple[list[str], str]:
    """settlement.csv, transfers.csv, the 清算/决算 workbook and (with ``documents``) the notice."""
    files = {"settlement.csv": settlement_csv(result).encode("utf-8"),
             "transfers.csv": transfers_csv(result).encode("utf-8"),
             settlement_name(result.year): settlement_workbook(result)}
    fonts = ""
    if documents is not None:
        settings = settings_for(result, result.year, documents)
        rendered = render_pdf(render_html("settlement.html", n=settlement_notice(result, settings.settlement)),
                              documents.allow_missing_glyphs)
        files[settlement_notice_name(result.year)] = rendered.pdf
        fonts = rendered.fonts
    with staged(out) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
    return list(files), fonts
