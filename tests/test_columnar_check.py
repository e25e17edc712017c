"""The headcount check reads a CSV by column (no RawRow per plain row, for speed at country
scale); it must find exactly what the row-by-row check finds: the same figures and the same
problems, in the same order, naming the same lines."""

import random

import pytest

from budget.core.headcount_check import Records, check_headcounts
from budget.readers.policy_reader import read_policy
from budget.readers.table_reader import read_headcounts
from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY

POLICY, _ = read_policy([str(EXAMPLE_POLICY)])


def both(path: str, years: list[int] | None = None):
    rows, read_problems = read_headcounts(path)
    assert isinstance(rows, Records)
    by_column = check_headcounts(rows, POLICY, path, years)
    rows_again, read_again = read_headcounts(path)
    by_row = check_headcounts(list(rows_again), POLICY, path, years)  # every row a RawRow
    return by_column, by_row, read_problems, read_again


def figures(headcounts):
    return headcounts.items(), sorted((k, headcounts.monthly(*k)) for k in headcounts.monthly_keys())


def messy(lines: list[str], seed: int) -> list[str]:
    """The example's rows with faults: duplicates, months, names, bad figures and codes, short
    and long records, full-width digits, padded fields."""
    rng = random.Random(seed)
    header, data = lines[0], lines[1:]
    out = [header]
    for line in data:
        year, code, name, group, count = line.split(",")
        roll = rng.random()
        if roll < 0.05:
            out += [line, line]  # a duplicate
        elif roll < 0.10:
            out += [f"{year},{code},{name},{group},{int(count) // 2}"] + [
                f"{year},{code},,{group},{int(count) // 3}" for _ in range(1)]
        elif roll < 0.13:
            out.append(f"{year},{code},错名,{group},{count}")
        elif roll < 0.16:
            out.append(f"{year},{code},{name},{group},{count}.0")
        elif roll < 0.19:
            out.append(f"{year},{code},{name},{group},-{count}")
        elif roll < 0.21:
            out.append(f"{year},999999,{name},{group},{count}")
        elif roll < 0.23:
            out.append(f"{year},{code},{name},{group}")  # short
        elif roll < 0.25:
            out.append(f"{line},extra")  # long
        elif roll < 0.27:
            out.append(f"{year},{code},{name},{group},{count.translate(str.maketrans('0123456789', '０１２３４５６７８９'))}")
        elif roll < 0.29:
            out.append(f" {year} ,{code} ,{name},{group},{count}")
        elif roll < 0.31:
            out.append(f"{year},{code},{name},{group},")
        else:
            out.append(line)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_by_column_finds_what_row_by_row_finds(tmp_path, seed):
    lines = [ln for ln in EXAMPLE_HEADCOUNTS.read_text("utf-8").splitlines() if not ln.startswith("#")]
    path = tmp_path / "h.csv"
    path.write_text("\n".join(messy(lines, seed)) + "\n", encoding="utf-8")
    (column_counts, column_problems), (row_counts, row_problems), read_1, read_2 = both(str(path), [2018])
    assert [str(p) for p in column_problems] == [str(p) for p in row_problems]
    assert column_problems  # the faults were found, not passed over by the fast path
    assert figures(column_counts) == figures(row_counts)
    assert [str(p) for p in read_1] == [str(p) for p in read_2]


def test_monthly_rows_and_the_clean_example_agree(tmp_path):
    lines = [ln for ln in EXAMPLE_HEADCOUNTS.read_text("utf-8").splitlines() if not ln.startswith("#")]
    header = "year,region_code,region_name,group,headcount,month"
    out = [header]
    for line in lines[1:]:
        out.append(line + ",")
        year, code, name, group, count = line.split(",")
        if group == "pension_recipients" and code.endswith("2"):
            out += [f"{year},{code},,{group},{int(count) - m},{m}" for m in range(1, 13)]
    path = tmp_path / "m.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    (column_counts, column_problems), (row_counts, row_problems), _, _ = both(str(path))
    assert [str(p) for p in column_problems] == [str(p) for p in row_problems]
    assert figures(column_counts) == figures(row_counts)
    assert column_counts.monthly_keys()  # the monthly figures were read
