"""The 资金分配通知: what it says about each subsidy and fund, and its attachments.

Every figure in the body is a sum of the attachment tables' figures, which are the allocated
amounts themselves; the 大写 is written from the printed total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.display import PAYER_NAMES, Unit, chinese_date, format_share, shown_unit, split_text
from ..core.document_settings import DocumentSettings, NoticeSettings
from ..core.engine import Line
from ..core.funds import FundLine
from ..core.money import chinese_uppercase, format_plain
from ..core.policy import PAYERS, Policy, quoted_title
from ..core.results import PlanResult, sample_notes
from ..core.settlement import advance
from .tables import Table, allocation_table, cited_documents, dated_names, fund_table, renamed_note, short_ref, short_refs


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
        # each document and clause once, whichever parameters cite it
        refs = dict.fromkeys(r for t in [seg.period_ref.text] + [r.ref.text for r in seg.rates]
                             + [s.ref.text for s in seg.steps] for r in short_refs(t))
        assumed = any(r.ref.is_assumption for r in seg.rates) or any(s.ref.is_assumption for s in seg.steps)
        texts.append(SubsidyText(
            name=subsidy.name, standard=_standard(policy, mine[0]), shares=split_text(seg.shares, "承担"),
            period=f"{months[0].year}年{months[0].month}月至{months[-1].month}月" if len(months) < 12 else "全年",
            basis="；".join(refs), total=unit.text(sum(by_payer.values())),
            by_payer="，".join(f"{PAYER_NAMES[p]}{unit.text(by_payer[p])}{unit.name}" for p in PAYERS if p in by_payer),
            assumed=assumed))
    return texts


@dataclass
class PerformanceRow:
    first: str  # 一级指标
    second: str  # 二级指标
    third: str  # 三级指标
    value: str  # 指标值


@dataclass
class Notice:
    settings: NoticeSettings
    year: int
    stage: str  # "" (下达) or "提前下达"
    rate: str  # the advance rate, e.g. 90% ("" when the whole budget is handed down)
    date_text: str
    print_date_text: str
    documents: list[str]  # 《title》（number）
    upper: list[str]  # the upper allocations the money comes from
    subsidies: list[SubsidyText]
    funds: list[FundText]
    handed: dict[str, str]  # payer label → the money it hands down, as shown
    handed_total: str
    handed_upper: str  # the 大写 of handed_total, the figure printed beside it
    own: dict[str, str]  # lower level label → what it budgets itself (应安排)
    own_total: str
    budget_total: str
    subjects: list[str]  # 列……科目 sentences
    tables: list[Table]
    performance: list[PerformanceRow]
    performance_label: str  # 附件N of the 区域绩效目标表
    attachment_titles: list[str]  # every attachment, for the 附件说明
    draft: bool  # built on assumed values: 征求意见稿
    missing: list[str]  # what an issued notice needs that the settings do not give
    sample: str = ""  # the inputs say their figures are invented: the document says so too


def _subject_texts(policy: Policy, settings: DocumentSettings, year: int) -> tuple[list[str], list[str]]:
    """(列……科目 sentences, the items with no subject codes given); items sharing a code share a sentence."""
    by_code: dict[str, list[str]] = {}
    missing = []
    items = [*((s.id, s.name) for s in policy.subsidies.values()), *((f.id, f.name) for f in policy.funds.values())]
    for item_id, name in items:
        found = next((s for s in settings.subjects.get(item_id, []) if s.applies(year)), None)
        if found is None or "function" not in found.codes:
            missing.append(f"{name}的支出功能分类科目")
            continue
        codes = found.codes
        text = f"列{year}年政府收支分类科目“{codes['function']} {codes.get('function_name', '')}”".replace(" ”", "”")
        if "revenue" in codes:
            text += f"，县（市、区）列收入科目“{codes['revenue']}”"
        by_code.setdefault(text + ("" if found.verified else "（科目待核）"), []).append(name)
    return ["、".join(names) + text for text, names in by_code.items()], missing


def _performance(result: PlanResult, settings: DocumentSettings, year: int, unit: Unit,
                 handed_total: int) -> list[PerformanceRow]:
    """区域绩效目标表 (财预〔2015〕163号 layout): 产出数量 computed from the headcounts, the rest from
    the settings."""
    targets = settings.performance
    rows = [PerformanceRow("", "", "年度目标", targets.goal),
            PerformanceRow("", "", "下达资金", f"{unit.text(handed_total)}{unit.name}")]
    for subsidy in result.policy.subsidies.values():
        people = sum(ln.headcount for ln in result.lines if ln.year == year and ln.subsidy.id == subsidy.id)
        if people:
            verb = "人数" if subsidy.unit == "year" else "人数（每月）"
            rows.append(PerformanceRow("产出指标", "数量指标", f"{subsidy.name}{verb}", f"{people:,}人"))
    for first, second, pairs in (("产出指标", "质量指标", targets.quality), ("产出指标", "时效指标", targets.timeliness),
                                 ("产出指标", "成本指标", targets.cost), ("效益指标", "社会效益指标", targets.benefit),
                                 ("满意度指标", "服务对象满意度指标", targets.satisfaction)):
        rows += [PerformanceRow(first, second, name, value) for name, value in pairs]
    return rows


def notice(result: PlanResult, year: int, settings: DocumentSettings) -> Notice:
    """The notice of ``year``: with an advance rate, the 提前下达 notice of the advances."""
    policy = result.policy
    notice_settings = settings.notice
    lines = [ln for ln in result.lines if ln.year == year]
    unit = shown_unit(notice_settings.unit, result.quantum)
    name_of = dated_names(policy, notice_settings.date)
    handed = policy.handed_down()
    advanced = None
    if result.advance_rate is not None:
        advanced = {(p.line.year, p.line.region.code, p.line.subsidy.id, payer): amount
                    for p in advance(result.lines, result.advance_rate, result.quantum, handed)
                    for payer, amount in p.amounts}
    tables: list[Table] = []
    for sid, subsidy in policy.subsidies.items():
        mine = [ln for ln in lines if ln.subsidy.id == sid]
        if mine:
            now = ({(code, payer): v for (y, code, s, payer), v in advanced.items() if y == year and s == sid}
                   if advanced is not None else None)
            tables.append(allocation_table(policy, mine, f"附件{len(tables) + 1}",
                                           f"{year}年{subsidy.name}资金分配表", unit, name_of, handed, now,
                                           renamed_note(policy, notice_settings.date, [ln.region.code for ln in mine])))
    for fid, fund in policy.funds.items():
        shares = [f for f in result.fund_lines if f.year == year and f.fund.id == fid]
        if shares:
            tables.append(fund_table(shares, f"附件{len(tables) + 1}", f"{year}年{fund.name}分配表", unit, name_of,
                                     renamed_note(policy, notice_settings.date, [f.region.code for f in shares])))
    handed_totals: dict[str, int] = defaultdict(int)
    for table in tables:
        for p, v in table.totals.items():
            handed_totals[p] += v
    own_totals: dict[str, int] = defaultdict(int)
    for line in lines:
        for p, a in line.amounts:
            if p not in handed:
                own_totals[p] += a
    handed_total = sum(handed_totals.values())
    subjects, missing = _subject_texts(policy, settings, year)
    if not notice_settings.upper:
        missing.insert(0, "上级指标文号（upper）")
    if not notice_settings.contact:
        missing.append("联系人及电话（contact）")
    performance = _performance(result, settings, year, unit, handed_total)
    performance_title = f"{year}年社会保险扶贫补助资金区域绩效目标表"
    budget_total = sum(ln.total for ln in lines) + sum(f.amount for f in result.fund_lines if f.year == year)
    return Notice(
        settings=notice_settings, year=year, stage="提前下达" if advanced is not None else "",
        rate=format_share(result.advance_rate) if result.advance_rate is not None else "",
        date_text=chinese_date(notice_settings.date), print_date_text=chinese_date(notice_settings.date),
        documents=[quoted_title(d) for d in cited_documents(policy)], upper=notice_settings.upper,
        subsidies=subsidy_texts(policy, lines, unit),
        funds=fund_texts(policy, result.fund_lines, year, unit),
        handed={PAYER_NAMES[p]: unit.text(handed_totals[p]) for p in PAYERS if p in handed_totals},
        handed_total=unit.text(handed_total), handed_upper=chinese_uppercase(handed_total),
        own={PAYER_NAMES[p]: unit.text(own_totals[p]) for p in PAYERS if p in own_totals},
        own_total=unit.text(sum(own_totals.values())), budget_total=unit.text(budget_total),
        subjects=subjects, tables=tables, performance=performance, performance_label=f"附件{len(tables) + 1}",
        attachment_titles=[t.title for t in tables] + [performance_title],
        draft=bool(policy.assumptions_for([year])), missing=missing,
        sample="；".join(sample_notes(result.files)))
