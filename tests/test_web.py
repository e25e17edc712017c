"""The web page (budget serve) through FastAPI's TestClient: the flows, the files equal the CLI's,
every broken headcount file shows its message, and the safety rules."""

import csv
import html
import io
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import EXAMPLE, GROUPS, XIANYANG, XIANYANG_COUNTIES, write_headcounts
from fastapi.testclient import TestClient
from test_headcount_errors import edit
from typer.testing import CliRunner

from budget.cli import app as cli
from budget.readers.policy_reader import read_policy
from budget.resources import EXAMPLE_DOCUMENTS
from budget.web import Limits, create_app
from budget.writers.template import template_bytes

runner = CliRunner()
POLICY = "xianyang-2017-303"


SERVED = []  # every server's job folder, each to be gone once its client is closed


def serve(limits=None):
    """The page as a browser on this machine sees it (the Host header is checked). Use it in a
    ``with``: leaving it runs the app's lifespan end, which removes the uploads."""
    app = create_app(limits)
    SERVED.append(app.store.root)
    return TestClient(app, base_url="http://127.0.0.1:8000")


@pytest.fixture(autouse=True, scope="module")
def no_uploaded_data_is_left_behind():
    yield
    assert SERVED and [root for root in SERVED if root.exists()] == []


@pytest.fixture
def client():
    with serve() as c:
        yield c


