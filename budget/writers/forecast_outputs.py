"""What `budget forecast` writes: one headcount file per variant (read by `budget plan` as it is)
and the forecast workbook (history, forecast, method and backtest error per county, a chart)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Mapping, Sequence

import pandas as pd

from .csv_writer import DEFAULT_FORMAT, CsvFormat, headcount_table_csv

FORECAST_COLUMNS = ("year", "region_code", "region_name", "group", "headcount")


def forecast_csv(rows: Sequence[Sequence[object]], notes: Sequence[str], fmt: CsvFormat = DEFAULT_FORMAT,
                 group_names: Mapping[str, str] | None = None) -> str:
    return headcount_table_csv(FORECAST_COLUMNS, rows, notes, fmt, group_names)


def forecast_workbook(title: str, year: int, history: pd.DataFrame, forecast: pd.DataFrame, backtest: pd.DataFrame,
                      labels: dict[str, str], method_names: dict[str, str], variant_names: dict[str, str],
                      notes: Sequence[str]) -> bytes:
    """history: year, region_code, region_name, group, headcount; forecast: year, region_code,
    region_name, group, method and one column per variant; backtest: region_code, region_name,
    backtest_year, chosen and one error column per method (a share, or None)."""
    from .xlsx_zip import xlsxwriter

    stream = io.BytesIO()
    wb = xlsxwriter.Workbook(stream, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                      "strings_to_urls": False})
    wb.set_properties({"title": title, "author": "budget", "created": dt.datetime(year, 1, 1),
                       "comments": "人数预测，供编制预算参考 (a forecast, not actual figures)"})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"num_format": "@"})
    people = wb.add_format({"num_format": "#,##0"})
    percent = wb.add_format({"num_format": "0.00%"})
    variants = list(variant_names)
    order = {g: i for i, g in enumerate(labels)}

    def header(ws, row: list[str], widths: list[int]) -> None:
        ws.write_row(0, 0, row, head)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 3 if len(row) > 3 else 0)

    # 历史数据: one row per county and group, one column per year
    hist_years = sorted(int(y) for y in history["year"].unique())
    wide = history.pivot_table(index=["region_code", "region_name", "group"], columns="year", values="headcount",
                               aggfunc="sum")
    ws = wb.add_worksheet("历史数据")
    header(ws, ["地区代码", "地区名称", "人员类别"] + [f"{y}年" for y in hist_years], [10, 12, 30] + [12] * len(hist_years))
    keys = sorted(wide.index, key=lambda k: (k[0], order.get(k[2], 99)))
    for r, key in enumerate(keys, start=1):
        code, name, group = key
        ws.write_string(r, 0, code, text)
        ws.write_string(r, 1, name, text)
        ws.write_string(r, 2, labels.get(group, group), text)
        for c, y in enumerate(hist_years, start=3):
            value = wide.loc[key].get(y)
            if value is not None and not pd.isna(value):
                ws.write_number(r, c, int(value), people)

    # 预测结果: per county, group and year, the three variants and the method
    ws = wb.add_worksheet("预测结果")
    header(ws, ["地区代码", "地区名称", "人员类别", "年度", "方法"] + [variant_names[v] for v in variants],
           [10, 12, 30, 8, 36] + [12] * len(variants))
    ordered = forecast.assign(_o=forecast["group"].map(order)).sort_values(["region_code", "_o", "year"], kind="stable")
    for r, row in enumerate(ordered.itertuples(index=False), start=1):
        ws.write_string(r, 0, str(row.region_code), text)
        ws.write_string(r, 1, str(row.region_name), text)
        ws.write_string(r, 2, labels.get(str(row.group), str(row.group)), text)
        ws.write_number(r, 3, int(row.year))
        ws.write_string(r, 4, str(row.method), text)
        for c, v in enumerate(variants, start=5):
            ws.write_number(r, c, int(getattr(row, v)), people)

    # 方法与回测: the method chosen per county and every method's backtest error
    methods = [m for m in backtest.columns if m in method_names]
    ws = wb.add_worksheet("方法与回测")
    header(ws, ["地区代码", "地区名称", "回测年度", "选用方法"] + [f"{method_names[m]} 回测误差" for m in methods],
           [10, 12, 10, 16] + [16] * len(methods))
    for r, row in enumerate(backtest.itertuples(index=False), start=1):
        ws.write_string(r, 0, str(row.region_code), text)
        ws.write_string(r, 1, str(row.region_name), text)
        if row.backtest_year is not None and not pd.isna(row.backtest_year):
            ws.write_number(r, 2, int(row.backtest_year))
        else:
            ws.write_string(r, 2, "无（历史仅一年）", text)
        ws.write_string(r, 3, method_names.get(str(row.chosen), str(row.chosen)), text)
        for c, m in enumerate(methods, start=4):
            value = getattr(row, m)
            if value is None or pd.isna(value):
                ws.write_string(r, c, "不适用", text)
            else:
                ws.write_number(r, c, float(value), percent)
    ws.write_string(len(backtest) + 2, 0, "回测误差 = Σ|预测 − 实际| ÷ Σ实际：用最后一年之前的历史拟合，预测最后一年，"
                    "按县汇总各类人员（“其中”人数除外）；误差最小者选用，相同时取更简单的方法。", text)

    # 图表: totals over the counties per year, history and the three variants, one line per group
    ws = wb.add_worksheet("图表")
    fc_years = sorted(int(y) for y in forecast["year"].unique())
    groups = [g for g in labels if g in set(history["group"]) | set(forecast["group"])]
    hist_tot = history.groupby(["group", "year"])["headcount"].sum()
    fc_tot = forecast.groupby(["group", "year"])[variants].sum()
    ws.write_row(0, 0, ["人员类别", "口径"] + [f"{y}年" for y in hist_years + fc_years], head)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 10)
    row_no = 1
    chart = wb.add_chart({"type": "line"})
    for group in groups:
        for v in ["history"] + variants:
            ws.write_string(row_no, 0, labels.get(group, group), text)
            ws.write_string(row_no, 1, "实际" if v == "history" else variant_names[v], text)
            for c, y in enumerate(hist_years + fc_years, start=2):
                if y in hist_years:
                    value = hist_tot.get((group, y))
                else:
                    value = fc_tot[v].get((group, y)) if v != "history" else None
                if v != "history" and y == hist_years[-1]:
                    value = hist_tot.get((group, y))  # each variant's line starts at the last actual year
                if value is not None and not pd.isna(value) and (v == "history" or y >= hist_years[-1]):
                    ws.write_number(row_no, c, int(value), people)
            if v in ("history", "base"):
                chart.add_series({"name": f"{labels.get(group, group)}（{'实际' if v == 'history' else '预测'}）",
                                  "categories": ["图表", 0, 2, 0, 1 + len(hist_years) + len(fc_years)],
                                  "values": ["图表", row_no, 2, row_no, 1 + len(hist_years) + len(fc_years)],
                                  "line": {"dash_type": "solid" if v == "history" else "dash"}})
            row_no += 1
    chart.set_title({"name": "各类人员合计：实际与预测（基准方案）"})
    chart.set_y_axis({"name": "人数"})
    chart.set_size({"width": 900, "height": 480})
    chart.show_blanks_as("gap")
    ws.insert_chart(row_no + 2, 0, chart)

    ws = wb.add_worksheet("说明")
    ws.set_column(0, 0, 110)
    for r, note in enumerate(notes):
        ws.write_string(r, 0, note, text)
    wb.close()
    return stream.getvalue()
