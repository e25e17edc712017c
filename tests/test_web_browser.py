"""The web page in a real browser: Debian's Chromium driven by Selenium through the system
chromedriver (no browser downloads). A clerk's whole path — template, upload of the shipped
example, preview, downloads, settlement — and every broken headcount file showing its message.
Screenshots of each step are kept under tests/screenshots/ (ignored by git) for a person to look at."""

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT, XIANYANG
from test_web import (
    _bad_fields,
    _duplicate,
    _misgrouped,
    _missing_group,
    _of_which,
    _raw,
    _region_name,
)
from typer.testing import CliRunner

from budget.cli import app as cli
from budget.readers.policy_reader import read_policy
from budget.resources import EXAMPLE_DOCUMENTS
from budget.writers.template import template_bytes

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"
pytestmark = pytest.mark.skipif(not Path(CHROMEDRIVER).exists() or not Path(CHROMIUM).exists(),
                                reason="Chromium and chromium-driver come with make test (scripts/setup.sh --test)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """uvicorn on 127.0.0.1 and a free port, in a thread."""
    import uvicorn

    from budget.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(port=port), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory, downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False,
                                              "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


class Shots:
    def __init__(self, name: str):
        self.folder = SHOTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0
        print(f"\nscreenshots: {self.folder}")

    def take(self, driver, step: str) -> None:
        self.count += 1
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, max(900, min(height + 140, 6000)))
        driver.save_screenshot(str(self.folder / f"{self.count:02d}-{step}.png"))


def downloaded(folder: Path, name: str, seconds: float = 60) -> Path:
    path = folder / name
    for _ in range(int(seconds * 10)):
        if path.exists() and not (folder / (name + ".crdownload")).exists() and path.stat().st_size:
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded (have: {sorted(p.name for p in folder.iterdir())})")


def actuals(path: Path) -> str:
    """The example's 2018 figures, 10% more in the counties of 6104 0x–2x and 10% fewer elsewhere:
    a settlement with top-ups and claw-backs (an "of which" never exceeds its total: every
    figure of a county is scaled alike and rounded down)."""
    rows = [line for line in Path(EXAMPLE).read_text("utf-8").splitlines() if not line.startswith("#")]
    out = [rows[0]]
    for line in rows[1:]:
        year, code, name, group, count = line.split(",")
        if year == "2018":
            factor = 11 if code < "610430" else 9
            out.append(",".join([year, code, name, group, str(int(count) * factor // 10)]))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return str(path)


def wait_for(driver, css: str, seconds: float = 120):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_a_clerk_goes_from_template_to_notice_and_settlement(server, browser, downloads, tmp_path):
    from selenium.webdriver.common.by import By

    shots = Shots("plan-and-settle")
    browser.get(server + "/")
    assert "下载填报模板" in browser.page_source
    shots.take(browser, "home")

    # 1 下载填报模板
    year = browser.find_element(By.CSS_SELECTOR, "form[action='/template'] input[name=year]")
    year.clear()
    year.send_keys("2018")
    browser.find_element(By.ID, "download-template").click()
    template = downloaded(downloads, "咸阳市2018年人数填报表.xlsx")  # the UTF-8 name of Content-Disposition
    assert template.read_bytes() == template_bytes(read_policy([XIANYANG])[0], 2018)

    # 2–4 上传示例、选择年度和政策、校验
    browser.find_element(By.ID, "headcounts").send_keys(EXAMPLE)
    browser.find_element(By.ID, "year").send_keys("2018")
    shots.take(browser, "upload-filled-in")
    browser.find_element(By.ID, "check").click()
    wait_for(browser, "#summary-2018")
    assert "校验通过" in browser.page_source
    shots.take(browser, "preview-rendering-pdfs")

    # 5 预览 → 6 下载 (the page refreshes itself until the PDFs are there)
    wait_for(browser, "#dl-notice-2018", 180)
    shots.take(browser, "preview-and-downloads")
    for key in ("allocations", "workbook-2018", "notice-2018", "explanation-2018", "all"):
        browser.find_element(By.ID, f"dl-{key}").click()
    got = {name: downloaded(downloads, name) for name in
           ("咸阳市2018年分配明细.csv", "咸阳市2018年预算.xlsx", "咸阳市2018年资金分配通知（征求意见稿）.pdf",
            "咸阳市2018年测算说明.pdf", "咸阳市2018年预算全部文件.zip")}
    out = tmp_path / "cli"
    result = CliRunner().invoke(cli, ["plan", "--headcounts", EXAMPLE, "--policy", XIANYANG, "--documents",
                                      str(EXAMPLE_DOCUMENTS), "--year", "2018", "--out", str(out), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert got["咸阳市2018年分配明细.csv"].read_bytes() == (out / "allocations.csv").read_bytes()
    assert got["咸阳市2018年预算.xlsx"].read_bytes() == (out / "budget-2018.xlsx").read_bytes()
    assert got["咸阳市2018年资金分配通知（征求意见稿）.pdf"].read_bytes().startswith(b"%PDF")

    # 7 清算: actual headcounts against the plan made on the page
    actual = actuals(tmp_path / "实际人数2018.csv")
    browser.find_element(By.ID, "actual").send_keys(actual)
    browser.find_element(By.ID, "settle-check").click()
    wait_for(browser, "#settle-payers")
    assert "清算结果" in browser.page_source and "补拨" in browser.page_source
    wait_for(browser, "#dl-notice", 180)
    shots.take(browser, "settlement")
    browser.find_element(By.ID, "dl-workbook").click()
    downloaded(downloads, "咸阳市2018年清算.xlsx")


@pytest.mark.parametrize("make, expected", [
    (_bad_fields, None), (_duplicate, None), (_of_which, None), (_missing_group, None), (_region_name, None),
    (_misgrouped, None), (_raw(b"year,region,group,headcount\n2018,610402,x,1\n"), ["未知的列名 'region'"]),
    (_raw(b"\x00\x01\x02garbage"), ["含 NUL 字节"])],
                         ids=["bad-fields", "duplicate", "of-which", "missing-group", "region-name", "misgrouped",
                              "unknown-column", "nul"])
def test_each_broken_file_shows_its_message_in_the_browser(server, browser, tmp_path, make, expected, request):
    from selenium.webdriver.common.by import By

    path = tmp_path / "h.csv"
    messages = make(path) or expected
    browser.get(server + "/")
    browser.find_element(By.ID, "headcounts").send_keys(str(path))
    browser.find_element(By.ID, "year").send_keys("2018")
    browser.find_element(By.ID, "check").click()
    problems = wait_for(browser, "#problems")
    shown = " ".join(problems.text.split())
    assert "未进行测算" in shown
    for message in messages:
        assert " ".join(message.split()) in shown, (message, shown)
    shots = Shots(f"errors/{request.node.callspec.id}")
    shots.take(browser, "problems")
