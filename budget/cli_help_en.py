"""The CLI's help in English (``--lang en``): each option's Chinese help → its English, and each
command's one-line summary. The Chinese texts in cli.py stay the source; a test fails when an
option's help has no English here."""

HELP_EN = {
    "提示信息的语言：zh（中文，默认）或 en；也可用环境变量 BUDGET_LANG=en 或 LANG=en_US.UTF-8。":
        "Language of messages and help: zh (Chinese, the default) or en; or set BUDGET_LANG=en or an English "
        "locale (LANG=en_US.UTF-8).",
    "预算年度（可重复）。默认：人数文件中的每一年。": "Budget year (repeatable). Default: every year in the headcount file.",
    "人数文件（CSV 或 XLSX，或填好的填报模板）。默认：内置的虚构示例。":
        "Headcount file (CSV or XLSX, or a filled collection template). Default: the shipped synthetic example.",
    "政策文件（YAML，可重复，每个城市一个；也可写内置名称如 xianyang-2017-303）。默认：内置咸阳配置。":
        "Policy file (YAML; repeatable, one per city; or a shipped name such as xianyang-2017-303). Default: the "
        "shipped Xianyang configuration.",
    "输出文件夹（没有则新建）。": "Output folder (made if missing).",
    "预算表金额单位：元 或 万元。": "Amount unit of the budget workbook: 元 or 万元.",
    "公文设置（YAML：分配单位、发文机关、文号、日期、主送、抄送、上级指标文号、科目等）。":
        "Document settings (YAML: allocation unit, issuers, number, date, addressees, copies, the higher-level "
        "indicator number, budget subjects, …).",
    "是否生成通知和测算说明 PDF。": "Write the notice and the explanation as PDF, or not.",
    "是否生成预算表（xlsx）和指标表。": "Write the budget workbook (xlsx) and the indicator table, or not.",
    "即使有字库缺少的字也照样生成 PDF（该字显示为方框）。":
        "Write the PDFs even when a font lacks a character (it shows as a box).",
    "预拨（提前下达）比例，如 90%；写出 advances.csv 和提前下达通知，清算时据此结算。":
        "Advance rate (提前下达), e.g. 90%: writes advances.csv and the advance notice; the settlement settles "
        "against it.",
    "因素法分配的因素数据：year,region_code,factor,value。":
        "Factor data for funds distributed by factors: year,region_code,factor,value.",
    "分配单位：每县每项目金额只舍入一次到该单位——分、元、0.01万元 或 万元"
    "（优先于公文设置；没有公文设置时为 分，内置示例的公文设置为 元）。":
        "Allocation unit: each county × subsidy amount is rounded once to it — 分, 元, 0.01万元 or 万元 (over the "
        "document settings; 分 without settings; the shipped example settings use 元).",
    "正式稿：仍有假设参数（逐项列出文件:行）或缺少上级指标文号、科目、联系人时拒绝；不加此项时，依赖假设的通知为征求意见稿。":
        "Final version: refused while assumed values remain (each listed with its file:line) or the higher-level "
        "indicator number, subjects or contact are missing; without it a notice resting on assumptions is a draft "
        "(征求意见稿).",
    "通知文号，如 咸财社〔{year}〕12号（优先于公文设置）。":
        "The notice's number, e.g. 咸财社〔{year}〕12号 (over the document settings).",
    "成文日期，如 2018-01-08（优先于公文设置）。": "The date of the document, e.g. 2018-01-08 (over the document settings).",
    "通知标题（优先于公文设置）。": "The notice's title (over the document settings).",
    "发文机关，联合发文时重复（优先于公文设置）。":
        "Issuing office; repeat for a joint notice (over the document settings).",
    "主送机关（优先于公文设置）。": "Addressees (over the document settings).",
    "抄送机关，每个重复一次（优先于公文设置）。": "Offices copied, one per repetition (over the document settings).",
    "中期财政规划：年度范围，如 2020-2022（预测的年度）；另写出各年并列的 budget-2020-2022.xlsx。":
        "Medium-term plan: a range of years such as 2020-2022 (a forecast's years); adds budget-2020-2022.xlsx with "
        "the years side by side.",
    "测算方案（YAML）：在政策文件之上按日期改变标准、比例、期间或增加本地补助，含方案名称和理由。":
        "A scenario (YAML) over the policy: rates, shares, periods or local subsidies changed from a date, with its "
        "name and reason.",
    "采用该名称的测算方案：测算即为正式测算（写出通知，不加“测算方案”标记）。":
        "Adopt the scenario of this name: the plan is then a real one (a notice, no scenario mark).",
    "CSV 文件的编码：utf-8-bom（默认，Excel 可直接打开）、gb18030（中文 Windows 的 Excel 默认编码）"
    "或 utf-8（无 BOM，供程序读取）。":
        "Encoding of the CSV files: utf-8-bom (default, opens in Excel), gb18030 (Excel's own on Chinese Windows) or "
        "utf-8 (no BOM, for programs).",
    "CSV 文件的表头：en（默认，英文表头和代码，见 README，供程序读取）"
    "或 zh（中文表头，补助项目、承担级次、人员类别用中文名称）。":
        "Headers of the CSV files: en (default: the English headers and ids of the README, for programs) or zh "
        "(Chinese headers and names of subsidies, payers and groups).",
    "budget plan 的输出文件夹。": "The output folder of budget plan.",
    "PDF 写到哪里（默认：测算文件夹）。": "Where to write the PDFs (default: the plan's folder).",
    "清算年度。": "The year to settle.",
    "budget plan 的输出文件夹，或预测人数文件。": "The output folder of budget plan, or the forecast headcounts.",
    "实际人数文件（CSV 或 XLSX；按月补助可有 month 列）。":
        "Actual headcounts (CSV or XLSX; a month column for monthly subsidies).",
    "政策文件（与预测人数文件一起用；对测算文件夹则必须是其政策）。":
        "Policy file (with forecast headcounts; with a plan folder it must be the plan's own).",
    "输出文件夹。": "Output folder.",
    "与预测人数文件一起用：当时预拨的比例（对测算文件夹则以其记录为准，不同即拒绝）。":
        "With forecast headcounts: the rate that was advanced (a plan folder's record stands; a different rate is "
        "refused).",
    "是否生成清算通知 PDF。": "Write the settlement notice as PDF, or not.",
    "预算年度。": "Budget year.",
    "县（市、区）代码或名称，如 610402 或 秦都区。": "The county's code or name, e.g. 610402 or 秦都区.",
    "补助项目或资金的名称（或其中几个字）或代码，如 补充医疗保障 或 supplementary_medical。":
        "The subsidy's or fund's name (or a few of its characters) or id, e.g. 补充医疗保障 or supplementary_medical.",
    "因素法资金的因素数据。": "Factor data for funds distributed by factors.",
    "各县填报的年度。": "The year the counties report for.",
    "要写出的 .xlsx 文件。": "The .xlsx file to write.",
    "即使该文件已有填报数据也覆盖。": "Replace the file even if it holds figures.",
    "政策案例文件（YAML，可给多个）：测算、清算和因素法案例。":
        "Policy case files (YAML, several allowed): plan, settlement and factor cases.",
    "名单配置（YAML）：各名单文件、列及各类人员的认定规则。":
        "Roster configuration (YAML): the list files, their columns and the rules for each group.",
    "统计年度。": "The year to count.",
    "跳过无法统计的行（身份证号、日期或地区有误）并写出结果，problems.csv 逐行列出。":
        "Skip rows that cannot be counted (bad ID number, date or region) and write the results; problems.csv lists "
        "each.",
    "台账中的脱敏人员行：flagged（多名单、年内变动、重复、迁移）、all 或 none。":
        "Masked person rows in the ledger: flagged (several lists, changes in the year, duplicates, moves), all or "
        "none.",
    "DuckDB 内存上限，超出时写入私有临时文件夹。": "DuckDB's memory limit; beyond it, spill to a private temporary folder.",
    "监听地址：127.0.0.1（仅本机）；0.0.0.0 向局域网开放（没有登录功能：局域网内所有人都能使用）。":
        "Address to listen on: 127.0.0.1 (this machine only); 0.0.0.0 opens the page to the LAN (it has no login: "
        "anyone there can use it).",
    "端口。": "Port.",
    "测算方案（YAML），可重复。": "A scenario (YAML); repeat for several.",
    "输出文件夹：compare.xlsx 等。": "Output folder: compare.xlsx and more.",
    "各方案共用的基准人数，如预测的 forecast-base.csv。默认：内置的虚构示例。":
        "The base headcounts every plan uses, e.g. a forecast's forecast-base.csv. Default: the shipped example.",
    "是否写出 compare-appendix.pdf（测算说明的附件）。":
        "Write compare-appendix.pdf (an appendix to the explanation), or not.",
    "以往年度的实际人数（plan 能读的格式）。": "Actual headcounts of past years (the formats plan reads).",
    "要预测的年度，如 2020-2022。": "Years to forecast, e.g. 2020-2022.",
    "输出文件夹：forecast-low/base/high.csv 和 forecast.xlsx。": "Output folder: forecast-low/base/high.csv and forecast.xlsx.",
    "auto（逐县回测选择）、last、growth、loglinear 或 stockflow（所有县用同一方法）。":
        "auto (chosen per county by a backtest), last, growth, loglinear or stockflow (one method for all).",
    "存量流量法：上年人员中退出的比例。": "Stock-flow: the share of last year's people who leave.",
    "存量流量法：新进入人员占上年人数的比例（默认：按历年数据推算的平均值）。":
        "Stock-flow: new entrants as a share of last year's people (default: the average the history implies).",
    "预测结果还将用于该测算方案（可重复）：方案计入的人员类别也一并预测。":
        "A scenario the forecast will be planned with too (repeatable): the groups it counts are forecast as well.",
}

COMMANDS_EN = {
    "plan": "Plan: every payer's amount per subsidy and county, with the tables, workbook, notice and explanation.",
    "report": "Render the notice and the explanation again from a plan's folder; refuses changed inputs.",
    "settle": "Settle a year on actual headcounts against the budget or the advances: the tables, transfers and notice.",
    "check": "Check the policy and the headcounts without planning.",
    "explain": "Explain how one county's amount of one subsidy was derived.",
    "template": "Write the headcount collection template (a row per county, a column per group).",
    "verify": "Run the hand-derived policy cases, each checked to the fen.",
    "roster": "Match person lists by ID number into a headcount file (masked outputs).",
    "serve": "Serve the clerks' web page on this machine.",
    "compare": "Scenarios side by side, per county and payer, with differences as formulas.",
    "forecast": "Forecast headcounts from history: low, base and high.",
    "version": "Print the version.",
}
