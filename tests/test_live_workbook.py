"""A live budget workbook: a headcount edited in the workbook, recalculated by LibreOffice, gives the
amounts the engine computes for the edited headcount file, to the fen — in the subsidy's sheet, its
合计, the 汇总 and the payers' views; and the formulas' rounding and largest remainder agree with
core/money.py on many random cases, ties included."""

import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from conftest import EXAMPLE, XIANYANG, recalculated_by_libreoffice
from openpyxl import load_workbook

from budget.core.display import PAYER_NAMES, shown_unit
from budget.core.money import apportion_int, round_half_up_ratio
from budget.core.policy import PAYERS
from budget.plan import run_plan
from budget.writers.live_amounts import (
    LiveLine,
    live_line,
    payer_formula,
    remainder_formula,
    total_formula,
    units_of,
)
from budget.writers.workbook import workbook_bytes

needs_office = pytest.mark.skipif(shutil.which("soffice") is None,
                                  reason="LibreOffice is installed by `scripts/setup.sh --test` (make test)")
COUNTY, GROUP, MORE = "610402", "poor_pension_contributors", 1237  # 秦都区's 参保缴费农村困难群体 + 1,237


def fen(value) -> int:
    return int(Decimal(str(value)) * 100)


def edited_headcounts(tmp_path: Path, old: int) -> str:
    text = Path(EXAMPLE).read_text("utf-8")
    line = f"2018,{COUNTY},秦都区,{GROUP},{old}\n"
    assert text.count(line) == 1
    path = tmp_path / "edited.csv"
    path.write_text(text.replace(line, f"2018,{COUNTY},秦都区,{GROUP},{old + MORE}\n"), "utf-8")
    return str(path)


@needs_office
@pytest.mark.parametrize("quantum", [1, 100, 10_000])  # allocated to the 分, the 元 (shipped), 0.01 万元
def test_an_edited_headcount_recalculates_to_the_engines_amounts(tmp_path, quantum):
    before, _ = run_plan([XIANYANG], EXAMPLE, [2018], quantum=quantum)
    subsidy = before.policy.subsidies["pension_contribution"]
    assert sum(t.group == GROUP for s in before.policy.subsidies.values() for t in s.terms) == 1
    (tmp_path / "plan.xlsx").write_bytes(workbook_bytes(before, 2018, shown_unit("元", quantum)))
    book = load_workbook(tmp_path / "plan.xlsx")
    ws = book[subsidy.name]
    header = {c.value: c.column for c in ws[3] if c.value}
    rows = {ws.cell(r, 2).value: r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value}
    label = before.policy.groups[GROUP].name
    old = ws.cell(rows[COUNTY], header[label]).value
    ws.cell(rows[COUNTY], header[label]).value = old + MORE  # the clerk's edit, as Excel would save it
    book.save(tmp_path / "edited.xlsx")

    after, _ = run_plan([XIANYANG], edited_headcounts(tmp_path, old), [2018], quantum=quantum)
    theirs = recalculated_by_libreoffice(tmp_path / "edited.xlsx", tmp_path)
    mine = {(ln.subsidy.id, ln.region.code): ln for ln in after.lines}
    was = {(ln.subsidy.id, ln.region.code): ln for ln in before.lines}
    assert all(was[k].amounts == ln.amounts for k, ln in mine.items() if k[0] != subsidy.id)  # only one table moves
    ws = theirs[subsidy.name]
    assert ws.cell(rows[COUNTY], header["人数"]).value == mine[(subsidy.id, COUNTY)].headcount

    # Each county: its exact amount (the engine's, for the edited file) rounded once to the unit, plus the
    # residue the plan placed on it (a value: 0 unless a coarse unit needed one), split as the engine
    # splits. Wherever the engine, planning the edited file, places the same residue, that is its amount.
    expected = {}
    for code in rows:
        line, plan = mine[(subsidy.id, code)], was[(subsidy.id, code)]
        numerator = sum(n for _, n in line.numerators)
        units = round_half_up_ratio(numerator, line.denominator * quantum) + live_line(plan, quantum).adjust
        expected[code] = apportion_int(units, list(line.numerators), numerator)
        if live_line(line, quantum).adjust == live_line(plan, quantum).adjust:
            assert {p: u * quantum for p, u in expected[code].items()} == dict(line.amounts)
        elif quantum <= 100:
            raise AssertionError(f"no residue across counties is placed when allocating to the 元: {code}")
    for code, row in rows.items():
        for payer in PAYERS:
            got = fen(ws.cell(row, header[PAYER_NAMES[payer]]).value)
            assert got == expected[code].get(payer, 0) * quantum, (code, payer)
        assert fen(ws.cell(row, header["资金合计"]).value) == sum(expected[code].values()) * quantum
    others = [ln for ln in after.lines if ln.subsidy.id != subsidy.id]
    for payer in PAYERS:
        column = sum(e.get(payer, 0) for e in expected.values()) * quantum
        assert fen(ws.cell(4, header[PAYER_NAMES[payer]]).value) == column
        assert fen(theirs["汇总"].cell(5, 3 + PAYERS.index(payer)).value) == column
        view = theirs[{"province": "省级承担", "city": "市级承担", "county": "县级承担"}[payer]]
        row = next(r for r in range(5, view.max_row + 1) if view.cell(r, 2).value == COUNTY)
        last = max(c.column for c in view[3] if c.value)  # the payers' views: the county's row and 合计 follow
        assert fen(view.cell(row, last).value) == expected[COUNTY].get(payer, 0) * quantum + sum(
            dict(ln.amounts).get(payer, 0) for ln in others if ln.region.code == COUNTY)
        assert fen(view.cell(4, last).value) == column + sum(dict(ln.amounts).get(payer, 0) for ln in others)
    assert fen(theirs["汇总"]["F4"].value) == sum(sum(e.values()) for e in expected.values()) * quantum + sum(
        ln.total for ln in others)
    if quantum > 1:  # under the table: 一致 exactly when its 合计 is the engine's (the exact total rounded)
        check = next(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("尾差核对"))
        engine_total = sum(ln.total for ln in after.lines if ln.subsidy.id == subsidy.id)
        agrees = fen(ws.cell(4, header["资金合计"]).value) == engine_total
        assert ws.cell(check, header["资金合计"]).value == ("一致" if agrees else "不一致：请重新运行 budget plan")


