"""budget roster: ID checks, the matching rules (priority, any time in the year, months), the
masking, and synthetic lists → headcounts → plan equal to the plan of hand-counted headcounts."""

import csv
import importlib.util
import os
import random
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from conftest import XIANYANG
from typer.testing import CliRunner

from budget.cli import app
from budget.core import idcard
from budget.core.idcard import mask_id, mask_name, parse, scrub

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

spec = importlib.util.spec_from_file_location("make_example_rosters", ROOT / "scripts" / "make_example_rosters.py")
generator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generator)


# ID numbers (GB 11643-1999) ------------------------------------------------------------------

def test_check_digit_and_fifteen_to_eighteen():
    assert idcard.check_digit("11010519491231002") == "X"  # the standard's own example
    assert parse("11010519491231002X").id18 == "11010519491231002X"
    assert parse("11010519491231002x").id18 == "11010519491231002X"
    converted = parse("110105491231002")
    assert converted.id18 == "11010519491231002X" and converted.was15
    assert parse("110105194912310021").reason == "check"
    assert parse("110105194913310020").reason == "birth"  # month 13
    assert parse("110105203001010020", latest_year=2018).reason == "birth"  # born after the year
    assert parse("6.10402E+17").reason == "number"
    assert parse("").reason == "empty" and parse("12345").reason == "format"


def test_old_people_of_abolished_counties_are_valid():
    """The region part is not checked against today's codes: 612101 (an old 汉中地区 code) and
    610427 (彬县, renamed 2018) stay valid for people born before 1980."""
    for prefix in ("612101", "610427", "619999"):
        first17 = prefix + "19500101" + "001"
        assert parse(first17 + idcard.check_digit(first17)).reason is None
        assert parse(prefix + "500101001").id18 == first17 + idcard.check_digit(first17)


def test_normalise_spaces_full_width_and_apostrophe():
    first17 = "61040219800101001"
    id18 = first17 + idcard.check_digit(first17)
    full = id18.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    for written in (f" {id18[:6]} {id18[6:14]} {id18[14:]} ", full, "'" + id18, id18 + "\u3000", "\ufeff" + id18):
        assert parse(written).id18 == id18, written


def test_masking():
    assert mask_id("610402195001011234") == "610402**********1234"
    assert mask_id("610402500101123") == "610402**********1123"
    assert mask_id("1234") == "**********"
    assert mask_name("张三") == "张*" and mask_name("欧阳娜娜") == "欧***" and mask_name("") == ""
    assert scrub("line 5: 610402195001011234,张三") == "line 5: 610402**********1234,张三"
    assert scrub("610402500101123 and 6104021950010112345678") == "610402**********1123 and 6104021950010112345678"


def test_the_engine_checks_ids_as_the_core_does(tmp_path):
    """The SQL per row and core/idcard.py give the same ID or the same reason."""
    import duckdb

    from budget.roster import ID18_SQL, _id_sql

    rng = random.Random(11)
    samples = ["", " ", "6.10402E+17", "'610402195001010018", "61040219500101001x", "610402500101001"]
    for _ in range(3000):
        first17 = f"{rng.randint(110000, 659999)}{rng.randint(1875, 2020)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}" \
                  f"{rng.randint(0, 999):03d}"
        id18 = first17 + (idcard.check_digit(first17) if rng.random() < 0.7 else rng.choice("0123456789X"))
        pick = rng.random()
        text = id18 if pick < 0.5 else id18[:6] + id18[8:17] if pick < 0.7 else \
            id18.translate(str.maketrans("0123456789", "０１２３４５６７８９")) if pick < 0.8 else \
            id18[: rng.randint(0, 18)] + rng.choice(["", " ", "x", "\u3000", "a"])
        samples.append(text)
    con = duckdb.connect()
    con.execute("CREATE TABLE rows_in (id_raw VARCHAR, num VARCHAR)")
    con.executemany("INSERT INTO rows_in VALUES (?, '')", [(s,) for s in samples])
    got = con.execute(f"SELECT id_raw, reason, {ID18_SQL} FROM ({_id_sql(2018)})").fetchall()
    assert len(got) == len(samples)
    for text, reason, id18 in got:
        assert (parse(text, 2018).reason, parse(text, 2018).id18) == (reason, id18), text


