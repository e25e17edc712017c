"""Document settings (issuers, 文号, dates, titles) and their defaults from the policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from .policy import Policy


@dataclass
class NoticeSettings:
    issuers: list[str]
    number: str
    date: str  # 2018-01-08
    title: str
    addressees: str
    cc: list[str]
    printer: str
    unit: str = "万元"  # the document's unit; its decimals follow from the plan's allocation unit
    upper: list[str] = field(default_factory=list)  # 上级指标文件 the money comes from: 《title》（number）
    public: str = "主动公开"  # 公开属性: 主动公开, 依申请公开 or 不予公开
    contact: str = ""  # 联系人及电话
    pass_on: str = ("请按照《中华人民共和国预算法》第五十二条规定的时限，将上级和本级补助资金及时拨付到位，"
                    "并将本级应承担的补助资金足额列入预算、及时落实到位。")
    source: str = ""  # the settings file, for problems that name it


PUBLIC = ("主动公开", "依申请公开", "不予公开")


@dataclass
class Subject:
    """Budget subject codes and marks of one subsidy from a year on (values the bureau gives;
    a value not given is left blank and listed as missing, never guessed)."""

    start: int
    end: int | None
    codes: dict[str, str]  # field → code or mark, e.g. function → 2082602
    verified: bool  # checked against the published 政府收支分类科目 of those years
    ref: str

    def applies(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year <= self.end)


SUBJECT_FIELDS = {
    "function": "支出功能分类科目", "function_name": "支出功能分类科目名称", "economic_grant": "政府预算支出经济分类（下达方）",
    "economic_receive": "政府预算支出经济分类（接收方）", "department_economic": "部门预算支出经济分类",
    "revenue": "接收方转移支付收入科目", "project": "项目代码", "nature": "资金性质",
    "direct": "直达资金标识", "sanbao": "三保标识", "tracking": "追踪标识",
}


@dataclass
class Performance:
    """区域绩效目标表 targets besides the computed 产出数量 (settings: name → target value)."""

    quality: list[tuple[str, str]] = field(default_factory=list)
    timeliness: list[tuple[str, str]] = field(default_factory=list)
    cost: list[tuple[str, str]] = field(default_factory=list)
    benefit: list[tuple[str, str]] = field(default_factory=list)
    satisfaction: list[tuple[str, str]] = field(default_factory=list)
    goal: str = ""  # 年度目标


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
    subjects: dict[str, list[Subject]] = field(default_factory=dict)  # subsidy or fund id → dated codes
    performance: Performance = field(default_factory=Performance)
    indicator_columns: dict[str, str] = field(default_factory=dict)  # default header → the province's header


def default_settings(policy: Policy, year: int, quantum: int = 1, advance: bool = False) -> DocumentSettings:
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
    unit = "万元" if quantum >= 100 else "元"  # 万元 shows amounts of whole 元 or coarser exactly
    performance = Performance(
        quality=[("应代尽代率（符合条件人员代缴、资助覆盖率）", "100%")],
        timeliness=[("资金下达及时性", "按规定时限下达、按时足额拨付")],
        benefit=[("困难群体参保缴费负担", "有效减轻"), ("城乡居民基本养老、医疗保险覆盖", "应保尽保")],
        satisfaction=[("服务对象满意度", "≥90%")],
        goal="按政策为符合条件的困难群体代缴、资助城乡居民基本养老和医疗保险费，发放提高的基础养老金，"
             "资金按时足额到位。")
    return DocumentSettings(
        notice=NoticeSettings(
            # an advance (提前下达) is due by 31 October of the year before (财预〔2015〕230号 第十九条)
            issuers=list(issuers), number=f"{prefix}财社〔{year - 1 if advance else year}〕1号",
            date=f"{year - 1}-10-31" if advance else f"{year}-01-08",
            title=f"关于{'提前' if advance else ''}下达{year}年社会保险扶贫补助资金预算的通知",
            addressees=addressees, cc=[], printer=printer, unit=unit),
        explanation=ExplanationSettings(title=f"{year}年社会保险扶贫补助资金预算测算说明"),
        performance=performance,
        settlement=NoticeSettings(
            issuers=list(issuers), number=f"{prefix}财社〔{year + 1}〕2号", date=f"{year + 1}-03-01",
            title=f"关于{year}年社会保险扶贫补助资金清算的通知",
            addressees=addressees, cc=[], printer=printer, unit=unit))
