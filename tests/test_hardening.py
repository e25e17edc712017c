"""Corrupt and hostile input never gives a traceback or a partial output: a clear message
and exit code 1, or a complete run."""

import random
import re
import resource
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, SHAANXI, XIANYANG, write_headcounts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from budget.cli import app

runner = CliRunner()
GOOD_CSV = Path(EXAMPLE).read_bytes()
CITY_YAML = Path(XIANYANG).read_text("utf-8")
PROVINCE_YAML = Path(SHAANXI).read_text("utf-8")


def assert_clean(result, out: Path):
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert result.output.strip(), "a failure must say why"
        assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")], "partial output"
        assert not out.exists() or not list(out.iterdir()), "temporary files left behind"


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        kind = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:  # truncate
            data = data[:at]
        elif kind == 1:  # junk bytes
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 2 and data:  # delete a span
            del data[at:at + rng.randint(1, 40)]
        elif kind == 3:  # a huge or odd number
            data[at:at] = rng.choice([b"9" * 40, b"-1", b"1e9", b"0x10", b"\xef\xbc\x91", b",,,", b"\n\n", b'"'])
        elif kind == 4 and data:  # duplicate a span
            span = data[at:at + rng.randint(1, 200)]
            data[at:at] = span
        else:  # swap encodings
            data = bytearray(bytes(data).decode("utf-8", "replace").encode("gb18030", "replace"))
    return bytes(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32))