# the example lists → headcounts → plan -------------------------------------------------------

# which groups each persona counts in for 2018, by hand from the documents (not from the program)
PPC, CONT, DIS = "poor_pension_contributors", "poor_pension_contributors_contiguous", "poor_pension_contributors_disabled"
DPC, REC, TK, DB, MP, RRP = ("disabled_pension_contributors", "pension_recipients", "medical_tekun", "medical_dibao",
                             "medical_poor", "rural_registered_poor")
COUNTED_IN = {
    "poor_contributor": {PPC, MP, RRP},
    "marked_contributor": {MP, RRP},  # 已标注脱贫: no pension contribution paid for them
    "dibao_contributor": {PPC, DB},
    "tekun_dibao": {PPC, TK},  # on two lists: 特困 before 低保, once
    "registered_dibao": {DB, RRP},  # 低保 before 建档立卡 for medical; still 建档立卡 for 补充医疗
    "poor_disabled": {PPC, DIS, DPC, RRP},
    "poor_contiguous": {PPC, CONT, RRP},
    "poor_contiguous_disabled": {PPC, DIS, DPC, RRP},  # disabled only, never subtracted twice
    "disabled_contributor": {DPC},
    "mild_disabled": set(),
    "recipient": {REC},
    "recipient_from_july": {REC},
    "urban_dibao_contributor": {PPC},  # 低保对象 for pension, but not 农村低保 for medical
    "dibao_from_july": {DB},  # eligible from July: counted for the year
    "dibao_ended": set(),
    "duplicate_registry": {MP, RRP},  # twice on the registry (18 and 15 digits): once
    "fifteen_digit": {MP, RRP},
    "bad_check_registry": set(),  # its registry row is left out
    "number_id_medical": {RRP},  # its medical row is left out
    "messy_id": {MP, RRP},
    "old_abolished": {PPC, MP, RRP},
    "bad_date_dibao": set(),  # its 低保 row is left out
}
MONTHS = {"recipient": range(1, 13), "recipient_from_july": range(7, 13)}
PLANTED = {"bad_check_registry": ("建档立卡.xlsx", "校验码"), "number_id_medical": ("医保参保.xlsx", "数字存储"),
           "bad_date_dibao": ("低保.csv", "起始年月")}


def hand_count(made):
    annual, monthly = Counter(), Counter()
    for (county, persona), n in made.items():
        for group in COUNTED_IN[persona]:
            if group == REC:
                for month in MONTHS[persona]:
                    monthly[(county, month)] += n
            else:
                annual[(county, group)] += n
    return annual, monthly


def write_hand_headcounts(path, made):
    annual, monthly = hand_count(made)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "region_code", "group", "headcount", "month"])
        for county in generator.COUNTIES:
            for group in (PPC, CONT, DIS, DPC, TK, DB, MP, RRP):
                writer.writerow([2018, county, group, annual[(county, group)], ""])
            for month in range(1, 13):
                writer.writerow([2018, county, REC, monthly[(county, month)], month])
    return str(path)


def read_headcounts(path):
    rows = [r for r in open(path, encoding="utf-8-sig") if not r.startswith("#")]
    return {(r["region_code"], r["group"], r["month"]): int(r["headcount"]) for r in csv.DictReader(rows)}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    return folder, generator.make(folder)


def raw_ids(folder):
    """Every ID of the lists as written and as normalised: what must never appear in outputs."""
    found = set()
    for path in folder.iterdir():
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", "replace") if not path.name.startswith("低保") else data.decode("gb18030")
        found |= set(re.findall(r"(?<!\d)\d{15}(?!\d)|(?<!\d)\d{17}[\dX](?!\d)", text))
    return {i for i in found if parse(i).id18} | {parse(i).id18 for i in found if parse(i).id18}


