"""The 清算通知: results of the settlement per payer, transfers, and the attached tables."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.display import PAYER_NAMES, chinese_date, format_share, shown_unit
from ..core.document_settings import NoticeSettings
from ..core.money import chinese_uppercase
from ..core.policy import PAYERS, quoted_title
from ..core.results import SettlementResult, sample_notes
from .tables import Table, cited_documents, dated_names, renamed_note


@dataclass
class SettlementNotice:
    settings: NoticeSettings
    year: int
    date_text: str
    print_date_text: str
    documents: list[str]
    planned_label: str
    advance_text: str
    by_payer: list[tuple[str, str, str, str, str, str]]  # payer, compared with, planned, actual, difference, direction
    # ……（省级、市级）应拨 or （县级本级）应安排 — by whether the level's money is handed down, whatever it is compared with
    actual_verbs: list[str]
    totals: tuple[str, str, str, str]
    difference_upper: str
    transfer_texts: list[str]
    tables: list[Table]
    recovered: bool  # whether any money is recovered from a county (then: 在下年度结算中扣回)
    draft: bool = False  # rests on assumed values: 征求意见稿, as the plan's notice
    sample: str = ""


def _direction(handed: bool, diff: int) -> str:
    """What a difference means: money handed down is paid or recovered (补拨/收回); a level's own
    share is not moved, it adjusts its own budget (增加安排/减少安排) — in the body and the 备注 alike."""
    if diff == 0:
        return "持平"
    if handed:
        return "补拨" if diff > 0 else "收回"
    return "增加安排" if diff > 0 else "减少安排"


def settlement_notice(result: SettlementResult, settings: NoticeSettings) -> SettlementNotice:
    """The 清算通知 of a settlement."""
    unit = shown_unit(settings.unit, result.quantum)
    name_of = dated_names(result.policy, settings.date)
    label = result.planned_label
    handed = result.policy.handed_down()

    def label_of(payer: str) -> str:
        """What a payer's money is compared with: what was advanced, or (its own share) its budget."""
        return label if payer in handed else "预算数"

    show = unit.text

    tables: list[Table] = []
    order = list(dict.fromkeys(ln.subsidy.id for ln in result.lines))
    for sid in order:
        mine = [ln for ln in result.lines if ln.subsidy.id == sid]
        payers = [p for p in PAYERS if any(ln.payer == p for ln in mine)]
        regions = list(dict.fromkeys(ln.region.code for ln in mine))
        cell = {(ln.region.code, ln.payer): ln for ln in mine}
        rows: list[list[str]] = []
        sums: dict[tuple[str, int], int] = defaultdict(int)
        for index, code in enumerate(regions, start=1):
            row = [str(index), name_of(next(ln.region for ln in mine if ln.region.code == code))]
            notes: dict[str, list[str]] = defaultdict(list)  # what is done → the payers doing it
            for p in payers:
                line = cell.get((code, p))
                planned, actual = (line.planned, line.actual) if line else (0, 0)
                sums[(p, 0)] += planned
                sums[(p, 1)] += actual
                row += [show(planned), show(actual), show(actual - planned)]
                if actual != planned and p in handed:  # a county's own share is not moved: the table's note says so
                    notes[_direction(True, actual - planned)].append(PAYER_NAMES[p])
            rows.append(row + ["；".join("、".join(who) + what for what, who in notes.items())])
        total = ["", "合计"]
        for p in payers:
            total += [show(sums[(p, 0)]), show(sums[(p, 1)]), show(sums[(p, 1)] - sums[(p, 0)])]
        total.append("")
        # a county's own share is not handed down: it is 应安排 against its 预算数, as the body says
        columns = (["序号", "地区"] + [f"{PAYER_NAMES[p]}{x}" for p in payers
                                     for x in (label_of(p), "应拨数" if p in handed else "应安排数", "差额")] + ["备注"])
        name = mine[0].subsidy.name
        renamed = renamed_note(result.policy, settings.date, regions)
        tables.append(Table(f"附件{len(tables) + 1}", f"{result.year}年{name}清算表", unit.name, columns,
                            [False, False] + [True] * (len(columns) - 3) + [False], total, rows,
                            "注：差额 = 应拨数 − " + label + "（县级为应安排数 − 预算数），正数为补拨，负数为收回；"
                            "县级差额不补拨、不收回，由县级财政相应增加或减少本级安排。"
                            + (f"{renamed}。" if renamed else ""), wide=False))
    # transfers: what the province and the city pay (+) or recover (−) per county
    regions = list(dict.fromkeys(t.region.code for t in result.transfers))
    amount = {(t.region.code, t.payer): t.amount for t in result.transfers}
    transfer_rows: list[list[str]] = []
    moved: dict[str, int] = defaultdict(int)
    for index, code in enumerate(regions, start=1):
        region = next(t.region for t in result.transfers if t.region.code == code)
        values = [amount.get((code, p), 0) for p in ("province", "city")]
        for p, v in zip(("province", "city"), values):
            moved[p] += v
        transfer_rows.append([str(index), name_of(region)] + [show(v) for v in values] + [show(sum(values)), ""])
    total = ["", "合计", show(moved["province"]), show(moved["city"]), show(moved["province"] + moved["city"]), ""]
    tables.append(Table(f"附件{len(tables) + 1}", f"{result.year}年社会保险扶贫补助资金上下级结算表", unit.name,
                        ["序号", "地区", "省级补拨（收回）", "市级补拨（收回）", "合计", "备注"],
                        [False, False, True, True, True, False], total, transfer_rows,
                        "注：正数为上级向县（市、区）补拨，负数为从县（市、区）收回。", wide=False))
    by_payer: list[tuple[str, str, str, str, str, str]] = []
    grand = [0, 0]  # the money handed down (or advanced): what the settlement moves between levels
    for p in PAYERS:
        planned = sum(ln.planned for ln in result.lines if ln.payer == p)
        actual = sum(ln.actual for ln in result.lines if ln.payer == p)
        if p in handed:
            grand[0] += planned
            grand[1] += actual
        diff = actual - planned
        direction = _direction(p in handed, diff)
        by_payer.append((PAYER_NAMES[p], label_of(p), show(planned), show(actual), show(abs(diff)), direction))
    diff = grand[1] - grand[0]
    transfer_texts = []
    for p in ("province", "city"):
        ups = [t.amount for t in result.transfers if t.payer == p and t.amount > 0]
        downs = [-t.amount for t in result.transfers if t.payer == p and t.amount < 0]
        moves = ([f"补拨{show(sum(ups))}{unit.name}"] if ups else []) + ([f"收回{show(sum(downs))}{unit.name}"] if downs else [])
        transfer_texts.append(f"{PAYER_NAMES[p]}向县（市、区）" + ("、".join(moves) if moves else "无需补拨或收回"))
    policy = result.policy
    return SettlementNotice(
        settings=settings, year=result.year, date_text=chinese_date(settings.date),
        print_date_text=chinese_date(settings.date), documents=[quoted_title(d) for d in cited_documents(policy)],
        planned_label=label,
        advance_text=(f"（按预算的{format_share(result.advance_rate)}预拨）" if result.advance_rate else ""),
        by_payer=by_payer, actual_verbs=["应拨" if p in handed else "应安排" for p in PAYERS],
        recovered=any(t.amount < 0 for t in result.transfers), totals=(show(grand[0]), show(grand[1]), show(abs(diff)),
                                   "补拨" if diff > 0 else "收回" if diff < 0 else "持平"),
        difference_upper=chinese_uppercase(abs(diff)),  # of the figure printed beside it
        transfer_texts=transfer_texts, tables=tables, draft=bool(policy.assumptions_for([result.year])),
        sample="；".join(sample_notes(result.files)))