def test_corrupt_headcount_files(tmp_path_factory, seed):
    tmp = tmp_path_factory.mktemp("fuzz")
    path = tmp / "h.csv"
    path.write_bytes(mutate(GOOD_CSV, random.Random(seed)))
    before = path.read_bytes()
    out = tmp / "out"
    result = runner.invoke(app, ["plan", "-y", "2018", "-H", str(path), "-p", XIANYANG, "-o", str(out), "--no-pdf"])
    assert_clean(result, out)
    assert path.read_bytes() == before  # inputs are never modified


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.booleans())
def test_corrupt_policy_files(tmp_path_factory, seed, province):
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "regions").mkdir()
    (tmp / "regions" / "shaanxi.yaml").write_bytes((ROOT / "budget" / "configs" / "regions" / "shaanxi.yaml").read_bytes())
    rng = random.Random(seed)
    province_text = PROVINCE_YAML.encode("utf-8")
    city_text = CITY_YAML.encode("utf-8")
    if province:
        province_text = mutate(province_text, rng)
    else:
        city_text = mutate(city_text, rng)
    (tmp / "shaanxi-2017-60.yaml").write_bytes(province_text)
    (tmp / "city.yaml").write_bytes(city_text)
    out = tmp / "out"
    result = runner.invoke(app, ["plan", "-y", "2018", "-H", EXAMPLE, "-p", str(tmp / "city.yaml"), "-o", str(out),
                                 "--no-pdf"])
    assert_clean(result, out)


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 truncated zip", "不是可读取的 .xlsx 工作簿"),
    (b"\x00" * 100, "不是可读取的 .xlsx 工作簿"),
])
def test_broken_workbooks(tmp_path, content, message):
    path = tmp_path / "h.xlsx"
    path.write_bytes(content)
    result = runner.invoke(app, ["plan", "-H", str(path), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1 and message in result.output


def test_huge_headcounts_are_refused(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {"pension_recipients": 10**40})
    result = runner.invoke(app, ["plan", "-H", path, "-p", XIANYANG, "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1
    assert "应为不小于 0 的整数，且不超过 1,000,000,000" in result.output


def test_deeply_nested_yaml(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("document: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-p", str(policy)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{policy}:1: 不是有效的 YAML：exceeded maximum nesting depth\n" in result.output \
        or f"{policy}: 文件嵌套层次过深，不是政策文件\n" in result.output


def test_output_folder_that_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("I am a file", encoding="utf-8")
    result = runner.invoke(app, ["plan", "-y", "2018", "-o", str(out), "--no-pdf"])
    assert result.exit_code == 2
    assert result.output == f"--out 应是一个文件夹，{out} 是一个文件\n"
    assert out.read_text("utf-8") == "I am a file"


def test_a_failed_run_leaves_earlier_outputs_untouched(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["plan", "-y", "2018", "-o", str(out), "--no-pdf"]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = write_headcounts(tmp_path / "h.csv", {"pension_recipients": -1})
    result = runner.invoke(app, ["plan", "-y", "2018", "-H", bad, "-p", XIANYANG, "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_outputs_cannot_leave_their_folder(tmp_path):
    from budget.writers.atomic import staged

    with pytest.raises(ValueError, match="would leave the output folder"):
        with staged(tmp_path / "out") as stage:
            stage.write_text("../escape.csv", "x")
    assert not (tmp_path / "escape.csv").exists()
    assert list(tmp_path.iterdir()) == [], "nothing written, no temporary folder or lock left"


# --- spreadsheet bombs and damaged workbooks (issue 12, item 8) ----------------------------------

def headcount_workbook(path: Path) -> Path:
    """The shipped example's 2018 rows as an .xlsx in long format."""
    if not HEADCOUNT_WORKBOOK:
        HEADCOUNT_WORKBOOK.append(_headcount_workbook(path))
    path.write_bytes(HEADCOUNT_WORKBOOK[0])
    return path


HEADCOUNT_WORKBOOK: list[bytes] = []


def _headcount_workbook(path: Path) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in GOOD_CSV.decode("utf-8").splitlines():
        if line and not line.startswith("#") and not line.startswith(("2019", "2020", "2021")):
            sheet.append(line.split(","))
    book.save(path)
    return path.read_bytes()


def rewritten(source: Path, target: Path, change) -> Path:
    """``source`` with every part passed through ``change(name, data) -> data | None`` (None drops it)."""
    with zipfile.ZipFile(source) as zi, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            data = change(item.filename, zi.read(item.filename))
            if data is not None:
                zo.writestr(item.filename, data)
    return target


def limited_plan(path: Path, out: Path) -> subprocess.CompletedProcess:
    """``budget plan`` in a process that may not take more than 1.5 GB nor 120 s: a bomb that
    got through fails the test instead of exhausting the machine."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))

    return subprocess.run([sys.executable, "-m", "budget.cli", "plan", "-y", "2018", "-H", str(path), "-o", str(out),
                           "--no-pdf"], capture_output=True, text=True, timeout=120, preexec_fn=limit)


def test_a_workbook_declaring_every_cell_of_a_sheet(tmp_path):
    good = headcount_workbook(tmp_path / "good.xlsx")
    bomb = rewritten(good, tmp_path / "bomb.xlsx", lambda name, data: re.sub(
        rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data) if "worksheets" in name else data)
    assert bomb.stat().st_size < 20_000
    result = limited_plan(bomb, tmp_path / "out")
    assert result.returncode == 1, result.stderr
    assert "xl/worksheets/sheet1.xml 声明了 1,048,576 行 × 16,384 列，超过上限（1,048,576 行、256 列、共 10,000,000 个单元格）" \
        in result.stderr
    assert "MemoryError" not in result.stderr and not (tmp_path / "out").exists()


def test_a_workbook_that_unpacks_to_more_than_the_limit(tmp_path):
    good = headcount_workbook(tmp_path / "good.xlsx")
    with zipfile.ZipFile(good) as zi, zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as zo:
        for item in zi.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                zo.writestr(item.filename, zi.read(item.filename))
        with zo.open("xl/worksheets/sheet1.xml", "w") as sheet:  # 300 MB of rows, a few hundred KB packed
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            row = b'<row><c t="inlineStr"><is><t>2018</t></is></c></row>' * 20_000
            for _ in range(300 * 2**20 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    assert (tmp_path / "bomb.xlsx").stat().st_size < 5 * 2**20
    started = time.monotonic()
    result = limited_plan(tmp_path / "bomb.xlsx", tmp_path / "out")
    assert result.returncode == 1 and time.monotonic() - started < 30
    assert "工作簿解压后 300 MB，超过上限 256 MB：请另存为 CSV" in result.stderr, result.stderr


def test_a_part_compressed_beyond_any_office_suite(tmp_path):
    good = headcount_workbook(tmp_path / "good.xlsx")
    padded = rewritten(good, tmp_path / "bomb.xlsx", lambda name, data: data.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (40 * 2**20)) if "worksheets" in name else data)
    result = limited_plan(padded, tmp_path / "out")
    assert result.returncode == 1
    assert "xl/worksheets/sheet1.xml 压缩比 943:1，超过上限 200:1（不是办公软件保存的工作簿）" in result.stderr


def test_the_limits_let_an_honest_workbook_through(tmp_path):
    result = runner.invoke(app, ["plan", "-y", "2018", "-H", str(headcount_workbook(tmp_path / "h.xlsx")),
                                 "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 0, result.output


@st.composite
def sheet_changes(draw):
    """A change to the sheet's XML: its declared dimension, a cell far away, broken markup, junk."""
    kind = draw(st.sampled_from(["dimension", "far cell", "truncate", "junk", "no dimension"]))
    if kind == "dimension":
        column = draw(st.sampled_from(["A", "D", "Z", "IV", "IW", "XFD", "ZZZ", ""]))
        row = draw(st.sampled_from(["", "0", "1", "118", "1048576", "1048577", "99999999999"]))
        ref = draw(st.sampled_from([f"A1:{column}{row}", f"{column}{row}", f"B2:{column}{row}", "", ":"]))
        return lambda data: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
    if kind == "far cell":
        cell = draw(st.sampled_from(["XFD1", "A1048576", "XFD1048576", "IW5", "A2000000"]))
        return lambda data: data.replace(b"</sheetData>", f'<row r="{cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
                                         f'<c r="{cell}"><v>1</v></c></row></sheetData>'.encode())
    if kind == "truncate":
        at = draw(st.integers(0, 4000))
        return lambda data: data[:at]
    if kind == "junk":
        junk = draw(st.binary(min_size=1, max_size=40))
        at = draw(st.integers(0, 4000))
        return lambda data: data[:at] + junk + data[at:]
    return lambda data: re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(change=sheet_changes(), part=st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml",
                                                      "xl/sharedStrings.xml", "[Content_Types].xml"]))
def test_fuzzed_sheet_xml(tmp_path_factory, change, part):
    tmp = tmp_path_factory.mktemp("xlsx")
    good = headcount_workbook(tmp / "good.xlsx")
    path = rewritten(good, tmp / "h.xlsx", lambda name, data: change(data) if name == part else data)
    out = tmp / "out"
    assert_clean(runner.invoke(app, ["plan", "-y", "2018", "-H", str(path), "-o", str(out), "--no-pdf"]), out)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32), st.sampled_from(["bytes", "drop", "duplicate", "stored", "sizes"]))
def test_fuzzed_zip_structure(tmp_path_factory, seed, kind):
    tmp = tmp_path_factory.mktemp("zip")
    good = headcount_workbook(tmp / "good.xlsx")
    rng = random.Random(seed)
    path = tmp / "h.xlsx"
    if kind == "bytes":
        path.write_bytes(mutate(good.read_bytes(), rng))
    elif kind == "sizes":  # the central directory lies about a part's unpacked size
        data = bytearray(good.read_bytes())
        at = data.rfind(b"PK\x01\x02", 0, rng.randrange(len(data)) + 4)
        if at >= 0:
            data[at + 24:at + 28] = rng.choice([0, 1, 2**31, 2**32 - 1]).to_bytes(4, "little")
        path.write_bytes(bytes(data))
    else:
        with zipfile.ZipFile(good) as zi, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if kind == "stored"
                                                          else zipfile.ZIP_DEFLATED) as zo:
            names = zi.namelist()
            dropped = rng.choice(names) if kind == "drop" else None
            for name in names:
                if name != dropped:
                    zo.writestr(name, zi.read(name))
            if kind == "duplicate":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    zo.writestr(rng.choice(names), b"<x/>")
    out = tmp / "out"
    assert_clean(runner.invoke(app, ["plan", "-y", "2018", "-H", str(path), "-o", str(out), "--no-pdf"]), out)


# --- large honest files (issue 12, item 9) -------------------------------------------------------

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked (large) test process
PEAK = """
import re, sys
from budget.cli import main
try:
    main()
finally:
    peak = re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)
    print("peak-kb=" + peak, file=sys.stderr)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory with Linux's /proc")
def test_a_large_csv_is_streamed(tmp_path):
    """468,000 rows (years 1000–4999, 23 MB): checking one year keeps that year only. Before: the
    whole file, decoded, and a row object per line (1.4 GB for a million rows)."""
    rows = [line[4:] for line in GOOD_CSV.decode("utf-8").splitlines(keepends=True) if line.startswith("2018")]
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("year,region_code,region_name,group,headcount\n")
        for year in range(1000, 5000):
            handle.writelines(f"{year}{row}" for row in rows)
    result = subprocess.run([sys.executable, "-c", PEAK, "check", "-y", "2019", "-H", str(path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "年度 2019。" in result.stdout
    peak_mb = int(re.search(r"peak-kb=(\d+)", result.stderr).group(1)) / 1024
    assert peak_mb < 150, f"peak memory {peak_mb:.0f} MB"
