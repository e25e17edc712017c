"""Settlement outputs: settlement.csv, transfers.csv and the 清算/决算 workbook."""

from __future__ import annotations

import io
from collections import defaultdict
from fractions import Fraction

from xlsxwriter.utility import xl_rowcol_to_cell

from .. import __version__
from ..core.display import PAYER_NAMES, UNITS, format_share
from ..core.policy import PAYERS
from ..core.results import SettlementResult
from .workbook import Book, Sheet, column_sum


def _yuan(fen: int) -> Fraction:
    return Fraction(fen, 100)


def settlement_workbook(result: SettlementResult) -> bytes:
    stream = io.BytesIO()
    year = result.year
    book = Book(stream, UNITS["元"], year, f"{year}年社会保险扶贫补助资金清算表")
    _settlement_sheet(book, result)
    _transfer_sheet(book, result)
    _final_accounts_sheet(book, result)
    _about_sheet(book, result)
    book.wb.close()
    return stream.getvalue()


def _settlement_sheet(book: Book, result: SettlementResult) -> None:
    label = result.planned_label
    s = Sheet(book, "清算表", f"{result.year}年社会保险扶贫补助资金清算表")
    columns = ["序号", "地区代码", "地区", "补助项目"]
    for p in PAYERS:
        columns += [f"{PAYER_NAMES[p]}{label}", f"{PAYER_NAMES[p]}应拨数", f"{PAYER_NAMES[p]}差额"]
    columns += [f"合计{label}", "合计应拨数", "合计差额", "备注"]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    by_line: dict[tuple[str, str], dict[str, object]] = {}
    for line in result.lines:
        key = (line.region.code, line.subsidy.id)
        by_line.setdefault(key, {"region": line.region, "subsidy": line.subsidy})[line.payer] = line
    first = 4
    last = first + len(by_line) - 1
    totals = defaultdict(int)
    for index, ((code, _), entry) in enumerate(by_line.items()):
        row = first + index
        s.number(row, 0, index + 1, "int")
        s.text(row, 1, code)
        s.text(row, 2, entry["region"].name)
        s.text(row, 3, entry["subsidy"].name)
        notes = []
        for i, payer in enumerate(PAYERS):
            col = 4 + 3 * i
            line = entry.get(payer)
            planned, actual = (line.planned, line.actual) if line else (0, 0)
            s.number(row, col, _yuan(planned))
            s.number(row, col + 1, _yuan(actual))
            s.formula(row, col + 2, f"={xl_rowcol_to_cell(row, col + 1)}-{xl_rowcol_to_cell(row, col)}",
                      _yuan(actual - planned))
            totals[(payer, 0)] += planned
            totals[(payer, 1)] += actual
            if line and line.difference:
                notes.append(f"{PAYER_NAMES[payer]}{line.direction}")
        planned_all = sum(ln.planned for ln in entry.values() if hasattr(ln, "planned"))
        actual_all = sum(ln.actual for ln in entry.values() if hasattr(ln, "actual"))
        for j, value in enumerate((planned_all, actual_all, actual_all - planned_all)):
            cells = "+".join(xl_rowcol_to_cell(row, 4 + 3 * i + j) for i in range(3))
            s.formula(row, 13 + j, "=" + cells, _yuan(value))
        s.text(row, 16, "，".join(notes))
    for col in range(4):
        s.text(3, col, "合计" if col == 2 else "", "total_text")
    for i, payer in enumerate(PAYERS):
        for j in range(3):
            value = totals[(payer, 1)] - totals[(payer, 0)] if j == 2 else totals[(payer, j)]
            s.formula(3, 4 + 3 * i + j, "=" + column_sum(4 + 3 * i + j, first, last), _yuan(value), "total_money")
    grand = [sum(totals[(p, 0)] for p in PAYERS), sum(totals[(p, 1)] for p in PAYERS)]
    for j, value in enumerate((grand[0], grand[1], grand[1] - grand[0])):
        s.formula(3, 13 + j, "=" + column_sum(13 + j, first, last), _yuan(value), "total_money")
    s.text(3, 16, "", "total_text")
    s.finish()


def _transfer_sheet(book: Book, result: SettlementResult) -> None:
    s = Sheet(book, "上下级结算", f"{result.year}年社会保险扶贫补助资金上下级结算表（正数为补拨，负数为收回）")
    columns = ["序号", "地区代码", "地区", "省级补拨（收回）", "市级补拨（收回）", "合计"]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    by_region: dict[str, dict] = {}
    for t in result.transfers:
        by_region.setdefault(t.region.code, {"region": t.region})[t.payer] = t.amount
    first, last = 4, 4 + len(by_region) - 1
    sums = defaultdict(int)
    for index, (code, entry) in enumerate(by_region.items()):
        row = first + index
        s.number(row, 0, index + 1, "int")
        s.text(row, 1, code)
        s.text(row, 2, entry["region"].name)
        for i, payer in enumerate(("province", "city")):
            s.number(row, 3 + i, _yuan(entry.get(payer, 0)))
            sums[payer] += entry.get(payer, 0)
        s.formula(row, 5, f"={xl_rowcol_to_cell(row, 3)}+{xl_rowcol_to_cell(row, 4)}",
                  _yuan(entry.get("province", 0) + entry.get("city", 0)))
    for col in range(3):
        s.text(3, col, "合计" if col == 2 else "", "total_text")
    for i, payer in enumerate(("province", "city")):
        s.formula(3, 3 + i, "=" + column_sum(3 + i, first, last), _yuan(sums[payer]), "total_money")
    s.formula(3, 5, "=" + column_sum(5, first, last), _yuan(sums["province"] + sums["city"]), "total_money")
    s.finish()


