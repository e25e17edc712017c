"""Write a plan's output folder: every file staged, then all renamed at once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .core.engine import allocations
from .core.problems import InputError, Problem, Source
from .documents import DocumentSettings, default_settings, explanation, notice
from .explain import assumptions_text
from .io.atomic import staged
from .io.csv_writer import allocations_csv
from .io.document_settings import read_document_settings
from .io.pdf import render_html, render_pdf
from .io.workbook import UNITS, workbook_bytes
from .plan import PlanResult, run_plan

MANIFEST = "plan.json"


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


def settings_for(result: PlanResult, year: int, documents: Documents) -> DocumentSettings:
    defaults = default_settings(result.policy, year)
    if documents.settings_path is None:
        return defaults
    return read_document_settings(documents.settings_path, defaults, year)


def render_documents(result: PlanResult, documents: Documents) -> tuple[dict[str, bytes], str]:
    """The notice and the explanation of every year, as PDF bytes; and the fonts used."""
    files, fonts = {}, ""
    for year in result.years:
        settings = settings_for(result, year, documents)
        rendered = render_pdf(render_html("notice.html", n=notice(result, year, settings.notice)),
                              documents.allow_missing_glyphs)
        files[notice_name(year)] = rendered.pdf
        rendered = render_pdf(render_html("explanation.html", e=explanation(result, year, settings.explanation,
                                                                            settings.notice.date),
                                          date=settings.notice.date), documents.allow_missing_glyphs)
        files[explanation_name(year)] = rendered.pdf
        fonts = rendered.fonts
    return files, fonts


def manifest(result: PlanResult, unit: str, documents: Documents | None) -> str:
    return json.dumps({
        "program": f"budget {__version__}", "years": result.years, "unit": unit,
        "documents": documents.settings_path if documents else None,
        "policy": [f.path for f in result.files if f.role == "policy"],
        "headcounts": next(f.path for f in result.files if f.role == "headcounts"),
        "sha256": {f.path: f.sha256 for f in result.files},
    }, ensure_ascii=False, indent=2) + "\n"


def write_plan_outputs(result: PlanResult, out: Path, unit: str = "元",
                       documents: Documents | None = None) -> tuple[list[str], str]:
    """Every output of a plan; returns the names written and the fonts the PDFs used.
    Everything is computed and rendered before the first file is renamed into place."""
    files: dict[str, bytes] = {
        "allocations.csv": allocations_csv(allocations(result.lines)).encode("utf-8"),
        "assumptions.txt": "\n".join([f"budget {__version__}",
                                      *[f"{f.role}: {f.path} sha256={f.sha256}" for f in result.files], "",
                                      assumptions_text(result.policy), ""]).encode("utf-8"),
        MANIFEST: manifest(result, unit, documents).encode("utf-8"),
    }
    for year in result.years:
        files[workbook_name(year)] = workbook_bytes(result, year, UNITS[unit])
    fonts = ""
    if documents is not None:
        pdfs, fonts = render_documents(result, documents)
        files.update(pdfs)
    with staged(out) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
    return list(files), fonts


def reload_plan(folder: Path) -> tuple[PlanResult, str | None]:
    """A plan's result again, from the inputs its manifest names, refusing changed inputs;
    and the document settings the plan used."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
        policies, headcounts, years = data["policy"], data["headcounts"], data["years"]
        digests, settings = data["sha256"], data.get("documents")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError([Problem(Source(str(path)), f"not a plan's output folder (cannot read {MANIFEST}: {exc})")])
    result, _ = run_plan(policies, headcounts, years)
    changed = [f.path for f in result.files if digests.get(f.path) != f.sha256]
    if changed:
        raise InputError([Problem(Source(p), "changed since the plan was made: run budget plan again") for p in changed])
    return result, settings
