"""CSV for Excel (issue 14, item 3): every CSV written for people opens in Excel on Chinese
Windows — UTF-8 with a BOM by default, GB18030 on request — with Chinese headers and names on
request, the English contract staying the default; what a plan wrote, settle reads back."""

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from budget.cli import app
from budget.core.manifest import Manifest
from budget.resources import EXAMPLE_HEADCOUNTS
from budget.writers.csv_writer import CsvFormat, rows_csv

runner = CliRunner()
BOM = b"\xef\xbb\xbf"
EXAMPLE = str(EXAMPLE_HEADCOUNTS)
ZH_ALLOCATIONS = "年度,区划代码,区划名称,补助项目,承担级次,人数,金额（元）"


def plan(tmp_path, name, *options, year="2018"):
    out = tmp_path / name
    result = runner.invoke(app, ["plan", "--year", year, "--no-pdf", "--no-workbook", "--advance-rate", "90%",
                                 "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return out


def actual_2018(tmp_path):
    """The example's 2018 rows, a little changed: the actual headcounts of a settlement."""
    path = tmp_path / "actual-2018.csv"
    if not path.exists():
        lines = [ln for ln in open(EXAMPLE, encoding="utf-8").read().splitlines() if not ln.startswith("2019")
                 and not ln.startswith("202")]
        path.write_text("\n".join(lines).replace(",pension_recipients,1", ",pension_recipients,2") + "\n", "utf-8")
    return str(path)


def settle(tmp_path, planned, name, *options):
    out = tmp_path / name
    result = runner.invoke(app, ["settle", "--year", "2018", "--planned", str(planned), "--actual", actual_2018(tmp_path),
                                 "--out", str(out), "--no-pdf", *options])
    assert result.exit_code == 0, result.output
    return out


def table(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_utf8_with_a_bom_and_english_headers_by_default(tmp_path):
    out = plan(tmp_path, "p")
    for name in ("allocations.csv", "advances.csv"):
        data = (out / name).read_bytes()
        assert data.startswith(BOM), name
        assert data[3:].decode("utf-8").startswith("year,region_code,region_name,subsidy,payer,headcount,amount\n")
    assert json.loads((out / "plan.json").read_text("utf-8"))["csv"] == {"encoding": "utf-8-bom", "headers": "en"}
    sums = (out / "SHA256SUMS").read_text("utf-8").splitlines()
    assert sums[0] == ("# CSV 文件：UTF-8（带 BOM，Excel 可直接打开），英文表头和代码，见 README (English headers and ids); "
                       "CSV files: utf-8-bom, headers en")
    if shutil.which("sha256sum"):  # the note is a comment sha256sum -c skips
        subprocess.run(["sha256sum", "-c", "--quiet", "--strict", "SHA256SUMS"], cwd=out, check=True)
    settled = settle(tmp_path, out, "s")
    for name in ("settlement.csv", "transfers.csv"):
        assert (settled / name).read_bytes().startswith(BOM + b"year,"), name


def test_gb18030_and_chinese_headers_and_names(tmp_path):
    out = plan(tmp_path, "p", "--csv-encoding", "gb18030", "--csv-headers", "zh")
    data = (out / "allocations.csv").read_bytes()
    assert not data.startswith(BOM)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GB18030, as Excel on Chinese Windows reads a CSV
    rows = table(data, "gb18030")
    assert ",".join(rows[0]) == ZH_ALLOCATIONS
    assert rows[1][:5] == ["2018", "610402", "秦都区", "城乡居民养老保险农村困难群体代缴保费", "省级"]
    assert {r[4] for r in rows[1:]} == {"省级", "市级", "县级"}
    assert ",".join(table((out / "advances.csv").read_bytes(), "gb18030")[0]) == ZH_ALLOCATIONS
    assert (out / "indicators-2018.csv").exists() is False  # --no-workbook: no indicators
    assert json.loads((out / "plan.json").read_text("utf-8"))["csv"] == {"encoding": "gb18030", "headers": "zh"}
    assert (out / "SHA256SUMS").read_text("utf-8").startswith(
        "# CSV 文件：GB18030（中文 Windows 的 Excel 默认编码），中文表头和名称")

    # the same amounts as the English file, row for row
    english = table((plan(tmp_path, "en") / "allocations.csv").read_bytes(), "utf-8-sig")
    assert [r[1:3] + [r[5], r[6]] for r in rows[1:]] == [r[1:3] + [r[5], r[6]] for r in english[1:]]

    # settle takes the plan's choice from plan.json: its advances.csv is checked and its CSVs written alike
    settled = settle(tmp_path, out, "s")
    settlement = table((settled / "settlement.csv").read_bytes(), "gb18030")
    assert settlement[0] == ["年度", "区划代码", "区划名称", "补助项目", "承担级次", "预拨数（元）", "应拨数（元）", "差额（元）"]
    transfers = table((settled / "transfers.csv").read_bytes(), "gb18030")
    assert transfers[0] == ["年度", "承担级次", "区划代码", "区划名称", "金额（元）", "方向"]
    assert {r[1] for r in transfers[1:]} == {"省级", "市级"} and {r[5] for r in transfers[1:]} <= {"补拨", "收回", "持平"}
    # … unless told otherwise
    machine = settle(tmp_path, out, "s2", "--csv-headers", "en", "--csv-encoding", "utf-8")
    assert (machine / "settlement.csv").read_bytes().startswith(b"year,region_code,")
    assert sum(Decimal(r[7]) for r in settlement[1:]) == sum(
        Decimal(r["difference"]) for r in csv.DictReader(open(machine / "settlement.csv", encoding="utf-8")))


@pytest.mark.parametrize("encoding, headers", [("utf-8-bom", "en"), ("utf-8-bom", "zh"), ("gb18030", "en"),
                                               ("gb18030", "zh"), ("utf-8", "en")])
def test_plan_then_settle_round_trip_with_each_option(tmp_path, encoding, headers):
    out = plan(tmp_path, "p", "--csv-encoding", encoding, "--csv-headers", headers)
    settled = settle(tmp_path, out, "s")
    codec = {"utf-8-bom": "utf-8-sig", "gb18030": "gb18030", "utf-8": "utf-8"}[encoding]
    head = table((settled / "transfers.csv").read_bytes(), codec)[0]
    assert head[0] == ("年度" if headers == "zh" else "year")
    assert (settled / "transfers.csv").read_bytes().startswith(BOM) == (encoding == "utf-8-bom")


def test_an_edited_advances_file_is_refused_in_the_plans_encoding(tmp_path):
    out = plan(tmp_path, "p", "--csv-encoding", "gb18030", "--csv-headers", "zh")
    path = out / "advances.csv"
    path.write_bytes(path.read_bytes().replace("省级".encode("gb18030"), "市级".encode("gb18030"), 1))
    result = runner.invoke(app, ["settle", "--year", "2018", "--planned", str(out), "--actual", actual_2018(tmp_path),
                                 "--out", str(tmp_path / "s"), "--no-pdf"])
    assert result.exit_code == 1
    assert "advances.csv 与测算的预拨数不一致（测算后被改动过？）" in result.output


def test_a_plan_json_from_before_reads_as_plain_utf8():
    text = json.dumps({"format": 2, "program": "budget 0.1", "years": [2018], "unit": "元", "documents": None,
                       "advance_rate": None, "policy": ["inputs/policy/p.yaml"], "headcounts": "inputs/h.csv",
                       "factors": None, "sha256": {"inputs/policy/p.yaml": "0" * 64, "inputs/h.csv": "1" * 64}})
    manifest = Manifest.from_text(text)
    assert (manifest.csv_encoding, manifest.csv_headers) == ("utf-8", "en")


@pytest.mark.parametrize("option, value, message", [
    ("--csv-encoding", "latin1", "CSV 编码应为 utf-8-bom、gb18030、utf-8 之一，而不是“latin1” "
                                 "(--csv-encoding must be one of: utf-8-bom, gb18030, utf-8)"),
    ("--csv-headers", "fr", "CSV 表头应为 en（英文，供程序读取）或 zh（中文，供人阅读），而不是“fr” "
                            "(--csv-headers must be en or zh)"),
])
def test_a_wrong_choice_is_a_usage_error(tmp_path, option, value, message):
    for command in (["plan", "--out", str(tmp_path / "p")], ["forecast", "--history", EXAMPLE, "--years", "2020",
                                                              "--out", str(tmp_path / "f")],
                    ["settle", "--year", "2018", "--planned", EXAMPLE, "--actual", EXAMPLE, "--out", str(tmp_path / "s")]):
        result = runner.invoke(app, [*command, option, value])
        assert result.exit_code == 2, (command, result.output)
        assert result.output.strip() == message
    assert not any(tmp_path.iterdir())


def test_forecast_headcounts_in_chinese_plan_as_the_english_ones(tmp_path):
    outs = {}
    for headers in ("en", "zh"):
        result = runner.invoke(app, ["forecast", "--history", EXAMPLE, "--years", "2022", "--method", "last",
                                     "--out", str(tmp_path / headers), "--csv-headers", headers, "--csv-encoding", "gb18030"])
        assert result.exit_code == 0, result.output
        outs[headers] = tmp_path / headers / "forecast-base.csv"
    text = outs["zh"].read_bytes().decode("gb18030")
    assert [ln for ln in text.splitlines() if not ln.startswith("#")][0] == "年度,地区代码,地区名称,人员类别,人数"
    assert "城乡居民养老保险领取待遇人员" in text and "pension_recipients" not in text
    allocated = {}
    for headers, path in outs.items():
        made = plan(tmp_path, f"plan-{headers}", "--headcounts", str(path), year="2022")
        allocated[headers] = (made / "allocations.csv").read_bytes()
    assert allocated["en"] == allocated["zh"]


def test_plain_tables_neutralise_formulas_and_keep_numbers():
    text = rows_csv(["地区名称", "人数"], [["=HYPERLINK(\"x\")", "-3"], ["@SUM(1)", 5], ["秦都区", "-100.00"]], ["note"])
    assert text.splitlines() == ["# note", "地区名称,人数", "\"'=HYPERLINK(\"\"x\"\")\",-3", "'@SUM(1),5", "秦都区,-100.00"]
    assert CsvFormat("gb18030").encode("秦都区") == "秦都区".encode("gb18030")


@pytest.mark.parametrize("encoding", ["utf-8-bom", "gb18030", "utf-8"])
@pytest.mark.parametrize("headers", ["en", "zh"])
def test_allocations_encoded_as_written_are_the_same_bytes(encoding, headers, monkeypatch):
    """allocations.csv is written from the lines and encoded chunk by chunk (less memory at country
    scale): the same bytes as the rows' whole text encoded at once, in every encoding and header
    language."""
    from budget.core.lines import all_lines, each_allocation
    from budget.plan import run_plan
    from budget.resources import EXAMPLE_HEADCOUNTS, EXAMPLE_POLICY
    from budget.writers import csv_writer
    from budget.writers.csv_writer import CsvFormat, allocations_bytes, allocations_csv

    result, _ = run_plan([str(EXAMPLE_POLICY)], str(EXAMPLE_HEADCOUNTS), [2018])
    fmt = CsvFormat(encoding, headers)
    names = {s.id: s.name for s in result.policy.subsidies.values()}
    lines = all_lines(result.lines, result.fund_lines)
    rows = list(each_allocation(lines))
    whole = fmt.encode(allocations_csv(rows, fmt, names))
    assert allocations_bytes(lines, fmt, names) == whole
    monkeypatch.setattr(csv_writer, "CHUNK_LINES", 7)  # many chunks, some ending between a county's subsidies
    assert allocations_bytes(lines, fmt, names) == whole
    assert whole.count(b"\n") == len(rows) + 1


@pytest.mark.parametrize("headers", ["en", "zh"])
def test_allocations_quote_each_text_as_the_csv_module_does(headers):
    """allocations.csv joins its rows as text, each text cell quoted once: the same text as the
    csv module writing every row itself, for names with commas, quotes, line breaks, leading
    spaces, formula starts, an empty name and negative amounts."""
    import csv
    import io

    from budget.core.lines import Allocation
    from budget.writers.csv_writer import ALLOCATION_COLUMNS, ALLOCATION_COLUMNS_ZH, CsvFormat, allocations_csv, text_cell

    names = ["秦都区", "a,b", 'say "hi"', "two\nlines", " spaced", "=1+1", "", "-3", "tab\tin", "cr\rend", "'quoted'"]
    rows = [Allocation(2018, f"6104{i:02d}", name, "pension_contribution", payer, 10 + i, amount)
            for i, name in enumerate(names) for payer, amount in (("province", 12345), ("county", -7))]
    fmt = CsvFormat("utf-8", headers)
    subsidy_names = {"pension_contribution": "城乡居民养老保险代缴保费, 困难群体"}
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\n")
    writer.writerow(ALLOCATION_COLUMNS_ZH if headers == "zh" else ALLOCATION_COLUMNS)
    payer_names = {"province": "省级", "county": "县级"}
    for r in rows:
        item = subsidy_names[r.subsidy] if headers == "zh" else r.subsidy
        payer = payer_names[r.payer] if headers == "zh" else r.payer
        amount = f"{'-' if r.amount < 0 else ''}{abs(r.amount) // 100}.{abs(r.amount) % 100:02d}"
        writer.writerow([r.year, text_cell(r.region_code), text_cell(r.region_name), text_cell(item), text_cell(payer),
                         r.headcount, amount])
    assert allocations_csv(rows, fmt, subsidy_names) == expected.getvalue()
