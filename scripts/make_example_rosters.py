"""Write SYNTHETIC person lists for the shipped Xianyang example (deterministic: fixed seed).

    python scripts/make_example_rosters.py DIR

writes DIR/roster.yaml (the shipped example configuration) and the six lists it names. Every
person is invented (names from a list of common characters, ID numbers made up with valid or
deliberately wrong check digits); no real person's data. People are made by *personas*: each
persona says which lists a person is on and how (15-digit ID, bad check digit, ID stored as a
number, on a list twice, eligible from July, …); ``make`` returns how many people of each
persona it made per county, so a test can count the headcounts by hand from the construction.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "budget" / "configs" / "examples" / "xianyang-roster-example.yaml"
COUNTIES = ["610402", "610404", "610422", "610423", "610424", "610425", "610426",
            "610428", "610429", "610430", "610431", "610481", "610482"]
YEAR = 2018
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
SYNTHETIC = "# SYNTHETIC EXAMPLE DATA — invented people, not real persons (示例数据，虚构)"

# persona → (on which lists and how); the test holds its own table of which groups each counts in
PERSONAS = (
    "poor_contributor",          # 建档立卡(未标注脱贫) + 养老缴费 + 医保
    "marked_contributor",        # 建档立卡(已标注脱贫) + 养老缴费 + 医保
    "dibao_contributor",         # 农村低保 + 养老缴费 + 医保
    "tekun_dibao",               # 特困 + 农村低保 + 养老缴费 + 医保 (on two lists: 特困 first)
    "registered_dibao",          # 建档立卡 + 农村低保 + 医保 (低保 before 建档立卡)
    "poor_disabled",             # 建档立卡 + 养老缴费 + 重度残疾(一级)
    "poor_contiguous",           # 建档立卡 + 养老缴费(片区已补助)
    "poor_contiguous_disabled",  # 建档立卡 + 养老缴费(片区已补助) + 重度残疾(二级): counted as disabled only
    "disabled_contributor",      # 重度残疾(一级) + 养老缴费, not poor
    "mild_disabled",             # 残疾(三级) + 养老缴费: nothing
    "recipient",                 # 养老领取待遇 all year
    "recipient_from_july",       # 养老领取待遇 from 2018-07
    "urban_dibao_contributor",   # 城市低保 + 养老缴费 + 医保: pension yes, medical_dibao no
    "dibao_from_july",           # 农村低保 from 2018-07 + 医保: counted for the year
    "dibao_ended",               # 农村低保 ended 2017-12 + 医保: not counted
    "duplicate_registry",        # 建档立卡 twice (18 and 15 digits) + 医保: once
    "fifteen_digit",             # 建档立卡 with a 15-digit ID, 医保 with 18 digits
    "bad_check_registry",        # 建档立卡 row with a wrong check digit + 医保: not matched
    "number_id_medical",         # 建档立卡 + 医保 row with the ID stored as a number: medical not counted
    "messy_id",                  # 建档立卡 ID with full-width digits, spaces, lower-case x + 医保
    "old_abolished",             # born before 1980 in an abolished county; 建档立卡 + 养老缴费 + 医保
    "bad_date_dibao",            # 农村低保 with start month 2018-13 + 医保: row left out
)


def check_digit(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


class People:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def person(self, prefix: str, born_from: int = 1940, born_to: int = 1999, want_x: bool = False) -> tuple[str, str]:
        while True:
            born = f"{self.rng.randint(born_from, born_to)}{self.rng.randint(1, 12):02d}{self.rng.randint(1, 28):02d}"
            first17 = prefix + born + f"{self.rng.randint(0, 999):03d}"
            id18 = first17 + check_digit(first17)
            if id18 not in self.used and (id18[-1] == "X") == want_x:
                self.used.add(id18)
                name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))
                return id18, name


def fifteen(id18: str) -> str:
    return id18[:6] + id18[8:17]


def wrong_check(id18: str) -> str:
    return id18[:17] + CHECK[(CHECK.index(id18[17]) + 1) % 11]


def messy(id18: str) -> str:
    full = id18[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f" {full[:6]} {full[6:14]} {full[14:]}x "


def make(out: str | Path, seed: int = 16) -> dict[tuple[str, str], int]:
    """Write the lists into ``out``; return {(county, persona): people made}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG, out / "roster.yaml")
    rng = random.Random(seed)
    people = People(rng)
    registry, dibao, tekun, disabled, pension, medical = [], [], [], [], [], []
    counts: dict[tuple[str, str], int] = {}
    for county in COUNTIES:
        for persona in PERSONAS:
            n = rng.randint(1, 3) if persona not in ("recipient", "poor_contributor") else rng.randint(4, 9)
            counts[(county, persona)] = n
            for _ in range(n):
                _add(persona, county, people, registry, dibao, tekun, disabled, pension, medical)
    rng.shuffle(registry), rng.shuffle(dibao), rng.shuffle(pension), rng.shuffle(medical)
    _xlsx(out / "建档立卡.xlsx", "台账", ["序号", "身份证号码", "姓名", "县区代码", "标注脱贫", "纳入年月", "退出年月"],
          [[i + 1] + row for i, row in enumerate(registry)])
    _csv(out / "低保.csv", "gb18030", ["身份证号", "姓名", "区县代码", "城乡类别", "起始年月", "终止年月"], dibao)
    _csv(out / "特困.csv", "utf-8-sig", ["身份证号", "姓名", "区县代码"], tekun)
    _csv(out / "残疾人.csv", "utf-8", ["公民身份号码", "姓名", "残疾等级"], disabled)
    _csv(out / "城乡居民养老保险.csv", "utf-8",
         ["身份证号", "姓名", "参保地区代码", "参保状态", "片区缴费补助", "开始年月", "终止年月"], pension)
    _xlsx(out / "医保参保.xlsx", "参保人员", ["身份证号", "姓名", "参保地区代码"], medical)
    return counts


