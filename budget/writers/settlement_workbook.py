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
from ..core.settlement import SettlementLine
from .workbook import ABOUT_WIDTH, Book, Sheet, column_sum, wrapped_height


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
        handed = p in result.policy.handed_down()  # a level's own share: its budget, and what it 应安排
        columns += [f"{PAYER_NAMES[p]}{label if handed else '预算数'}", f"{PAYER_NAMES[p]}{'应拨数' if handed else '应安排数'}",
                    f"{PAYER_NAMES[p]}差额"]
    columns += [f"合计{label if label == '预算数' else '预拨（预算）数'}", "合计应拨数", "合计差额", "备注"]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    by_line: dict[tuple[str, str], dict[str, SettlementLine]] = {}
    for line in result.lines:
        by_line.setdefault((line.region.code, line.subsidy.id), {})[line.payer] = line
    first = 4
    last = first + len(by_line) - 1
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for index, entry in enumerate(by_line.values()):
        row = first + index
        some = next(iter(entry.values()))
        s.number(row, 0, index + 1, "index")
        s.text(row, 1, some.region.code)
        s.text(row, 2, some.region.name)
        s.text(row, 3, some.subsidy.name)
        notes = []
        for i, payer in enumerate(PAYERS):
            col = 4 + 3 * i
            found = entry.get(payer)
            planned, actual = (found.planned, found.actual) if found else (0, 0)
            s.number(row, col, _yuan(planned))
            s.number(row, col + 1, _yuan(actual))
            s.formula(row, col + 2, f"={xl_rowcol_to_cell(row, col + 1)}-{xl_rowcol_to_cell(row, col)}",
                      _yuan(actual - planned))
            totals[(payer, 0)] += planned
            totals[(payer, 1)] += actual
            if found and found.difference:
                notes.append(f"{PAYER_NAMES[payer]}{found.direction}")
        planned_all = sum(ln.planned for ln in entry.values())
        actual_all = sum(ln.actual for ln in entry.values())
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
    s.finish(label_cols=4)


def _transfer_sheet(book: Book, result: SettlementResult) -> None:
    s = Sheet(book, "上下级结算", f"{result.year}年社会保险扶贫补助资金上下级结算表（正数为补拨，负数为收回）")
    columns = ["序号", "地区代码", "地区", "省级补拨（收回）", "市级补拨（收回）", "合计"]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    by_region: dict[str, dict] = {}
    for t in result.transfers:
        by_region.setdefault(t.region.code, {"region": t.region})[t.payer] = t.amount
    first, last = 4, 4 + len(by_region) - 1
    sums: dict[str, int] = defaultdict(int)
    for index, (code, entry) in enumerate(by_region.items()):
        row = first + index
        s.number(row, 0, index + 1, "index")
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
    s.finish(label_cols=3)


def _final_accounts_sheet(book: Book, result: SettlementResult) -> None:
    """决算表: per subsidy and payer, 预算数 (and 预拨数, where money was advanced), 决算数 and
    完成率 — 决算数 ÷ 预算数, the share of the budget that was spent."""
    advanced = result.advance_rate is not None
    s = Sheet(book, "决算表", f"{result.year}年社会保险扶贫补助资金决算表")
    parts = ["预算数"] + (["预拨数"] if advanced else []) + ["决算数", "完成率"]
    width = len(parts)
    columns = ["序号", "补助项目"] + [f"{PAYER_NAMES.get(p, '合计')}{x}" for p in (*PAYERS, "total") for x in parts]
    s.unit_note(1, len(columns) - 1)
    s.header(2, columns)
    names: dict[str, str] = {}
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # budget, planned, actual
    for line in result.lines:
        names[line.subsidy.id] = line.subsidy.name
        key = (line.year, line.region.code, line.subsidy.id, line.payer)
        cell = figures[(line.subsidy.id, line.payer)]
        cell[0] += result.budgeted.get(key, line.planned)
        cell[1] += line.planned
        cell[2] += line.actual
    first, last = 4, 4 + len(names) - 1

    def write_group(row: int, col: int, values: list[int], total_row: bool, sources: list[str] | None) -> None:
        fmt, pct = ("total_money", "total_percent") if total_row else ("money", "percent")
        shown = [values[0]] + ([values[1]] if advanced else []) + [values[2]]
        for offset, value in enumerate(shown):
            if sources:
                s.formula(row, col + offset, sources[offset], _yuan(value), fmt)
            else:
                s.number(row, col + offset, _yuan(value), fmt)
        budget, spent = xl_rowcol_to_cell(row, col), xl_rowcol_to_cell(row, col + len(shown) - 1)
        formula = f'=IF({budget}=0,"",{spent}/{budget})'
        if values[0]:
            s.formula(row, col + len(shown), formula, Fraction(values[2], values[0]), pct)
        else:
            s.ws.write_formula(row, col + len(shown), formula, book.f[pct], "")

    for index, sid in enumerate(names):
        row = first + index
        s.number(row, 0, index + 1, "index")
        s.text(row, 1, names[sid])
        for i, payer in enumerate(PAYERS):
            write_group(row, 2 + width * i, figures[(sid, payer)], False, None)
        sums = [sum(figures[(sid, p)][k] for p in PAYERS) for k in range(3)]
        refs = ["=" + "+".join(xl_rowcol_to_cell(row, 2 + width * i + k) for i in range(3)) for k in range(width - 1)]
        write_group(row, 2 + width * 3, sums, False, refs)
    s.text(3, 0, "", "total_text")
    s.text(3, 1, "合计", "total_text")
    for i, payer in enumerate((*PAYERS, "total")):
        col = 2 + width * i
        payers = PAYERS if payer == "total" else (payer,)
        values = [sum(figures[(sid, p)][k] for sid in names for p in payers) for k in range(3)]
        write_group(3, col, values, True, ["=" + column_sum(col + k, first, last) for k in range(width - 1)])
    s.finish(label_cols=2)


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
        s.ws.set_row(index + 2, wrapped_height(value, ABOUT_WIDTH))
    s.finish({1: ABOUT_WIDTH})