def _random_live(rng: random.Random) -> tuple[LiveLine, int, int]:
    """A line of random shares (ties likely: small denominators), total and units."""
    quantum, unit_fen = rng.choice([(1, 100), (100, 100), (10_000, 100), (10_000, 1_000_000), (1_000_000, 1_000_000),
                                    (100, 1_000_000), (1_000_000, 100)])
    k = rng.choice([2, 3, 3])
    b = rng.choice([2, 3, 4, 8, 10, 20, 40, 100, 1000, 7 * 9])
    cuts = sorted(rng.sample(range(1, b), k - 1)) if b > k else list(range(1, k))
    parts = [x - y for x, y in zip(cuts + [b], [0] + cuts)]
    weights = tuple((p, a) for p, a in zip(rng.sample(PAYERS, k), parts))
    weights = tuple(sorted(weights, key=lambda w: PAYERS.index(w[0])))
    total = rng.choice([0, 1, 2, 3, rng.randrange(1, 1000), rng.randrange(1, 10**9)])
    units = apportion_int(total, list(weights), b)
    return (LiveLine(12, (), True, weights, b, 0, total, units, {p: total * a % b for p, a in weights}),
            quantum, unit_fen)


@needs_office
def test_the_formulas_round_and_split_as_the_engine(tmp_path):
    """Random shares and totals: each payer's formula gives apportion_int's units; random exact
    amounts (halves included): the total's formula gives round_half_up_ratio's."""
    rng = random.Random(20180108)
    path = tmp_path / "random.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("s")
    expected = {}
    for row in range(600):
        live, quantum, unit_fen = _random_live(rng)
        ws.write_number(row, 0, live.total * quantum / unit_fen)  # the row's 资金合计 in the shown unit
        total_cell = f"A{row + 1}"
        remainder_cell = {p: f"{'EFG'[i]}{row + 1}" for i, p in enumerate(PAYERS)}
        for i, payer in enumerate(PAYERS):
            if payer in live.units:
                ws.write_formula(row, 1 + i, payer_formula(live, payer, total_cell, remainder_cell, quantum, unit_fen))
                ws.write_formula(row, 4 + i, remainder_formula(units_of(total_cell, quantum, unit_fen),
                                                               dict(live.weights)[payer], live.b))
            else:
                ws.write_number(row, 1 + i, 0)
                ws.write_number(row, 4 + i, 0)
            expected[(row, 1 + i)] = live.units.get(payer, 0) * quantum / unit_fen
        per = rng.choice([1, 12])
        d = per * quantum
        base = rng.choice([rng.randrange(0, 10**12), (2 * rng.randrange(0, 10**6) + 1) * d // 2, rng.randrange(0, 10**3)])
        ws.write_number(row, 8, base)
        ws.write_formula(row, 9, total_formula(LiveLine(per, (), True, (), 1, 0, 0, {}, {}), f"I{row + 1}",
                                               quantum, unit_fen, None))
        expected[(row, 9)] = round_half_up_ratio(base, d) * quantum / unit_fen
    book.close()
    theirs = recalculated_by_libreoffice(path, tmp_path)["s"]
    for (row, col), value in expected.items():
        assert theirs.cell(row + 1, col + 1).value == value, (row, col, value)