def contents(folder):
    """Text of every file below ``folder``, workbooks unzipped."""
    for path in Path(folder).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"PK":
                with zipfile.ZipFile(path) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            yield path, data.decode("utf-8", "replace")


def test_bad_rows_stop_the_run_and_every_planted_problem_is_named(example, tmp_path):
    folder, made = example
    out = tmp_path / "out"
    result = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out", str(out)])
    assert result.exit_code == 1
    assert not out.exists() or not any(out.iterdir())
    for persona, (file, words) in PLANTED.items():
        reported = [ln for ln in result.output.splitlines() if file in ln and words in ln]
        assert len(reported) == sum(n for (_, p), n in made.items() if p == persona), persona
        for line in reported:  # a place: file:line or file:Sheet!cell
            assert re.search(rf"{re.escape(file)}:(\d+|[^!]+![A-Z]+\d+):", line), line


def test_lists_to_headcounts_to_plan_equals_the_hand_count(example, tmp_path, monkeypatch):
    folder, made = example
    spill = tmp_path / "tmp"
    spill.mkdir()
    monkeypatch.setenv("TMPDIR", str(spill))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    out = tmp_path / "out"
    result = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out", str(out),
                                 "--skip-bad-rows"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "audit.log", "headcounts-2018.csv", "problems.csv",
                                                    "roster-2018.xlsx"]

    got = read_headcounts(out / "headcounts-2018.csv")
    annual, monthly = hand_count(made)
    for county in generator.COUNTIES:
        for group in (PPC, CONT, DIS, DPC, TK, DB, MP, RRP):
            assert got[(county, group, "")] == annual[(county, group)], (county, group)
        for month in range(1, 13):
            assert got[(county, REC, str(month))] == monthly[(county, month)]

    # every planted problem is in problems.csv with its place; duplicates are notes
    problems = (out / "problems.csv").read_text("utf-8-sig")
    for persona, (file, words) in PLANTED.items():
        assert sum(1 for ln in problems.splitlines() if file in ln and words in ln) == \
            sum(n for (_, p), n in made.items() if p == persona)
    assert sum(1 for ln in problems.splitlines() if "按一人计" in ln) == \
        sum(n for (_, p), n in made.items() if p == "duplicate_registry")

    # the plan of the roster's headcounts = the plan of the hand count
    hand = write_hand_headcounts(tmp_path / "hand.csv", made)
    for name, headcounts in (("from-roster", out / "headcounts-2018.csv"), ("by-hand", hand)):
        r = runner.invoke(app, ["plan", "--headcounts", str(headcounts), "--policy", XIANYANG, "--year", "2018",
                                "--out", str(tmp_path / name), "--no-pdf"])
        assert r.exit_code == 0, r.output
    assert (tmp_path / "from-roster" / "allocations.csv").read_bytes() == (tmp_path / "by-hand" / "allocations.csv").read_bytes()

    # no raw ID anywhere: the outputs (workbook unzipped) and the temporary folder, which is empty again
    ids = raw_ids(folder)
    assert len(ids) > 500
    pattern = re.compile("|".join(sorted(ids)))
    for path, text in list(contents(out)) + list(contents(spill)):
        assert not pattern.search(text), path
    assert "610" in (out / "problems.csv").read_text("utf-8-sig") and "**********" in problems
    assert list(spill.iterdir()) == []
    assert not pattern.search(result.output)


