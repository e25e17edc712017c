"""The 资金分配通知: what it says about each subsidy and fund, and its attachments.

Every figure in the body is a sum of the attachment tables' figures, which are the allocated
amounts themselves; the 大写 is written from the printed total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.display import PAYER_NAMES, Unit, chinese_date, format_share, shown_unit, split_text
from ..core.document_settings import NoticeSettings
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.money import chinese_uppercase, format_plain
from ..core.policy import PAYERS, Policy, quoted_title
from ..core.results import PlanResult, sample_notes
from .tables import Table, allocation_table, cited_documents, dated_names, fund_table, short_ref


@dataclass
class FundText:
    name: str
    payer: str
    total: str
    factors: str
    bounds: str
    basis: str


def fund_texts(policy: Policy, fund_lines: list[FundLine], year: int, unit: Unit) -> list[FundText]:
    out = []
    for fund in policy.funds.values():
        mine = [f for f in fund_lines if f.year == year and f.fund.id == fund.id]
        if not mine:
            continue
        bounds = "，".join(x for x in [f"每个地区不低于{format_plain(fund.floor)}元" if fund.floor is not None else "",
                                       f"不高于{format_plain(fund.cap)}元" if fund.cap is not None else ""] if x)
        out.append(FundText(fund.name, PAYER_NAMES[fund.payer], unit.text(sum(f.amount for f in mine)),
                            "、".join(f"{f.name}{format_share(f.weight)}" for f in fund.factors), bounds,
                            short_ref(fund.ref.text)))
    return out


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


def subsidy_texts(policy: Policy, lines: list[Line], unit: Unit) -> list[SubsidyText]:
    texts = []
    for sid, subsidy in policy.subsidies.items():
        mine = [ln for ln in lines if ln.subsidy.id == sid]
        if not mine:
            continue
        seg = mine[0].segments[0]
        months = sorted({m for ln in mine for s in ln.segments for m in s.months})
        by_payer: dict[str, int] = defaultdict(int)
        for line in mine:
            for p, a in line.amounts:
                by_payer[p] += a
        refs = dict.fromkeys(short_ref(t) for t in [seg.period_ref.text] + [r.ref.text for r in seg.rates]
                             + [s.ref.text for s in seg.steps])
        assumed = any(r.ref.is_assumption for r in seg.rates) or any(s.ref.is_assumption for s in seg.steps)
        texts.append(SubsidyText(
            name=subsidy.name, standard=_standard(policy, mine[0]), shares=split_text(seg.shares, "承担"),
            period=f"{months[0].year}年{months[0].month}月至{months[-1].month}月" if len(months) < 12 else "全年",
            basis="；".join(refs), total=unit.text(sum(by_payer.values())),
            by_payer="，".join(f"{PAYER_NAMES[p]}{unit.text(by_payer[p])}{unit.name}" for p in PAYERS if p in by_payer),
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
    grand_total_upper: str  # the 大写 of grand_total, the figure printed beside it
    tables: list[Table]
    assumptions: list[str]
    sample: str = ""  # the inputs say their figures are invented: the document says so too


def notice(result: PlanResult, year: int, settings: NoticeSettings) -> Notice:
    policy = result.policy
    lines = [ln for ln in result.lines if ln.year == year]
    unit = shown_unit(settings.unit, result.quantum)
    name_of = dated_names(policy, settings.date)
    tables: list[Table] = []
    for sid, subsidy in policy.subsidies.items():
        mine = [ln for ln in lines if ln.subsidy.id == sid]
        if mine:
            tables.append(allocation_table(policy, mine, f"附件{len(tables) + 1}",
                                           f"{year}年{subsidy.name}资金分配表", unit, name_of))
    for fid, fund in policy.funds.items():
        shares = [f for f in result.fund_lines if f.year == year and f.fund.id == fid]
        if shares:
            tables.append(fund_table(shares, f"附件{len(tables) + 1}", f"{year}年{fund.name}分配表", unit, name_of))
    payer_totals: dict[str, int] = defaultdict(int)
    for table in tables:
        for p, v in table.totals.items():
            payer_totals[p] += v
    grand_total = sum(payer_totals.values())
    return Notice(
        settings=settings, year=year, date_text=chinese_date(settings.date),
        print_date_text=chinese_date(settings.date),
        documents=[quoted_title(d) for d in cited_documents(policy)],
        subsidies=subsidy_texts(policy, lines, unit),
        funds=fund_texts(policy, result.fund_lines, year, unit),
        totals={PAYER_NAMES[p]: unit.text(payer_totals[p]) for p in PAYERS if p in payer_totals},
        grand_total=unit.text(grand_total), grand_total_upper=chinese_uppercase(grand_total),
        tables=tables,
        # justify would stretch spaces
        assumptions=[f"{a.what}（{a.value}）".replace(" ", "") for a in policy.assumptions_for([year])],
        sample="；".join(sample_notes(result.files)))