def _final_accounts_sheet(book: Book, result: SettlementResult) -> None:
    """决算表: per subsidy and payer, 预算数 (or 预拨数), 决算数 and 完成率."""
    label = result.planned_label
    s = Sheet(book, "决算表", f"{result.year}年社会保险扶贫补助资金决算表")
    columns = ["序号", "补助项目"]
    for p in PAYERS + ("total",):
        name = PAYER_NAMES.get(p, "合计")
        columns += [f"{name}{label}", f"{name}决算数", f"{name}完成率"]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    sums: dict[str, dict[str, list[int]]] = {}
    for line in result.lines:
        entry = sums.setdefault(line.subsidy.id, {"name": line.subsidy.name})
        pair = entry.setdefault(line.payer, [0, 0])
        pair[0] += line.planned
        pair[1] += line.actual
    first, last = 4, 4 + len(sums) - 1
    grand = defaultdict(lambda: [0, 0])

    def write_group(row: int, col: int, planned: int, actual: int, total_row: bool, formulas: tuple[str, str] | None):
        fmt, pct = ("total_money", "total_percent") if total_row else ("money", "percent")
        if formulas:
            s.formula(row, col, formulas[0], _yuan(planned), fmt)
            s.formula(row, col + 1, formulas[1], _yuan(actual), fmt)
        else:
            s.number(row, col, _yuan(planned), fmt)
            s.number(row, col + 1, _yuan(actual), fmt)
        p, a = xl_rowcol_to_cell(row, col), xl_rowcol_to_cell(row, col + 1)
        rate = Fraction(actual, planned) if planned else Fraction(0)
        if planned:
            s.formula(row, col + 2, f'=IF({p}=0,"",{a}/{p})', rate, pct)
        else:
            s.ws.write_formula(row, col + 2, f'=IF({p}=0,"",{a}/{p})', book.f[pct], "")

    for index, entry in enumerate(sums.values()):
        row = first + index
        s.number(row, 0, index + 1, "int")
        s.text(row, 1, entry["name"])
        all_planned = all_actual = 0
        for i, payer in enumerate(PAYERS):
            planned, actual = entry.get(payer, [0, 0])
            write_group(row, 2 + 3 * i, planned, actual, False, None)
            grand[payer][0] += planned
            grand[payer][1] += actual
            all_planned += planned
            all_actual += actual
        refs = [("+".join(xl_rowcol_to_cell(row, 2 + 3 * i + j) for i in range(3))) for j in (0, 1)]
        write_group(row, 11, all_planned, all_actual, False, ("=" + refs[0], "=" + refs[1]))
    s.text(3, 0, "", "total_text")
    s.text(3, 1, "合计", "total_text")
    for i, payer in enumerate(PAYERS + ("total",)):
        col = 2 + 3 * i
        planned = grand[payer][0] if payer != "total" else sum(grand[p][0] for p in PAYERS)
        actual = grand[payer][1] if payer != "total" else sum(grand[p][1] for p in PAYERS)
        write_group(3, col, planned, actual, True, ("=" + column_sum(col, first, last),
                                                    "=" + column_sum(col + 1, first, last)))
    s.finish()


def _about_sheet(book: Book, result: SettlementResult) -> None:
    s = Sheet(book, "说明", "说明")
    rows = [("程序", f"budget {__version__}"), ("清算年度", str(result.year)), ("金额单位", "元"),
            ("比较基数", result.planned_label + (f"（按预算的{format_share(result.advance_rate)}预拨）"
                                                if result.advance_rate else ""))]
    rows += [(f"输入文件（{f.role}）", f"{f.name}  SHA-256 {f.sha256}" + "".join(f"\n{n}" for n in f.notes))
             for f in result.files]
    rows.append(("方法", "按实际人数和规定标准计算应拨数（决算数），与" + result.planned_label
                 + "比较，差额为正的补拨、为负的收回（多退少补）；"
                   "省级、市级差额通过上下级结算与各县清算，县级差额由县级自行调整。"))
    for index, (key, value) in enumerate(rows):
        s.text(index + 2, 0, key, "total_text")
        s.text(index + 2, 1, value, "wrap")
    s.finish()
    s.ws.set_column(1, 1, 100)