def test_chinese_headers_in_gb18030_plan_as_the_hand_count(example, tmp_path):
    """--csv-headers zh --csv-encoding gb18030: Excel on Chinese Windows reads the files, and so does plan."""
    folder, made = example
    out = tmp_path / "zh"
    result = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out", str(out),
                                 "--skip-bad-rows", "--csv-headers", "zh", "--csv-encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    text = (out / "headcounts-2018.csv").read_bytes().decode("gb18030")
    assert [ln for ln in text.splitlines() if not ln.startswith("#")][0] == "年度,地区代码,地区名称,人员类别,人数,月份"
    assert "城乡居民养老保险领取待遇人员" in text and REC not in text
    problems = (out / "problems.csv").read_bytes()
    assert not problems.startswith(b"\xef\xbb\xbf") and "未计入" in problems.decode("gb18030")
    hand = write_hand_headcounts(tmp_path / "hand.csv", made)
    for name, headcounts in (("from-roster", out / "headcounts-2018.csv"), ("by-hand", hand)):
        r = runner.invoke(app, ["plan", "--headcounts", str(headcounts), "--policy", XIANYANG, "--year", "2018",
                                "--out", str(tmp_path / name), "--no-pdf", "--no-workbook"])
        assert r.exit_code == 0, r.output
    assert (tmp_path / "from-roster" / "allocations.csv").read_bytes() == (tmp_path / "by-hand" / "allocations.csv").read_bytes()


def test_same_inputs_give_the_same_bytes(example, tmp_path):
    folder, _ = example
    outputs = []
    for name in ("a", "b"):
        r = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out",
                                str(tmp_path / name), "--skip-bad-rows", "--person-rows", "all"])
        assert r.exit_code == 0, r.output
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()})
    assert outputs[0] == outputs[1]


def test_masked_person_rows(example, tmp_path):
    from openpyxl import load_workbook

    folder, _ = example
    r = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out",
                            str(tmp_path), "--skip-bad-rows", "--person-rows", "all"])
    assert r.exit_code == 0, r.output
    book = load_workbook(tmp_path / "roster-2018.xlsx", read_only=True)
    rows = list(book["人员明细（脱敏）"].iter_rows(values_only=True))[1:]
    assert rows and all(re.fullmatch(r"\d{6}\*{10}[\dX]{4}", row[0]) for row in rows)
    assert all(re.fullmatch(r".\**", row[1]) for row in rows)
    displaced = [row for row in rows if row[4]]
    assert any("medical_dibao" in row[4] and "medical_tekun" in row[3] for row in displaced)  # counted in the first
    assert any("poor_pension_contributors_contiguous" in row[4] for row in displaced)
    assert any(row[3].startswith("pension_recipients(7-12月)") for row in rows)