def _add(persona, county, people, registry, dibao, tekun, disabled, pension, medical) -> None:
    if persona == "old_abolished":
        id18, name = people.person("612101", 1930, 1979)  # an old prefix no longer in GB/T 2260
    elif persona == "messy_id":
        id18, name = people.person(county, want_x=True)
    else:
        id18, name = people.person(county)

    def reg(the_id=id18, marked="否", start="2016-01"):
        registry.append([the_id, name, county, marked, start, ""])

    def contributor(contiguous="否"):
        pension.append([id18, name, county, "缴费", contiguous, "", ""])

    def med(the_id: object = id18):
        medical.append([the_id, name, county])

    def rural_dibao(start="2015-03", end=""):
        dibao.append([id18, name, county, "农村", start, end])

    if persona == "poor_contributor":
        reg(), contributor(), med()
    elif persona == "marked_contributor":
        reg(marked="是"), contributor(), med()
    elif persona == "dibao_contributor":
        rural_dibao(), contributor(), med()
    elif persona == "tekun_dibao":
        tekun.append([id18, name, county]), rural_dibao(), contributor(), med()
    elif persona == "registered_dibao":
        reg(), rural_dibao(), med()
    elif persona == "poor_disabled":
        reg(), contributor(), disabled.append([id18, name, "一级"])
    elif persona == "poor_contiguous":
        reg(), contributor("是")
    elif persona == "poor_contiguous_disabled":
        reg(), contributor("是"), disabled.append([id18, name, "二级"])
    elif persona == "disabled_contributor":
        disabled.append([id18, name, "一级"]), contributor()
    elif persona == "mild_disabled":
        disabled.append([id18, name, "三级"]), contributor()
    elif persona == "recipient":
        pension.append([id18, name, county, "领取待遇", "否", "2012-05", ""])
    elif persona == "recipient_from_july":
        pension.append([id18, name, county, "领取待遇", "否", "2018-07", ""])
    elif persona == "urban_dibao_contributor":
        dibao.append([id18, name, county, "城市", "2016-01", ""]), contributor(), med()
    elif persona == "dibao_from_july":
        rural_dibao(start="2018-07"), med()
    elif persona == "dibao_ended":
        rural_dibao(start="2014-01", end="2017-12"), med()
    elif persona == "duplicate_registry":
        reg(), reg(the_id=fifteen(id18), start="2017-01"), med()
    elif persona == "fifteen_digit":
        reg(the_id=fifteen(id18)), med()
    elif persona == "bad_check_registry":
        reg(the_id=wrong_check(id18)), med()
    elif persona == "number_id_medical":
        reg(), med(the_id=int(id18[:17] + "0") if id18[-1] != "X" else float(id18[:17]))
    elif persona == "messy_id":
        reg(the_id=messy(id18)), med()
    elif persona == "old_abolished":
        reg(), contributor(), med(the_id=fifteen(id18))
    elif persona == "bad_date_dibao":
        rural_dibao(start="2018-13"), med()


def _csv(path: Path, encoding: str, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(SYNTHETIC + "\n")
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _xlsx(path: Path, sheet: str, header: list[str], rows: list[list[object]]) -> None:
    import datetime as dt

    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(YEAR, 1, 1), "comments": SYNTHETIC})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, (int, float)):
                ws.write_number(r, c, value)  # an ID stored as a number, as Excel does when typed in
            else:
                ws.write_string(r, c, str(value))
    wb.close()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "example-rosters"
    made = make(target)
    print(f"written to {target}: roster.yaml and 6 lists, {sum(made.values())} invented people")
