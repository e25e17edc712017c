"""What `budget roster` writes: the headcount file, the problems file, the roster workbook and the
audit log. Only counts and masked values reach these functions (the engine masks them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Mapping, Sequence

from ..core.problems import Problem
from .csv_writer import DEFAULT_FORMAT, CsvFormat, headcount_table_csv, text_cell

HEADCOUNT_COLUMNS = ("year", "region_code", "region_name", "group", "headcount", "month")
PROBLEM_COLUMNS = ("级别 severity", "位置 place", "字段 field", "说明 message")
SEVERITY = {"error": "错误 error", "row": "未计入 row left out", "note": "提示 note", "warning": "提示 warning"}


def headcounts_csv(rows: Sequence[Sequence[str]], notes: Sequence[str], fmt: CsvFormat = DEFAULT_FORMAT,
                   group_names: Mapping[str, str] | None = None) -> str:
    return headcount_table_csv(HEADCOUNT_COLUMNS, rows, notes, fmt, group_names)


def _problem_row(problem: Problem) -> list[str]:
    source = problem.source
    place = source.short if source else ""
    return [SEVERITY.get(problem.severity, problem.severity), place, (source.field or "") if source else "",
            str(problem.message)]


def problems_csv(problems: Sequence[Problem]) -> str:
    """problems.csv: the text, encoded (with Excel's BOM by default) by the caller's CSV format."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PROBLEM_COLUMNS)
    writer.writerows([text_cell(c) for c in _problem_row(p)] for p in problems)
    return buffer.getvalue()


def audit_text(lines: Sequence[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def roster_workbook(year: int, title: str, summary_header: Sequence[str], summary: Sequence[Sequence[object]],
                    monthly_header: Sequence[str], monthly: Sequence[Sequence[object]],
                    audit: Sequence[Sequence[object]], audit_header: Sequence[str],
                    rules: Sequence[Sequence[str]], problems: Sequence[Problem],
                    person_header: Sequence[str], persons: Sequence[Sequence[str]], persons_note: str) -> bytes:
    from .xlsx_zip import xlsxwriter

    stream = io.BytesIO()
    wb = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False, "constant_memory": False})
    wb.set_properties({"title": title, "author": "budget", "created": dt.datetime(year, 1, 1),
                       "comments": "人员台账比对结果；人员明细已脱敏，仍属个人信息 (masked, still personal data)"})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"num_format": "@"})

    def sheet(name: str, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, list(header), bold)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, int):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value), text)

    sheet("人数汇总", summary_header, summary, [10, 12] + [14] * (len(summary_header) - 2))
    if monthly:
        sheet("分月人数", monthly_header, monthly, [10, 12, 30] + [8] * 12)
    sheet("比对规则", ("人员类别 group", "规则 rule", "依据 clause"), rules, [34, 60, 80])
    sheet("读取记录", audit_header, audit, [20, 26, 30, 10, 10, 10, 66])
    sheet("问题", PROBLEM_COLUMNS, [_problem_row(p) for p in problems], [16, 36, 14, 90])
    if persons or person_header:
        rows = list(persons) + ([[persons_note]] if persons_note else [])
        sheet("人员明细（脱敏）", person_header, rows, [24, 10, 10, 60, 30, 40, 8])
    wb.close()
    return stream.getvalue()