def test_any_time_in_the_year_and_months(tmp_path):
    """A 低保 entry Jul–Dec counts once for the year; one that ended in 2017 does not; person-months by month."""
    policy_dir = ROOT / "budget" / "configs"
    (tmp_path / "roster.yaml").write_text(f"""
policy: {policy_dir / 'xianyang-2017-303.yaml'}
lists:
  p:
    name: 养老
    file: p.csv
    columns: {{id: id, region: r, from: f, to: t}}
    sets: {{rec: {{ref: x}}}}
groups:
""" + "".join(f"  {g}: {{base: rec, ref: x}}\n" for g in
              (PPC, CONT, DIS, DPC, REC, TK, DB, MP, RRP))
        + "priority:\n  - {groups: [medical_tekun, medical_dibao, medical_poor], ref: x}\n",
        encoding="utf-8")

    def pid(n):
        first17 = f"61040219500101{n:03d}"
        return first17 + idcard.check_digit(first17)
    rows = ["id,r,f,t", f"{pid(1)},610402,2018-07,", f"{pid(2)},610402,,2017-12", f"{pid(3)},610402,2018-03,2018-04",
            f"{pid(3)},610404,2018-10,", f"{pid(4)},610402,201801,201812"]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["roster", "--lists", str(tmp_path / "roster.yaml"), "--year", "2018", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "）多于它本身（1）" in r.output  # every group = the same people: 其中 > total
    for g in (CONT, DIS):
        text = (tmp_path / "roster.yaml").read_text("utf-8").replace(f"  {g}: {{base: rec, ref: x}}",
                                                                    f"  {g}: {{base: rec, none_of: [rec], ref: x}}")
        (tmp_path / "roster.yaml").write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["roster", "--lists", str(tmp_path / "roster.yaml"), "--year", "2018", "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    got = read_headcounts(tmp_path / "o" / "headcounts-2018.csv")
    assert got[("610402", PPC, "")] == 2 and got[("610404", PPC, "")] == 1  # person 3 counted once, last county
    assert got[("610402", TK, "")] == 2 and got[("610402", DB, "")] == 0  # priority: all counted as 特困
    assert [got[("610402", REC, str(m))] for m in range(1, 13)] == [1, 1, 2, 2, 1, 1, 2, 2, 2, 2, 2, 2]
    assert [got[("610404", REC, str(m))] for m in range(1, 13)] == [0] * 9 + [1, 1, 1]
    assert "同一人在多个县区" in (tmp_path / "o" / "problems.csv").read_text("utf-8-sig")


def test_configuration_errors_name_file_and_line(tmp_path):
    (tmp_path / "roster.yaml").write_text("""policy: xianyang-2017-303
lists:
  p:
    name: 养老
    file: missing.csv
    columns: {id: id, colour: c}
    sets: {rec: {ref: x}}
groups:
  pension_recipients: {base: nowhere, ref: x}
  not_a_group: {base: rec, ref: x}
""", encoding="utf-8")
    r = runner.invoke(app, ["roster", "--lists", str(tmp_path / "roster.yaml"), "--year", "2018", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert "roster.yaml:6: lists.p.columns 中有未知的键 'colour'（允许的键：id, name, region, from, to）\n" in r.output
    assert "roster.yaml:9: groups.pension_recipients.base：未定义的人员集合 'nowhere'（已定义：rec）\n" in r.output
    assert not (tmp_path / "o").exists()
    r = runner.invoke(app, ["--lang", "en", "roster", "--lists", str(tmp_path / "roster.yaml"), "--year", "2018",
                            "--out", str(tmp_path / "o")])
    assert "roster.yaml:6: unknown key 'colour' in lists.p.columns (allowed: id, name, region, from, to)\n" in r.output
    assert "roster.yaml:9: groups.pension_recipients.base: unknown set 'nowhere' (defined: rec)\n" in r.output


def test_a_missing_column_names_the_header_line(tmp_path):
    folder = tmp_path
    generator.make(folder)
    text = (folder / "特困.csv").read_text("utf-8-sig").replace("区县代码", "区县")
    (folder / "特困.csv").write_text(text, encoding="utf-8-sig")
    r = runner.invoke(app, ["roster", "--lists", str(folder / "roster.yaml"), "--year", "2018", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert re.search(r"特困.csv:2: 缺少列 '区县代码'", r.output), r.output


def test_the_private_folder_is_removed_on_sigterm(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = ("import os, time\nfrom budget.roster import private_folder\n"
              "with private_folder() as f:\n    open(os.path.join(f, 'x'), 'w').write('secret')\n"
              "    print(f, flush=True)\n    time.sleep(30)\n")
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    folder = proc.stdout.readline().strip()
    assert os.path.isdir(folder) and oct(os.stat(folder).st_mode)[-3:] == "700"
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(10)
    assert not os.path.exists(folder)


def test_a_row_too_wide_is_named_by_its_line(example, tmp_path):
    """DuckDB reads a plain UTF-8 list directly; a row it cannot take sends the file through
    Python, which names the line."""
    folder, _ = example
    for path in folder.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    lines = (tmp_path / "残疾人.csv").read_text("utf-8-sig").splitlines()
    lines[3] += ",extra"
    (tmp_path / "残疾人.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["roster", "--lists", str(tmp_path / "roster.yaml"), "--year", "2018", "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and re.search(r"残疾人.csv:4: 该行有 4 个字段，表头只有 3 个", r.output), r.output