def token(client, url="/"):
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def text(response):
    """The page as a person reads it: no tags, single spaces."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def post_plan(client, data: bytes, name="h.csv", **form):
    fields = {"csrf": token(client), "policy": POLICY, "documents": "example", "unit": "元", "year": "2018"} | form
    return client.post("/plan", data=fields, files={"headcounts": (name, data, "text/csv")}, follow_redirects=False)


def wait_for_pdfs(client, url, seconds=120):
    for _ in range(seconds * 2):
        page = client.get(url)
        if "正在生成公文" not in page.text:
            return page
        assert '<meta http-equiv="refresh"' in page.text  # progress without JavaScript
        time.sleep(0.5)
    raise AssertionError("the PDFs took too long")


def cli_plan(tmp_path, headcounts, *extra):
    out = tmp_path / "cli"
    result = runner.invoke(cli, ["plan", "--headcounts", str(headcounts), "--policy", XIANYANG, "--documents",
                                 str(EXAMPLE_DOCUMENTS), "--year", "2018", "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def test_the_home_page_is_in_chinese_and_sets_a_csrf_cookie(client):
    page = client.get("/")
    assert page.status_code == 200
    for words in ("下载填报模板", "上传填报表", "校验并预览", "政策文件", "--host 0.0.0.0"):
        assert words in page.text
    assert "budget_csrf" in page.headers["set-cookie"] and "samesite=strict" in page.headers["set-cookie"].lower()
    assert "<script" not in page.text  # plain forms


def test_template_download_has_a_utf8_name_and_the_cli_bytes(client):
    response = client.get("/template", params={"year": "2019", "policy": POLICY})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"template-2019.xlsx\"; filename*=UTF-8''" + quote("咸阳市2019年人数填报表.xlsx"))
    assert response.content == template_bytes(read_policy([XIANYANG])[0], 2019)
    assert client.get("/template", params={"year": "../x", "policy": POLICY}).status_code == 422
    assert client.get("/template", params={"year": "2019", "policy": "../../etc/passwd"}).status_code == 422


def test_plan_preview_and_downloads_equal_the_cli(client, tmp_path):
    data = open(EXAMPLE, "rb").read()
    response = post_plan(client, data, name="xianyang-headcounts-synthetic.csv")
    assert response.status_code == 303, text(response)
    url = response.headers["location"]
    page = wait_for_pdfs(client, url)
    shown = text(page)
    assert "校验通过" in shown and "按补助项目和承担级次" in shown and "按县（市、区）" in shown
    assert "秦都区" in shown and "示例数据" in shown
    out = cli_plan(tmp_path, EXAMPLE)
    files = {"allocations": "allocations.csv", "workbook-2018": "budget-2018.xlsx", "indicators-2018": "indicators-2018.xlsx",
             "assumptions": "assumptions.txt", "notice-2018": "notice-2018.pdf", "explanation-2018": "explanation-2018.pdf"}
    for key, name in files.items():
        got = client.get(f"{url}/files/{key}")
        assert got.status_code == 200, key
        if name.endswith(".pdf"):
            assert got.content.startswith(b"%PDF")  # rendered from the same result; PDF bytes carry font subsets
        else:
            assert got.content == (out / name).read_bytes(), name
    assert "filename*=UTF-8''" + quote("咸阳市2018年预算.xlsx") in client.get(f"{url}/files/workbook-2018").headers[
        "content-disposition"]
    archive = client.get(f"{url}/files/all")
    assert quote("咸阳市2018年预算全部文件.zip") in archive.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert {"plan/allocations.csv", "plan/budget-2018.xlsx", "plan/notice-2018-征求意见稿.pdf",
            "plan/explanation-2018.pdf"} <= set(names)  # the example rests on assumptions: a draft
    assert not any("plan.json" in n for n in names)  # it names this machine's temporary paths
    # a total from the summary is the CLI's
    total = sum(int(round(float(r["amount"]) * 100)) for r in csv.DictReader(open(out / "allocations.csv", encoding="utf-8-sig")))
    assert f"{total // 100:,}.{total % 100:02d}" in shown


def test_settlement_against_a_plan_made_on_the_page_equals_the_cli(client, tmp_path):
    forecast = write_headcounts(tmp_path / "forecast.csv", {"pension_recipients": 100, "rural_registered_poor": 50})
    actual = write_headcounts(tmp_path / "actual.csv", {"pension_recipients": 90, "rural_registered_poor": 60})
    response = post_plan(client, open(forecast, "rb").read(), name="forecast.csv", advance_rate="90%")
    assert response.status_code == 303, text(response)
    url = response.headers["location"]
    page = client.get(url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post(f"{url}/settle", data={"csrf": csrf, "year": "2018"},
                           files={"actual": ("实际人数.csv", open(actual, "rb").read(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, text(response)
    settlement = response.headers["location"]
    page = wait_for_pdfs(client, settlement)
    shown = text(page)
    assert "清算结果" in shown and "预拨数" in shown and "补拨" in shown and "收回" in shown and "实际人数.csv" in shown
    out = cli_plan(tmp_path, forecast, "--advance-rate", "90%", "--no-pdf")
    settled = tmp_path / "settled"
    result = runner.invoke(cli, ["settle", "--year", "2018", "--planned", str(out), "--actual", actual, "--out", str(settled),
                                 "--no-pdf"])
    assert result.exit_code == 0, result.output
    sid = settlement.rsplit("/", 1)[-1]
    for key, name in {"settlement": "settlement.csv", "transfers": "transfers.csv"}.items():
        assert client.get(f"/jobs/{sid}/files/{key}").content == (settled / name).read_bytes(), name
    assert client.get(f"/jobs/{sid}/files/notice").content.startswith(b"%PDF")
    assert quote("咸阳市2018年清算.xlsx") in client.get(f"/jobs/{sid}/files/workbook").headers["content-disposition"]


def test_csv_in_gb18030_with_chinese_headers_from_the_page(client, tmp_path):
    """The page's 更多设置 choose the CSV files' encoding and headers as --csv-encoding and
    --csv-headers do; the settlement on the page writes its CSV files as its plan did."""
    assert 'name="csv_encoding"' in client.get("/").text
    forecast = write_headcounts(tmp_path / "forecast.csv", {"pension_recipients": 100, "rural_registered_poor": 50})
    actual = write_headcounts(tmp_path / "actual.csv", {"pension_recipients": 90, "rural_registered_poor": 60})
    response = post_plan(client, open(forecast, "rb").read(), advance_rate="90%", csv_encoding="gb18030",
                         csv_headers="zh")
    assert response.status_code == 303, text(response)
    url = response.headers["location"]
    out = cli_plan(tmp_path, forecast, "--advance-rate", "90%", "--no-pdf", "--csv-encoding", "gb18030",
                   "--csv-headers", "zh")
    got = client.get(f"{url}/files/allocations")
    assert got.content == (out / "allocations.csv").read_bytes()
    assert got.headers["content-type"] == "text/csv; charset=gb18030"
    assert got.content.decode("gb18030").startswith("年度,区划代码,区划名称,补助项目,承担级次,人数,金额（元）\n")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)
    response = client.post(f"{url}/settle", data={"csrf": csrf, "year": "2018"},
                           files={"actual": ("实际人数.csv", open(actual, "rb").read(), "text/csv")}, follow_redirects=False)
    assert response.status_code == 303, text(response)
    sid = response.headers["location"].rsplit("/", 1)[-1]
    transfers = client.get(f"/jobs/{sid}/files/transfers").content.decode("gb18030")
    assert transfers.startswith("年度,承担级次,区划代码,区划名称,金额（元）,方向\n")
    bad = post_plan(client, open(forecast, "rb").read(), csv_encoding="latin1")
    assert bad.status_code == 422 and "请从列表中选择 CSV 编码" in text(bad)


def test_settlement_problems_are_listed_on_the_plan_page(client, tmp_path):
    forecast = write_headcounts(tmp_path / "forecast.csv", {"pension_recipients": 100})
    url = post_plan(client, open(forecast, "rb").read()).headers["location"]
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)
    partial = write_headcounts(tmp_path / "a.csv", {}, counties=XIANYANG_COUNTIES[:3])
    response = client.post(f"{url}/settle", data={"csrf": csrf, "year": "2018"},
                           files={"actual": ("少了县.csv", open(partial, "rb").read(), "text/csv")})
    assert response.status_code == 422
    assert "缺少 610423 泾阳县, 610424 乾县" in text(response) and "少了县.csv" in text(response)


# --- every broken headcount file of test_headcount_errors.py, on the page ------------------------

def _bad_fields(path):
    write_headcounts(path, {"poor_pension_contributors": 100})
    edit(path, 2, region_code="610499")
    edit(path, 12, group="poor_people")
    edit(path, 13, headcount="12.5")
    edit(path, 14, headcount="-3")
    edit(path, 15, year="18")
    return ["h.csv:2 [地区代码] 地区代码 '610499' 不在区划表中",
            "h.csv:12 [人员类别] 未知的人员类别 'poor_people'（可用：poor_pension_contributors（",
            "h.csv:13 [人数] 人数 '12.5' 应为不小于 0 的整数",
            "h.csv:14 [人数] 人数 '-3' 应为不小于 0 的整数",
            "h.csv:15 [年度] 年度 '18' 应为 4 位年份，如 2018"]


def _duplicate(path):
    write_headcounts(path, {})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("2018,610402,pension_recipients,5\n")
    return ["h.csv:119 重复的行：2018, 610402 秦都区, 城乡居民养老保险领取待遇人员（pension_recipients）（首次出现于 h.csv:6）"]


def _of_which(path):
    write_headcounts(path, {("610404", "poor_pension_contributors"): 10,
                            ("610404", "poor_pension_contributors_contiguous"): 8,
                            ("610404", "poor_pension_contributors_disabled"): 11,
                            ("610404", "disabled_pension_contributors"): 11})
    return ["h.csv:13 [人数] 2018年 610404 渭城区：其中：重度残疾人（poor_pension_contributors_disabled） = 11，大于",
            "h.csv:11 [人数] 2018年 610404 渭城区：参保缴费农村困难群体"]


def _missing_group(path):
    write_headcounts(path, {})
    rows = [ln for ln in open(path, encoding="utf-8") if "610402,medical_dibao" not in ln]
    open(path, "w", encoding="utf-8").writelines(rows)
    return ["h.csv 2018年 610402 秦都区：缺少 城乡居民医保参保农村低保对象（medical_dibao） 的人数（执行中的补助需要）"]


def _region_name(path):
    lines = ["year,region_code,region_name,group,headcount"]
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            name = "渭城区" if code == "610402" and group == "pension_recipients" else ""
            lines.append(f"2018,{code},{name},{group},1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["h.csv:6 [地区名称] 地区名称 '渭城区' 与代码 610402（秦都区）不符"]


def _misgrouped(path):
    write_headcounts(path, {})
    text_ = open(path, encoding="utf-8").read().replace("2018,610402,pension_recipients,0",
                                                      '2018,610402,pension_recipients,"1,23,45"')
    open(path, "w", encoding="utf-8").write(text_)
    return ["人数 '1,23,45' 应为不小于 0 的整数"]


def _raw(content):
    def make(path):
        path.write_bytes(content)
    return make


@pytest.mark.parametrize("make, expected", [
    (_bad_fields, None), (_duplicate, None), (_of_which, None), (_missing_group, None), (_region_name, None),
    (_misgrouped, None),
    (_raw(b""), ["文件是空的：需要表头行"]),
    (_raw(b"year,region,group,headcount\n2018,610402,x,1\n"), ["未知的列名 'region'"]),
    (_raw(b"year,region_code,group\n"), ["缺少列 'headcount'"]),
    (_raw(b"\x00\x01\x02garbage"), ["含 NUL 字节"]),
    (_raw(b"\xff\xfe\x00\x00\xff"), ["文件既不是 UTF-8 也不是 GB18030 文本"]),
], ids=["bad-fields", "duplicate", "of-which", "missing-group", "region-name", "misgrouped", "empty", "unknown-column",
        "missing-column", "nul", "encoding"])
def test_each_broken_headcount_file_shows_its_message(client, tmp_path, make, expected):
    path = tmp_path / "h.csv"
    messages = make(path) or expected
    response = post_plan(client, path.read_bytes())
    assert response.status_code == 422
    shown = text(response)
    assert "校验未通过" in shown and "未进行测算" in shown
    for message in messages:
        assert " ".join(message.split()) in shown, (message, shown[:3000])
    assert str(tmp_path) not in shown and "/tmp" not in shown  # the clerk's file name, never the server's path
    assert not client.app.store.jobs  # nothing computed, nothing kept


def test_a_workbook_problem_names_sheet_and_cell(client, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "人数"
    sheet.append(["year", "region_code", "group", "headcount"])
    for code in XIANYANG_COUNTIES:
        for group in GROUPS:
            sheet.append([2018, code, group, 0])
    sheet["D3"] = 2.5
    stream = io.BytesIO()
    book.save(stream)
    response = post_plan(client, stream.getvalue(), name="县区人数.xlsx")
    assert response.status_code == 422
    assert "县区人数.xlsx:人数!D3 [人数] 人数 '2.5' 应为不小于 0 的整数" in text(response)


def test_a_year_not_in_the_file_and_form_problems(client, tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    response = post_plan(client, open(path, "rb").read(), year="2019")
    assert response.status_code == 422 and "h.csv 中没有 2019 年的人数（文件中的年度：2018）" in text(response)
    response = post_plan(client, open(path, "rb").read(), year="19", advance_rate="150%", policy="nope")
    shown = text(response)
    assert response.status_code == 422
    assert "年度“19”应为四位数，如 2019；留空则测算文件中的全部年度" in shown
    assert "预拨比例“150%”有误：须大于 0 且不超过 100%（如 90%）" in shown and "请从列表中选择政策文件" in shown
    from budget.core.language import use_language

    use_language("en")  # a server started with --lang en: the page is Chinese all the same
    try:
        shown = text(post_plan(client, open(path, "rb").read(), advance_rate="9成"))
    finally:
        use_language("zh")
    assert "预拨比例“9成”有误：'9成' 不是比例（写作 90%、0.9 或 9/10）（如 90%）" in shown


def test_warnings_are_shown_and_the_plan_goes_on(client, tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {"pension_recipients": 10}, counties=["610402", "610426"])
    response = post_plan(client, open(path, "rb").read())
    assert response.status_code == 303
    shown = text(client.get(response.headers["location"]))
    assert "2018年：610404 渭城区, 610422 三原县" in shown


# --- safety ----------------------------------------------------------------------------------------

def test_a_post_without_the_csrf_token_is_refused(client, tmp_path):
    path = write_headcounts(tmp_path / "h.csv", {})
    client.get("/")
    for csrf in ("", "forged"):
        response = client.post("/plan", data={"csrf": csrf, "policy": POLICY},
                               files={"headcounts": ("h.csv", open(path, "rb").read(), "text/csv")})
        assert response.status_code == 403 and "表单已失效" in response.text
    with serve() as other:  # another server's token (another secret) is no good either
        response = client.post("/plan", data={"csrf": token(other), "policy": POLICY},
                               files={"headcounts": ("h.csv", open(path, "rb").read(), "text/csv")})
    assert response.status_code == 403
    assert not client.app.store.jobs


def test_upload_size_and_row_limits(tmp_path):
    with serve(Limits(max_upload_bytes=20_000, max_rows=50)) as small:
        big = b"year,region_code,group,headcount\n" + b"2018,610402,pension_recipients,1\n" * 2000
        response = post_plan(small, big)
        assert response.status_code == 413 and "文件过大" in response.text
        path = write_headcounts(tmp_path / "h.csv", {})  # 118 lines, under 20 kB
        response = post_plan(small, open(path, "rb").read())
        assert response.status_code == 413 and "超过 50 行的上限" in text(response)
        assert not small.app.store.jobs


def test_client_file_names_never_make_paths(client, tmp_path):
    data = open(EXAMPLE, "rb").read()
    response = post_plan(client, data, name="../../../../tmp/evil<b>.csv")
    assert response.status_code == 303
    job = next(iter(client.app.store.jobs.values()))
    assert sorted(p.name for p in job.folder.iterdir()) == ["headcounts.csv", "plan"]
    assert job.folder.parent == client.app.store.root and (job.folder.stat().st_mode & 0o777) == 0o700
    page = client.get(response.headers["location"]).text
    assert "evil&lt;b&gt;.csv" not in page and "evilb.csv" in page  # folders and markup dropped, shown only
    for key in ("../headcounts.csv", "..%2F..%2Fetc%2Fpasswd", "plan.json"):
        assert client.get(f"{response.headers['location']}/files/{key}").status_code == 404


def test_jobs_are_removed_after_the_set_time_and_hosts_are_checked(tmp_path):
    with serve(Limits(keep_seconds=0)) as c:
        response = post_plan(c, open(EXAMPLE, "rb").read())
        folder = next(iter(c.app.store.jobs.values())).folder if c.app.store.jobs else None
        time.sleep(0.01)
        page = c.get(response.headers["location"])
        assert page.status_code == 404 and "已过期" in page.text
        assert folder is None or not folder.exists()
    with serve() as c:
        assert c.get("/", headers={"host": "evil.example:8000"}).status_code == 400  # DNS rebinding
        assert c.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


def test_too_many_at_once_is_a_clear_503(tmp_path):
    with serve(Limits(busy=1, wait=0.01)) as c:
        store = c.app.store
        store.busy.acquire()
        try:
            response = post_plan(c, open(EXAMPLE, "rb").read())
        finally:
            store.busy.release()
        assert response.status_code == 503 and "请过一会儿再提交" in response.text
        assert not store.jobs


def test_a_template_downloaded_from_the_page_filled_in_and_uploaded(client, tmp_path):
    """The clerk's own path: the page's template, filled in (as Excel would save it), uploaded;
    a bad cell is named 县区填报!cell, then the corrected file plans as the CLI does."""
    from openpyxl import load_workbook

    template = client.get("/template", params={"year": "2018", "policy": POLICY}).content
    book = load_workbook(io.BytesIO(template))
    sheet = book["县区填报"]
    ids = [c.value for c in sheet[4]]
    for row in range(5, sheet.max_row + 1):
        for col, gid in enumerate(ids, start=1):
            if gid in GROUPS:
                sheet.cell(row, col).value = 40 if "poor_pension_contributors_" in gid else 100
    bad = sheet.cell(7, ids.index("pension_recipients") + 1)
    bad.value = "十二"
    stream = io.BytesIO()
    book.save(stream)
    response = post_plan(client, stream.getvalue(), name="2018年填报表（已填）.xlsx")
    assert response.status_code == 422
    assert f"2018年填报表（已填）.xlsx:县区填报!{bad.coordinate}" in text(response)
    bad.value = 120
    path = tmp_path / "填报表.xlsx"
    book.save(path)
    response = post_plan(client, path.read_bytes(), name="填报表.xlsx")
    assert response.status_code == 303, text(response)
    out = cli_plan(tmp_path, path, "--no-pdf")
    assert client.get(response.headers["location"] + "/files/allocations").content == (out / "allocations.csv").read_bytes()


def test_a_body_over_the_limit_is_refused_before_it_is_read():
    with serve(Limits(max_upload_bytes=1024)) as small:
        csrf = token(small)
        response = small.post("/plan", data={"csrf": csrf, "policy": POLICY},
                              files={"headcounts": ("h.csv", b"x" * 200_000, "text/csv")})
        assert response.status_code == 413 and "上传的文件过大" in response.text
        assert not small.app.store.jobs


def test_the_serve_command_is_there():
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "127.0.0.1" in result.output


def test_the_progress_note_says_how_many_are_ahead(client):
    import threading

    store = client.app.store
    gate = threading.Event()
    blocker = store.new("plan")
    store.render_later(blocker, gate.wait)  # the one rendering thread is busy
    try:
        response = post_plan(client, open(EXAMPLE, "rb").read())
        page = client.get(response.headers["location"])
        assert "正在生成公文" in page.text and "前面还有 1 份在排队" in page.text
    finally:
        gate.set()
    wait_for_pdfs(client, response.headers["location"])


def test_the_servers_folder_goes_with_the_server(tmp_path):
    """Uploaded headcounts and outputs are the bureau's data: nothing of them stays in the
    temporary folder once the server stops (its lifespan's end), nor at the interpreter's exit
    when a store was never closed."""
    with serve() as c:
        store = c.app.store
        path = write_headcounts(tmp_path / "h.csv", {})
        response = post_plan(c, open(path, "rb").read(), name="h.csv")
        assert response.status_code == 303, response.text
        jobs = [j.folder for j in store.jobs.values()]
        assert jobs and all(any(f.name.startswith("headcounts") for f in folder.iterdir()) for folder in jobs)
    assert not store.root.exists()

    script = ("from budget.web import create_app\n"
              "store = create_app().store\n"
              "job = store.new('plan')\n"
              "(job.folder / 'headcounts.csv').write_text('year,region_code,group,headcount\\n')\n"
              "print(store.root)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    root = Path(done.stdout.strip())
    assert root.name.startswith("budget-web-") and not root.exists()
