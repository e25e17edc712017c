"""The headcount collection template: one row per county, one column per group.

Counties fill in ``县区填报``; the sheet keeps a row of group ids (字段代码) so the reader
knows each column whatever labels a user edits, and the year in B2. The filled file — also
after Excel, WPS or LibreOffice saved it again — is read back by :func:`read_template`.
"""

from __future__ import annotations

import datetime as dt
import io
import math

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.policy import Policy, quoted_title
from ..core.template_layout import FIRST_DATA_ROW, ID_ROW, SHEET, group_heading, template_groups
from .print_layout import LINE_POINTS, header_width, label_height, text_units, wrap
from .workbook import COLUMN_GAP, PAGE_WIDTH, PRINT_SCALE
from .xlsx_zip import xlsxwriter

NOTES_WIDTH = 72  # 填报说明 on A4 portrait: 595 points less 0.4-inch margins hold 76 column units


def template_bytes(policy: Policy, year: int) -> bytes:
    stream = io.BytesIO()
    wb = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{year}年社会保险扶贫补助人数填报表", "author": "budget",
                       "created": dt.datetime(year, 1, 1)})
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter", "border": 1}
    f_title = wb.add_format({"font_name": "宋体", "bold": True, "font_size": 14})
    f_label = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center"})
    f_part = wb.add_format({**base, "bold": True, "bg_color": "#EAF1DD", "text_wrap": True, "align": "center"})
    f_id = wb.add_format({**base, "font_color": "#808080", "font_size": 8, "text_wrap": True})
    f_text = wb.add_format(base)
    f_input = wb.add_format({**base, "locked": False, "num_format": "#,##0", "bg_color": "#FFFFE0"})
    f_check = wb.add_format({**base, "font_color": "#C00000"})
    f_plain = wb.add_format({"font_name": "宋体", "font_size": 10, "text_wrap": True, "valign": "top"})

    groups = template_groups(policy, year)
    counties = policy.counties()
    ws = wb.add_worksheet(SHEET)
    ws.write_string(0, 0, f"{year}年社会保险扶贫补助人数预测填报表（单位：人）", f_title)
    ws.write_string(1, 0, "年度", f_label)
    ws.write_number(1, 1, year, f_text)
    labels = ["地区代码", "地区名称"] + [group_heading(policy, g, year) for g in groups] + ["校验"]
    ids = ["region_code", "region_name"] + groups + ["check"]
    names = max((math.ceil(text_units(r.name)) + 2 for r in counties), default=8)
    # widths at which no label line starts with "）" ("（每人计一次⏎）"); the check column holds
    # "其中数之和大于总数"
    widths = [8.0, float(max(8, names))] + [header_width(label, 12, 9, 14) for label in labels[2:-1]] + [13.5]
    for col, (label, gid) in enumerate(zip(labels, ids)):
        is_part = gid in policy.groups and policy.groups[gid].part_of
        ws.write_string(2, col, label, f_part if is_part else f_label)
        ws.write_string(ID_ROW, col, gid, f_id)
        ws.set_column(col, col, widths[col])
    ws.set_row(0, 24)
    ws.set_row(2, max(label_height(label, w) for label, w in zip(labels, widths)))
    # the 8-point field codes wrap too (a 10-point Latin letter is 6.5 points, at 8 points 5.2)
    ws.set_row(ID_ROW, 11 * max(len(wrap(gid, (w * 7 + 2 - 3) * 10 / 8, bold=False)) for gid, w in zip(ids, widths)) + 3)
    col_of = {g: 2 + i for i, g in enumerate(groups)}
    last = FIRST_DATA_ROW + len(counties) - 1
    check_col = 2 + len(groups)
    for index, region in enumerate(counties):
        row = FIRST_DATA_ROW + index
        ws.write_string(row, 0, region.code, f_text)
        ws.write_string(row, 1, region.name, f_text)
        for gid in groups:
            ws.write_blank(row, col_of[gid], None, f_input)
        checks = []
        for parent in groups:
            parts = [g for g in groups if policy.groups[g].part_of == parent]
            if parts:
                total = "+".join(xl_rowcol_to_cell(row, col_of[p]) for p in parts)
                checks.append(f'IF({total}>{xl_rowcol_to_cell(row, col_of[parent])},"其中数之和大于总数","")')
        ws.write_formula(row, check_col, "=" + ("&".join(checks) if checks else '""'), f_check, "")
    # validation: whole numbers ≥ 0; an "of which" cell no larger than its parent(s)
    for gid in groups:
        col = col_of[gid]
        group = policy.groups[gid]
        parents = ([group.part_of] if group.part_of else []) + [w for w in group.within if w in col_of]
        rule = {"validate": "integer", "criteria": ">=", "value": 0,
                "error_title": "人数有误", "error_message": "请填写大于或等于0的整数。"}
        if parents:
            refs = ",".join(xl_rowcol_to_cell(FIRST_DATA_ROW, col_of[p], col_abs=True) for p in parents)
            rule = {"validate": "integer", "criteria": "between", "minimum": 0,
                    "maximum": f"=MIN({refs})" if len(parents) > 1 else f"={refs}",
                    "error_title": "人数有误",
                    "error_message": "其中数须为整数，且不大于" + "、".join(policy.groups[p].name for p in parents) + "。"}
        ws.data_validation(FIRST_DATA_ROW, col, last, col, rule)
    ws.freeze_panes(FIRST_DATA_ROW, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.set_footer("&C第 &P 页，共 &N 页")
    # one page wide while that prints at least PRINT_SCALE of the size, else two with the counties repeated
    span = sum(w + COLUMN_GAP for w in widths)
    ws.fit_to_pages(1 if span <= PAGE_WIDTH / PRINT_SCALE else 2, 0)
    if span > PAGE_WIDTH / PRINT_SCALE:
        ws.repeat_columns(0, 1)
    ws.repeat_rows(2, ID_ROW)
    ws.protect("", {"format_columns": True, "format_rows": True})

    notes = wb.add_worksheet("填报说明")
    notes.set_column(0, 0, NOTES_WIDTH)
    notes.set_paper(9)
    notes.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    notes.fit_to_pages(1, 0)
    lines = [
        f"{year}年社会保险扶贫补助人数预测填报说明",
        "1. 请在“县区填报”表黄色单元格内填写各县（市、区）预计人数，只填整数，没有的填0。"
        "按年补助（代缴保费、补充医疗保障、医保缴费资助）填年度内符合条件的人数，同一人全年只计一次；"
        "按月补助（基础养老金提高部分）填预计每月领取人数。",
        "   同一人属于多类的只计入一类：重度残疾人不计入“集中连片地区已补助”；特困人员、农村低保对象、"
        "建档立卡贫困人口按此次序只计入第一类（见各列标题“不含……”）。",
        "2. 标为“其中：”的列是其左侧总数中的一部分，不得大于总数；同一总数下各“其中”之和也不得大于总数（见“校验”列）。",
        "3. 请勿修改地区代码、第4行字段代码和表格结构；填好后可直接作为 budget plan --headcounts 的输入。",
        "4. 各人员类别含义：",
    ] + [f"   {policy.groups[g].name}（{g}）" for g in groups] + [
        "5. 依据：" + "；".join(quoted_title(d) for d in policy.documents),
    ]
    for row, text in enumerate(lines):
        notes.write_string(row, 0, text, f_title if row == 0 else f_plain)
        if row:  # a wrapped line's row as high as its lines (a program's wrapped cell does not grow it)
            notes.set_row(row, max(LINE_POINTS, label_height(text, NOTES_WIDTH, bold=False) - 5 + 2))
    notes.protect()
    wb.close()
    return stream.getvalue()
