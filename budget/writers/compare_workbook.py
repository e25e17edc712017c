"""The scenario comparison workbook: 方案比较 (per year, payer and county: 基准, each scenario, 差额
and 变动率 as formulas, with 合计 rows as formulas), 方案参数 (every changed value) and 说明."""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction
from typing import Sequence

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.display import PAYER_NAMES
from ..core.policy import SCENARIO_MARK

Key = tuple[int, str, str, str]


def _yuan(fen: int) -> float:
    return float(Fraction(fen, 100))


def compare_workbook(year: int, names: Sequence[str], rows: Sequence[tuple[Key, Sequence[int]]],
                     changes: Sequence[Sequence[str]], notes: Sequence[str]) -> bytes:
    """``rows``: (year, county code, county name, payer) → fen of the base and of each scenario,
    ordered by year, payer and county."""
    from .xlsx_zip import xlsxwriter

    stream = io.BytesIO()
    wb = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    wb.set_properties({"title": f"社会保险扶贫补助资金测算方案比较（{SCENARIO_MARK}）", "author": "budget",
                       "created": dt.datetime(year, 1, 1)})
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
    title = wb.add_format({"font_name": "宋体", "bold": True, "font_size": 14})
    head = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"})
    text = wb.add_format({**base, "num_format": "@"})
    money = wb.add_format({**base, "num_format": "#,##0.00"})
    rate = wb.add_format({**base, "num_format": "0.00%"})
    bold_text = wb.add_format({**base, "bold": True})
    bold_money = wb.add_format({**base, "bold": True, "num_format": "#,##0.00"})
    bold_rate = wb.add_format({**base, "bold": True, "num_format": "0.00%"})

    ws = wb.add_worksheet("方案比较")
    ws.write_string(0, 0, f"社会保险扶贫补助资金测算方案比较（元）——{SCENARIO_MARK}", title)
    header = ["年度", "承担级次", "地区代码", "地区", "基准"]
    for name in names:
        header += [name, f"{name} 差额", f"{name} 变动率"]
    ws.write_row(2, 0, header, head)
    ws.set_row(2, 32)
    ws.set_column(0, 1, 8)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 12)
    ws.set_column(4, 4 + 3 * len(names), 15)
    ws.freeze_panes(3, 4)
    base_col = 4

    def cells(row: int, amounts: Sequence[int], first: int | None, last: int | None, strong: bool) -> None:
        """One row: the base and each scenario (numbers, or sums over rows first..last), differences and rates."""
        fm, fr = (bold_money, bold_rate) if strong else (money, rate)
        for i, fen in enumerate(amounts):
            col = base_col if i == 0 else base_col + 1 + 3 * (i - 1)
            if first is None or last is None:
                ws.write_number(row, col, _yuan(fen), fm)
            else:
                ws.write_formula(row, col, f"=SUM({xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)})",
                                 fm, _yuan(fen))
        b = xl_rowcol_to_cell(row, base_col)
        for i, fen in enumerate(amounts[1:]):
            col = base_col + 1 + 3 * i
            s = xl_rowcol_to_cell(row, col)
            ws.write_formula(row, col + 1, f"={s}-{b}", fm, _yuan(fen - amounts[0]))
            d = xl_rowcol_to_cell(row, col + 1)
            ratio: float | str = float(Fraction(fen - amounts[0], amounts[0])) if amounts[0] else ""
            ws.write_formula(row, col + 2, f'=IF({b}=0,"",{d}/{b})', fr, ratio)

    row = 3
    block: list[tuple[Key, Sequence[int]]] = []

    def close(block: list[tuple[Key, Sequence[int]]], row: int) -> int:
        first = row - len(block)
        (year, _, _, payer), _ = block[0]
        ws.write_string(row, 0, str(year), bold_text)
        ws.write_string(row, 1, PAYER_NAMES.get(payer, payer), bold_text)
        ws.write_string(row, 2, "", bold_text)
        ws.write_string(row, 3, "合计", bold_text)
        sums = [sum(a[i] for _, a in block) for i in range(len(block[0][1]))]
        cells(row, sums, first, row - 1, True)
        return row + 1

    for key, amounts in rows:
        if block and (block[0][0][0], block[0][0][3]) != (key[0], key[3]):
            row = close(block, row)
            block = []
        year, code, county, payer = key
        ws.write_string(row, 0, str(year), text)
        ws.write_string(row, 1, PAYER_NAMES.get(payer, payer), text)
        ws.write_string(row, 2, code, text)
        ws.write_string(row, 3, county, text)
        cells(row, amounts, None, None, False)
        block.append((key, amounts))
        row += 1
    if block:
        close(block, row)

    ws = wb.add_worksheet("方案参数")
    ws.write_string(0, 0, "测算方案改变的参数（与政策文件相比）", title)
    ws.write_row(2, 0, ["方案", "理由", "参数", "适用范围", "起始", "截止", "原值", "方案值", "依据", "位置"], head)
    for col, width in enumerate([16, 40, 40, 10, 9, 9, 24, 24, 36, 28]):
        ws.set_column(col, col, width)
    for r, change in enumerate(changes, start=3):
        for c, value in enumerate(change):
            ws.write_string(r, c, value, text)
    if not changes:
        ws.write_string(3, 0, "（各方案均未改变参数）", text)

    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 120)
    for r, note in enumerate(notes):
        ws.write_string(r, 0, note)
    wb.close()
    return stream.getvalue()
