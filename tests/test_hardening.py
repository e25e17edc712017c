"""Corrupt and hostile input never gives a traceback or a partial output: a clear message
and exit code 1, or a complete run."""

import random
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
    result = runner.invoke(app, ["plan", "-y", "2018", "-h", str(path), "-p", XIANYANG, "-o", str(out), "--no-pdf"])
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
    result = runner.invoke(app, ["plan", "-y", "2018", "-h", EXAMPLE, "-p", str(tmp / "city.yaml"), "-o", str(out),
                                 "--no-pdf"])
    assert_clean(result, out)


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 truncated zip", "not a readable .xlsx workbook"),
    (b"\x00" * 100, "not a readable .xlsx workbook"),
])
def test_broken_workbooks(tmp_path, content, message):
    path = tmp_path / "h.xlsx"
    path.write_bytes(content)
    result = runner.invoke(app, ["plan", "-h", str(path), "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1 and message in result.output


def test_huge_headcounts_are_refused(tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {"pension_recipients": 10**40})
    result = runner.invoke(app, ["plan", "-h", path, "-p", XIANYANG, "-o", str(tmp_path / "out"), "--no-pdf"])
    assert result.exit_code == 1
    assert "must be a whole number ≥ 0 and at most 1,000,000,000" in result.output


def test_deeply_nested_yaml(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("document: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "-p", str(policy)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "nested too deeply" in result.output or "not valid YAML" in result.output


def test_output_folder_that_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("I am a file", encoding="utf-8")
    result = runner.invoke(app, ["plan", "-y", "2018", "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1
    assert f"cannot write to {out}" in result.output
    assert out.read_text("utf-8") == "I am a file"


def test_a_failed_run_leaves_earlier_outputs_untouched(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["plan", "-y", "2018", "-o", str(out), "--no-pdf"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write_headcounts(tmp_path / "h.csv", {"pension_recipients": -1})
    result = runner.invoke(app, ["plan", "-y", "2018", "-h", bad, "-p", XIANYANG, "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_outputs_cannot_leave_their_folder(tmp_path):
    from budget.writers.atomic import staged

    with pytest.raises(ValueError, match="would leave the output folder"):
        with staged(tmp_path / "out") as stage:
            stage.write_text("../escape.csv", "x")
    assert not (tmp_path / "escape.csv").exists()
    assert list(tmp_path.iterdir()) == [], "nothing written, no temporary folder or lock left"
