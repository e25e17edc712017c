"""What the official documents say: settings, and the figures and sentences they print.

Pure: builds plain values for the templates from a plan; rendering is in io/pdf.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from .core.engine import Line
from .core.money import chinese_uppercase, format_grouped, format_plain, round_half_up
from .core.policy import PAYER_NAMES, PAYERS, RATE_UNITS, Policy, format_share
from .plan import PlanResult, sample_notes

DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
UNIT_FEN = {"元": 100, "万元": 1_000_000}


@dataclass
class NoticeSettings:
    issuers: list[str]
    number: str
    date: str  # 2018-01-08
    title: str
    addressees: str
    cc: list[str]
    printer: str
    unit: str = "万元"
    decimals: int = 2


@dataclass
class ExplanationSettings:
    title: str
    issuer: str = ""


@dataclass
class DocumentSettings:
    notice: NoticeSettings
    explanation: ExplanationSettings
    settlement: NoticeSettings
    source: str = "defaults"


def default_settings(policy: Policy, year: int) -> DocumentSettings:
    """Defaults from the policy's scope: the city's finance and HR bureaus issue the notice."""
    scope = policy.regions.get(policy.scopes[0]) if len(policy.scopes) == 1 else None
    place = scope.name if scope else (policy.regions.ancestors(policy.counties()[0].code)[-1].name
                                     if policy.counties() else "")
    prefix = place[:1]
    issuers = ([f"{place}财政局", f"{place}人力资源和社会保障局"] if scope and scope.level == "city"
               else [f"{place}财政厅", f"{place}人力资源和社会保障厅"])
    printer = f"{place}财政局办公室" if scope and scope.level == "city" else f"{place}财政厅办公室"
    addressees = ("各县（市、区）财政局、人力资源和社会保障局" if scope and scope.level == "city"
                  else "各市（区）财政局、人力资源和社会保障局")
    return DocumentSettings(
        notice=NoticeSettings(
            issuers=list(issuers), number=f"{prefix}财社〔{year}〕1号", date=f"{year}-01-08",
            title=f"关于下达{year}年社会保险扶贫补助资金预算的通知",
            addressees=addressees, cc=[], printer=printer),
        explanation=ExplanationSettings(title=f"{year}年社会保险扶贫补助资金预算测算说明"),
        settlement=NoticeSettings(
            issuers=list(issuers), number=f"{prefix}财社〔{year + 1}〕2号", date=f"{year + 1}-03-01",
            title=f"关于{year}年社会保险扶贫补助资金清算的通知",
            addressees=addressees, cc=[], printer=printer))


def chinese_date(iso: str) -> str:
    """``2018-01-08`` → ``2018年1月8日`` (GB/T 9704: no zero padding)."""
    match = DATE.match(iso)
    if not match:
        raise ValueError(f"date '{iso}' must be written 2018-01-08")
    y, m, d = (int(x) for x in match.groups())
    return f"{y}年{m}月{d}日"


# --- tables -----------------------------------------------------------------------------------

@dataclass
class Table:
    """An attachment table: 序号 | 地区 | … | 备注, the 合计 row first."""

    label: str  # 附件1
    title: str
    unit: str
    columns: list[str]
    numeric: list[bool]  # right-aligned columns
    total: list[str]
    rows: list[list[str]]
    note: str
    wide: bool
    shown_totals: dict[str, int] = field(default_factory=dict)  # payer → shown total in fen


def _share_text(line: Line) -> str:
    return "，".join(f"{PAYER_NAMES[p]}{format_share(v)}" for p, v in line.segments[0].shares)


def short_ref(text: str) -> str:
    """``陕人社发〔2017〕60号 二（一） “……”`` → ``陕人社发〔2017〕60号 二（一）``."""
    return text.split("“")[0].strip().replace(" ", "")  # a space would be stretched by justify


def cited_documents(policy: Policy) -> list:
    """The documents a notice cites: all of them for one city's plan; for a run over several
    cities (a province's notice), the province's own, not each city's forwarding notice."""
    return policy.documents if len(policy.scopes) <= 1 else policy.documents[:1]


def quoted_title(document) -> str:
    """《title》（number）, a title quoted inside another taking 〈〉 as Chinese typesetting does."""
    inner = document.title.replace("《", "〈").replace("》", "〉")
    return f"《{inner}》（{document.number}）"


def _shown(fen: int, unit_fen: int, decimals: int) -> int:
    """Round to the shown precision, in fen."""
    return round_half_up(Fraction(fen), unit_fen // 10**decimals)


def allocation_table(policy: Policy, lines: list[Line], label: str, title: str, unit: str, decimals: int) -> Table:
    subsidy = lines[0].subsidy
    unit_fen = UNIT_FEN[unit]
    payers = [p for p in PAYERS if any(dict(l.amounts).get(p) is not None for l in lines)]
    by_group = len(subsidy.terms) > 1

    def show(fen: int) -> str:
        return format_grouped(fen, unit_fen, decimals)

    rows, sums = [], defaultdict(int)
    count_sums = [0] * len(subsidy.terms)
    usual = _share_text(lines[0])
    for index, line in enumerate(lines, start=1):
        amounts = dict(line.amounts)
        shown = {p: _shown(amounts.get(p, 0), unit_fen, decimals) for p in payers}
        for p in payers:
            sums[p] += shown[p]
        for i, (_, _, count) in enumerate(line.counts):
            count_sums[i] += count
        shares = _share_text(line)
        rows.append([str(index), line.region.name] + ([f"{c:,}" for _, _, c in line.counts] if by_group else [])
                    + [f"{line.headcount:,}", show(sum(shown.values()))] + [show(shown[p]) for p in payers]
                    + [shares if shares != usual else ""])
    grand = sum(sums.values())
    total = (["", "合计"] + ([f"{c:,}" for c in count_sums] if by_group else [])
             + [f"{sum(l.headcount for l in lines):,}", show(grand)] + [show(sums[p]) for p in payers] + [""])
    exact = sum(l.total for l in lines)
    notes = [f"分担比例：{usual}（备注栏列出与此不同的地区）。"]
    if grand != exact:
        notes.append(f"各数按四舍五入保留{decimals}位小数，合计为所列各数之和，与精确合计"
                     f"{format_grouped(exact)}元相差{format_grouped(grand - exact)}元。")
    group_labels = ([("减：" if t.sign < 0 else "") + policy.groups[t.group].label.removeprefix("其中：")
                     for t in subsidy.terms] if by_group else [])
    columns = ["序号", "地区"] + group_labels + ["人数", "资金合计"] + [PAYER_NAMES[p] for p in payers] + ["备注"]
    return Table(label, title, unit, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 total, rows, "注：" + "".join(notes), wide=len(columns) > 8, shown_totals=dict(sums))


def fund_table(lines: list, label: str, title: str, unit: str, decimals: int) -> Table:
    """因素法 attachment: each county's factor values, weighted score and amount."""
    fund = lines[0].fund
    unit_fen = UNIT_FEN[unit]
    rows, total = [], 0
    for index, line in enumerate(lines, start=1):
        amount = _shown(line.amount, unit_fen, decimals)
        total += amount
        rows.append([str(index), line.region.name] + [_number(v) for v in line.values]
                    + [_percent(line.score), format_grouped(amount, unit_fen, decimals),
                       {"floor": "保底", "cap": "封顶"}.get(line.bound, "")])
    sums = [_number(sum(l.values[i] for l in lines)) for i in range(len(fund.factors))]
    columns = (["序号", "地区"] + [f"{f.name}（{format_share(f.weight)}）" for f in fund.factors]
               + ["加权得分", f"{PAYER_NAMES[fund.payer]}安排", "备注"])
    bounds = "，".join(x for x in [f"保底{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                   f"封顶{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
    note = (f"注：按因素法分配，加权得分 = Σ 权重 × 该地区因素值占全部地区之比；分配额 = 总额 × 加权得分"
            f"{'（' + bounds + '，超出或不足部分按得分在其余地区间分配）' if bounds else ''}，精确到分。")
    return Table(label, title, unit, columns, [False, False] + [True] * (len(columns) - 3) + [False],
                 ["", "合计"] + sums + ["100.00%", format_grouped(total, unit_fen, decimals), ""], rows, note,
                 wide=len(columns) > 8, shown_totals={fund.payer: total})


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return f"{value.numerator:,}"
    return format_grouped(round_half_up(value * 100), 100, 2)


def _percent(value: Fraction) -> str:
    return format_grouped(round_half_up(value * 10000), 100, 2) + "%"


@dataclass
class FundText:
    name: str
    payer: str
    total: str
    factors: str
    bounds: str
    basis: str


def fund_texts(policy: Policy, fund_lines: list, year: int, unit: str, decimals: int) -> list[FundText]:
    out = []
    for fund in policy.funds.values():
        mine = [f for f in fund_lines if f.year == year and f.fund.id == fund.id]
        if not mine:
            continue
        total = sum(_shown(f.amount, UNIT_FEN[unit], decimals) for f in mine)
        bounds = "，".join(x for x in [f"每个地区不低于{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                       f"不高于{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
        out.append(FundText(fund.name, PAYER_NAMES[fund.payer], format_grouped(total, UNIT_FEN[unit], decimals),
                            "、".join(f"{f.name}{format_share(f.weight)}" for f in fund.factors), bounds,
                            short_ref(fund.ref.text)))
    return out


# --- the notice -------------------------------------------------------------------------------

@dataclass
class SubsidyText:
    name: str
    standard: str  # 每人每年50元
    shares: str  # 省级承担50%，市级承担12.5%，县级承担37.5%
    period: str
    basis: str
    total: str  # shown total
    by_payer: str
    assumed: bool


def _standard(policy: Policy, line: Line) -> str:
    """每人每年50元; with rates by group: 特困人员每人每年220元，……"""
    seg = line.segments[0]
    per = "每人每年" if line.subsidy.unit == "year" else "每人每月"
    if len({r.rate_fen for r in seg.rates}) == 1:
        return f"{per}{format_plain(seg.rates[0].rate_fen)}元"
    return "，".join(f"{policy.groups[r.group].label}{per}{format_plain(r.rate_fen)}元" for r in seg.rates)


def subsidy_texts(policy: Policy, lines: list[Line], unit: str, decimals: int) -> list[SubsidyText]:
    unit_fen = UNIT_FEN[unit]
    texts = []
    for sid, subsidy in policy.subsidies.items():
        mine = [l for l in lines if l.subsidy.id == sid]
        if not mine:
            continue
        seg = mine[0].segments[0]
        standard = _standard(policy, mine[0])
        shares = "，".join(f"{PAYER_NAMES[p]}承担{format_share(v)}" for p, v in seg.shares)
        months = sorted({m for l in mine for s in l.segments for m in s.months})
        by_payer = defaultdict(int)
        for line in mine:
            for p, a in line.amounts:
                by_payer[p] += _shown(a, unit_fen, decimals)
        total = sum(by_payer.values())
        refs = dict.fromkeys(short_ref(t) for t in [seg.period_ref.text] + [r.ref.text for r in seg.rates]
                             + [s.ref.text for s in seg.steps])
        assumed = any(r.ref.is_assumption for r in seg.rates) or any(s.ref.is_assumption for s in seg.steps)
        texts.append(SubsidyText(
            name=subsidy.name, standard=standard, shares=shares,
            period=f"{months[0].year}年{months[0].month}月至{months[-1].month}月" if len(months) < 12 else "全年",
            basis="；".join(refs), total=format_grouped(total, unit_fen, decimals),
            by_payer="，".join(f"{PAYER_NAMES[p]}{format_grouped(by_payer[p], unit_fen, decimals)}{unit}"
                               for p in PAYERS if p in by_payer),
            assumed=assumed))
    return texts


@dataclass
class Notice:
    settings: NoticeSettings
    year: int
    date_text: str
    print_date_text: str
    documents: list[str]  # 《title》（number）
    subsidies: list[SubsidyText]
    funds: list[FundText]
    totals: dict[str, str]  # payer label → shown
    grand_total: str
    grand_total_upper: str
    grand_total_yuan: str
    tables: list[Table]
    assumptions: list[str]
    sample: str = ""  # the inputs say their figures are invented: the document says so too


def notice(result: PlanResult, year: int, settings: NoticeSettings) -> Notice:
    policy = result.policy
    lines = [l for l in result.lines if l.year == year]
    unit, decimals = settings.unit, settings.decimals
    tables = []
    for sid, subsidy in policy.subsidies.items():
        mine = [l for l in lines if l.subsidy.id == sid]
        if mine:
            n = len(tables) + 1
            tables.append(allocation_table(policy, mine, f"附件{n}", f"{year}年{subsidy.name}资金分配表", unit, decimals))
    for fid, fund in policy.funds.items():
        mine = [f for f in result.fund_lines if f.year == year and f.fund.id == fid]
        if mine:
            n = len(tables) + 1
            tables.append(fund_table(mine, f"附件{n}", f"{year}年{fund.name}分配表", unit, decimals))
    payer_totals = defaultdict(int)
    for table in tables:
        for p, v in table.shown_totals.items():
            payer_totals[p] += v
    exact_total = sum(l.total for l in lines) + sum(f.amount for f in result.fund_lines if f.year == year)
    unit_fen = UNIT_FEN[unit]
    return Notice(
        settings=settings, year=year, date_text=chinese_date(settings.date),
        print_date_text=chinese_date(settings.date),
        documents=[quoted_title(d) for d in cited_documents(policy)],
        subsidies=subsidy_texts(policy, lines, unit, decimals),
        funds=fund_texts(policy, result.fund_lines, year, unit, decimals),
        totals={PAYER_NAMES[p]: format_grouped(payer_totals[p], unit_fen, decimals) for p in PAYERS if p in payer_totals},
        grand_total=format_grouped(sum(payer_totals.values()), unit_fen, decimals),
        grand_total_upper=chinese_uppercase(exact_total), grand_total_yuan=format_grouped(exact_total),
        tables=tables,
        assumptions=[f"{a.what}（{a.value}）" for a in policy.assumptions],
        sample="；".join(sample_notes(result.files)))


# --- the explanation --------------------------------------------------------------------------

@dataclass
class Parameter:
    subsidy: str
    what: str
    value: str
    period: str
    basis: str
    assumed: bool


def parameters(policy: Policy, year: int) -> list[Parameter]:
    out = []
    for subsidy in policy.subsidies.values():
        def period(e) -> str:
            return f"{e.start}起" + (f"至{e.end}" if e.end else "")
        def applies(e) -> bool:
            return e.start.year <= year and (e.end is None or e.end.year >= year)
        for e in subsidy.period.entries:
            if applies(e):
                out.append(Parameter(subsidy.name, "执行期间", period(e), period(e), e.ref.text, e.ref.is_assumption))
        for key, scoped in subsidy.rates.items():
            for scope, history in scoped.by_scope.items():
                for e in history.entries:
                    if applies(e):
                        what = "补助标准" + ("" if key == "*" else f"（{policy.groups[key].name}）")
                        out.append(Parameter(subsidy.name, what, f"{format_plain(e.value)}{RATE_UNITS[subsidy.unit]}",
                                             period(e), e.ref.text, e.ref.is_assumption))
        splits = [("分担比例", s, h) for s, h in subsidy.shares.by_scope.items()]
        splits += [(f"{'市县' if pool == 'local' else pool}部分再分担", s, h) for pool, sc in subsidy.pools.items() for s, h in sc.by_scope.items()]
        for what, scope, history in splits:
            region = policy.regions.get(scope)
            where = f"（{region.name}）" if region else ""
            for e in history.entries:
                if applies(e):
                    value = "，".join(f"{PAYER_NAMES.get(n, '市县' if n == 'local' else n)}{format_share(v)}"
                                     for n, v in e.value.shares)
                    out.append(Parameter(subsidy.name, what + where, value, period(e), e.ref.text, e.ref.is_assumption))
    return out


@dataclass
class Explanation:
    settings: ExplanationSettings
    year: int
    date_text: str
    documents: list[str]
    parameters: list[Parameter]
    assumptions: list[str]
    summary_rows: list[list[str]]  # subsidy, payers…, total (元)
    summary_total: list[str]
    county_rows: list[list[str]]
    chart: "Chart"
    grand_total_upper: str
    sample: str = ""


@dataclass
class Chart:
    """Stacked bars: each county's amount by payer (元)."""

    labels: list[str]
    series: list[tuple[str, str, list[int]]]  # payer label, colour, fen per county
    totals: list[int]  # fen per county
    max_total: int


COLOURS = {"province": "#C00000", "city": "#ED7D31", "county": "#4472C4"}


def explanation(result: PlanResult, year: int, settings: ExplanationSettings, date: str) -> Explanation:
    policy = result.policy
    lines = [l for l in result.lines if l.year == year]
    sums = defaultdict(lambda: defaultdict(int))
    by_county = defaultdict(lambda: defaultdict(int))
    names = {}
    for line in lines:
        names[line.region.code] = line.region.name
        for p, a in line.amounts:
            sums[line.subsidy.id][p] += a
            by_county[line.region.code][p] += a
    rows = []
    for sid, subsidy in policy.subsidies.items():
        if sid in sums:
            rows.append([subsidy.name] + [format_grouped(sums[sid].get(p, 0)) for p in PAYERS]
                        + [format_grouped(sum(sums[sid].values()))])
    totals = [sum(s.get(p, 0) for s in sums.values()) for p in PAYERS]
    codes = sorted(by_county)
    county_rows = [[names[c]] + [format_grouped(by_county[c].get(p, 0)) for p in PAYERS]
                   + [format_grouped(sum(by_county[c].values()))] for c in codes]
    chart = Chart([names[c] for c in codes],
                  [(PAYER_NAMES[p], COLOURS[p], [by_county[c].get(p, 0) for c in codes]) for p in PAYERS],
                  [sum(by_county[c].values()) for c in codes],
                  max((sum(by_county[c].values()) for c in codes), default=0))
    return Explanation(
        settings=settings, year=year, date_text=chinese_date(date),
        documents=[quoted_title(d) for d in cited_documents(policy)],
        parameters=parameters(policy, year),
        assumptions=[f"{a.what}：{a.value}。{a.note}" for a in policy.assumptions],
        summary_rows=rows, summary_total=["合计"] + [format_grouped(t) for t in totals] + [format_grouped(sum(totals))],
        county_rows=county_rows, chart=chart, grand_total_upper=chinese_uppercase(sum(totals)),
        sample="；".join(sample_notes(result.files)))


# --- the settlement notice ----------------------------------------------------------------------

@dataclass
class SettlementNotice:
    settings: NoticeSettings
    year: int
    date_text: str
    print_date_text: str
    documents: list[str]
    planned_label: str
    advance_text: str
    by_payer: list[tuple[str, str, str, str, str]]  # payer, planned, actual, difference, direction
    totals: tuple[str, str, str, str]
    difference_upper: str
    transfer_texts: list[str]
    tables: list[Table]
    sample: str = ""


def _signed(fen: int, unit_fen: int, decimals: int) -> str:
    return format_grouped(fen, unit_fen, decimals)


def settlement_notice(result, settings: NoticeSettings) -> SettlementNotice:
    """The 清算通知 of a :class:`budget.settle.SettlementResult`."""
    unit, decimals = settings.unit, settings.decimals
    unit_fen = UNIT_FEN[unit]
    label = result.planned_label

    def shown(fen: int) -> int:
        return _shown(fen, unit_fen, decimals)

    def show(fen: int) -> str:
        return format_grouped(fen, unit_fen, decimals)

    tables: list[Table] = []
    order = list(dict.fromkeys(l.subsidy.id for l in result.lines))
    for sid in order:
        mine = [l for l in result.lines if l.subsidy.id == sid]
        payers = [p for p in PAYERS if any(l.payer == p for l in mine)]
        regions = list(dict.fromkeys(l.region.code for l in mine))
        cell = {(l.region.code, l.payer): l for l in mine}
        rows, sums = [], defaultdict(int)
        for index, code in enumerate(regions, start=1):
            row = [str(index), next(l.region.name for l in mine if l.region.code == code)]
            notes = []
            for p in payers:
                line = cell.get((code, p))
                planned, actual = (shown(line.planned), shown(line.actual)) if line else (0, 0)
                sums[(p, 0)] += planned
                sums[(p, 1)] += actual
                row += [show(planned), show(actual), show(actual - planned)]
                if actual != planned:
                    notes.append(f"{PAYER_NAMES[p]}{'补拨' if actual > planned else '收回'}")
            rows.append(row + ["，".join(notes)])
        total = ["", "合计"]
        for p in payers:
            total += [show(sums[(p, 0)]), show(sums[(p, 1)]), show(sums[(p, 1)] - sums[(p, 0)])]
        total.append("")
        columns = ["序号", "地区"] + [f"{PAYER_NAMES[p]}{x}" for p in payers for x in (label, "应拨数", "差额")] + ["备注"]
        name = mine[0].subsidy.name
        tables.append(Table(f"附件{len(tables) + 1}", f"{result.year}年{name}清算表", unit, columns,
                            [False, False] + [True] * (len(columns) - 3) + [False], total, rows,
                            "注：差额 = 应拨数 − " + label + "，正数为补拨，负数为收回。", wide=len(columns) > 8))
    # transfers: what the province and the city pay (+) or recover (−) per county
    regions = list(dict.fromkeys(t.region.code for t in result.transfers))
    amount = {(t.region.code, t.payer): t.amount for t in result.transfers}
    rows, sums = [], defaultdict(int)
    for index, code in enumerate(regions, start=1):
        region = next(t.region for t in result.transfers if t.region.code == code)
        values = [shown(amount.get((code, p), 0)) for p in ("province", "city")]
        for p, v in zip(("province", "city"), values):
            sums[p] += v
        rows.append([str(index), region.name] + [show(v) for v in values] + [show(sum(values)), ""])
    total = ["", "合计", show(sums["province"]), show(sums["city"]), show(sums["province"] + sums["city"]), ""]
    tables.append(Table(f"附件{len(tables) + 1}", f"{result.year}年社会保险扶贫补助资金上下级结算表", unit,
                        ["序号", "地区", "省级补拨（收回）", "市级补拨（收回）", "合计", "备注"],
                        [False, False, True, True, True, False], total, rows,
                        "注：正数为上级向县（市、区）补拨，负数为从县（市、区）收回。", wide=False))
    by_payer, grand = [], [0, 0]
    for p in PAYERS:
        planned = sum(shown(l.planned) for l in result.lines if l.payer == p)
        actual = sum(shown(l.actual) for l in result.lines if l.payer == p)
        grand[0] += planned
        grand[1] += actual
        diff = actual - planned
        by_payer.append((PAYER_NAMES[p], show(planned), show(actual), show(abs(diff)),
                         "补拨" if diff > 0 else "收回" if diff < 0 else "持平"))
    diff = grand[1] - grand[0]
    exact_diff = sum(l.difference for l in result.lines)
    transfer_texts = []
    for p in ("province", "city"):
        mine = [t for t in result.transfers if t.payer == p]
        up = sum(shown(t.amount) for t in mine if t.amount > 0)
        down = -sum(shown(t.amount) for t in mine if t.amount < 0)
        transfer_texts.append(f"{PAYER_NAMES[p]}向县（市、区）补拨{show(up)}{unit}、收回{show(down)}{unit}")
    policy = result.policy
    return SettlementNotice(
        settings=settings, year=result.year, date_text=chinese_date(settings.date),
        print_date_text=chinese_date(settings.date), documents=[quoted_title(d) for d in cited_documents(policy)],
        planned_label=label,
        advance_text=(f"（按预算的{format_share(result.advance_rate)}预拨）" if result.advance_rate else ""),
        by_payer=by_payer, totals=(show(grand[0]), show(grand[1]), show(abs(diff)),
                                   "补拨" if diff > 0 else "收回" if diff < 0 else "持平"),
        difference_upper=chinese_uppercase(abs(exact_diff)), transfer_texts=transfer_texts, tables=tables,
        sample="；".join(sample_notes(result.files)))
