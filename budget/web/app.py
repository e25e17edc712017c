"""The clerks' web page: template → upload → check → preview → download, and the same for 清算.

It calls the library (the readers, run_plan, run_settlement, the writers) as the CLI does;
nothing here shells out or evaluates input. Plain HTML forms: every step works without
JavaScript; while PDFs render the job page refreshes itself (a meta refresh).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..core.display import UNIT_FEN, UNITS, allocation_quantum
from ..core.language import said
from ..core.policy import parse_share
from ..core.problems import InputError, Problem, Source
from ..core.results import PlanResult, SettlementResult
from ..documents import settlement_notice
from ..outputs import (
    Documents,
    explanation_name,
    notice_name,
    render_documents,
    settings_for,
    settlement_name,
    settlement_notice_name,
    workbook_name,
    write_plan_outputs,
    write_settlement_outputs,
)
from ..plan import plan_csv_format, run_plan
from ..readers.document_settings import read_allocation_unit
from ..readers.policy_reader import read_policy
from ..resources import EXAMPLE_DOCUMENTS, EXAMPLE_HEADCOUNTS, shipped, shipped_policies
from ..settle import run_settlement
from ..writers.atomic import staged
from ..writers.csv_writer import ENCODING_NAMES, ENCODINGS, HEADERS, CsvFormat
from ..writers.pdf import render_html, render_pdf
from ..writers.template import template_bytes
from .jobs import Busy, Download, Job, JobStore, Limits, TooLarge, save_upload, zip_bytes
from .views import plan_view, settlement_view, shown_problems

WEB = shipped("web")
log = logging.getLogger("budget.web")
CSRF_COOKIE = "budget_csrf"
DOCUMENT_CHOICES = {"example": "咸阳市示例公文设置（xianyang-2018，按元分配）", "policy": "按政策文件的默认设置（按分分配）"}
POLICY_NAMES = {"xianyang-2017-303": "咸阳市 咸人社发〔2017〕303号（含陕西省 陕人社发〔2017〕60号）"}


def usable_policies() -> list[str]:
    """The shipped policies that plan on their own (a province file whose pools a city's file
    refines is not one), the named ones first."""
    usable = []
    for name in shipped_policies():
        try:
            read_policy([str(shipped("configs", name + ".yaml"))])
        except InputError:
            continue
        usable.append(name)
    return sorted(usable, key=lambda n: (n not in POLICY_NAMES, n))


def content_disposition(name: str, fallback: str = "download") -> str:
    """``attachment`` with an ASCII fallback (for old browsers) and the UTF-8 name (RFC 5987 / RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class BodyLimit:
    """ASGI middleware: a request body over the limit is answered 413 before it is parsed."""

    def __init__(self, app: Any, limit: int):
        self.app = app
        self.limit = limit
        self.store: JobStore | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise TooLarge()
            return message

        async def watched(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Any, limit: int) -> None:
    body = (f"<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>文件过大</title>"
            f"<p>上传的文件过大：每次最多 {limit // (1024 * 1024)} MB。请检查是否选错了文件，"
            f"或把文件拆分后分次测算。</p><p><a href=\"/\">返回首页</a></p></html>").encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def create_app(limits: Limits | None = None, host: str = "127.0.0.1", port: int = 8000) -> Any:
    """The page's application. ``host``/``port``: where it is served, for the page's hint on
    opening it to the LAN and, on 127.0.0.1, the accepted Host headers (DNS rebinding)."""
    limits = limits or Limits()
    store = JobStore(limits)
    secret = secrets.token_bytes(32)
    templates = Environment(loader=FileSystemLoader(str(WEB / "templates")), autoescape=select_autoescape(["html"]),
                            trim_blocks=True, lstrip_blocks=True)
    policies = usable_policies()
    local = host in ("127.0.0.1", "localhost", "::1")

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        store.close()

    app = FastAPI(title="budget", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if local and request.headers.get("host", "").rsplit(":", 1)[0] not in ("127.0.0.1", "localhost", "[::1]"):
            return HTMLResponse("<p>本服务只接受本机访问 (only http://127.0.0.1)。</p>", status_code=400)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:")
        return response

    def token_for(request: Request) -> tuple[str, str | None]:
        """The form's CSRF token, from the browser's random cookie (a new cookie if it has none)."""
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if not cookie or len(cookie) > 100:
            cookie = fresh = secrets.token_urlsafe(32)
        return hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest(), fresh

    def csrf_ok(request: Request, token: str) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE)
        if not cookie or not token:
            return False
        return hmac.compare_digest(hmac.new(secret, cookie.encode(), hashlib.sha256).hexdigest(), token)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        token, fresh = token_for(request)
        html = templates.get_template(name).render(
            csrf=token, version=__version__, policies=[(p, POLICY_NAMES.get(p, p)) for p in policies], policy_names=POLICY_NAMES,
            documents=DOCUMENT_CHOICES, units=list(UNIT_FEN), csv_encodings=ENCODING_NAMES, host=host, port=port, local=local,
            keep_minutes=limits.keep_seconds // 60, max_mb=limits.max_upload_bytes // (1024 * 1024),
            max_rows=limits.max_rows, **context)
        response = HTMLResponse(html, status_code=status)
        if fresh:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict")
        return response

    def refused(request: Request, title: str, message: str, status: int) -> HTMLResponse:
        return page(request, "message.html", status, title=title, message=message)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return refused(request, "找不到该页面", f"该页面不存在，或该次测算已过期被清除（文件只保留 "
                           f"{limits.keep_seconds // 60} 分钟）。请回到首页重新上传。", 404)
        return refused(request, "请求有误", str(exc.detail), exc.status_code)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return page(request, "index.html", form={"policy": policies[0], "documents": "example", "unit": "元",
                                                  "allocation_unit": "", "year": "", "advance_rate": "",
                                                  "csv_encoding": "utf-8-bom", "csv_headers": "en"})

    @app.get("/static/app.css")
    def css():
        return Response((WEB / "static" / "app.css").read_bytes(), media_type="text/css; charset=utf-8",
                        headers={"Cache-Control": "max-age=3600"})

    @app.get("/template")
    def template(request: Request, year: str = "", policy: str = ""):
        if policy not in policies or not re.fullmatch(r"20\d\d", year):
            return refused(request, "无法生成填报表", "请选择政策文件，并填写四位数的年度（如 2019）。", 422)
        loaded, _ = read_policy([str(shipped("configs", policy + ".yaml"))])
        issuer = loaded.issuer()
        name = f"{issuer.name if issuer else ''}{year}年人数填报表.xlsx"
        return _download(template_bytes(loaded, int(year)), name, f"template-{year}.xlsx")

    @app.get("/example")
    def example():
        return _download(EXAMPLE_HEADCOUNTS.read_bytes(), "咸阳市示例人数（虚构）.csv", EXAMPLE_HEADCOUNTS.name)

    @app.post("/plan")
    async def plan(request: Request, csrf: str = Form(""), policy: str = Form(""), documents: str = Form("example"),
                   year: str = Form(""), unit: str = Form("元"), allocation_unit: str = Form(""),
                   advance_rate: str = Form(""), csv_encoding: str = Form("utf-8-bom"), csv_headers: str = Form("en"),
                   headcounts: UploadFile | None = File(None)):
        form = {"policy": policy, "documents": documents, "year": year.strip(), "unit": unit,
                "allocation_unit": allocation_unit, "advance_rate": advance_rate.strip(),
                "csv_encoding": csv_encoding, "csv_headers": csv_headers}
        if not csrf_ok(request, csrf):
            return refused(request, "表单已失效", "表单已失效（可能打开太久或来自别的网页）。请回到首页重新填写提交。", 403)
        problems = _form_problems(form, policies)
        data = await headcounts.read() if headcounts is not None else b""
        if headcounts is None or not (headcounts.filename or data):  # an empty file goes on: the reader names it
            problems.append(Problem(Source("表单"), said("请选择要上传的填报表或人数文件",
                                                         "choose the form or headcount file to upload")))
        if problems:
            return page(request, "index.html", 422, form=form, problems=shown_problems(problems, {}))
        job = store.new("plan")
        shown_name = _client_name(headcounts.filename if headcounts else None, data)
        try:
            path = save_upload(data, job.folder, "headcounts", limits)
        except TooLarge as exc:
            store.drop(job)
            return refused(request, "文件过大", f"{exc}。请检查是否选错了文件。", 413)
        job.uploaded = {str(path): shown_name}
        job.form = form
        try:
            result, warnings, settings, unit_name = await run_in_threadpool(_computing, store, _plan, job, path, form)
        except Busy:
            store.drop(job)
            return refused(request, "请稍候", "同时测算的人较多，请过一会儿再提交。", 503)
        except InputError as exc:
            store.drop(job)
            count = sum(1 for p in exc.problems if p.severity == "error")
            return page(request, "index.html", 422, form=form, uploaded=shown_name, count=count,
                        problems=shown_problems(exc.problems, job.uploaded))
        except Exception as exc:  # noqa: BLE001 — a bug: said plainly, the job's files removed
            store.drop(job)
            log.exception("plan failed")
            return refused(request, "程序出错", f"测算时程序出错（{type(exc).__name__}），这不是您文件的问题。"
                           "请把本页和所用文件交给技术人员。", 500)
        job.view = {"plan": plan_view(result), "warnings": shown_problems(warnings, job.uploaded),
                    "years": result.years, "issuer": _issuer(result), "samples": _samples(result),
                    "allocation_unit": unit_name,
                    "advance": form["advance_rate"]}
        _plan_downloads(job, result)
        store.render_later(job, lambda: _plan_pdfs(job, result, settings))
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str):
        job = store.get(job_id)
        if job is None or job.kind != "plan":
            raise StarletteHTTPException(404)
        settlements = [s for s in (store.get(i) for i in job.settlements) if s is not None]
        return page(request, "plan.html", job=job, settlements=settlements, waited=int(time.time() - job.pdf_started),
                    ahead=store.ahead(job))

    @app.post("/jobs/{job_id}/settle")
    async def settle(request: Request, job_id: str, csrf: str = Form(""), year: str = Form(""),
                     actual: UploadFile | None = File(None)):
        plan_job = store.get(job_id)
        if plan_job is None or plan_job.kind != "plan":
            raise StarletteHTTPException(404)
        if not csrf_ok(request, csrf):
            return refused(request, "表单已失效", "表单已失效（可能打开太久或来自别的网页）。请刷新页面后重新提交。", 403)
        data = await actual.read() if actual is not None else b""
        problems = []
        if not year.isdigit() or int(year) not in plan_job.view["years"]:
            problems.append(Problem(Source("表单", field="年度"), said("请选择本次预算中的一个年度",
                                                                    "choose one of this budget's years")))
        if actual is None or not (actual.filename or data):
            problems.append(Problem(Source("表单"), said("请选择要上传的实际人数文件",
                                                         "choose the actual headcount file to upload")))
        job = store.new("settlement", parent=plan_job.id)
        shown_name = _client_name(actual.filename if actual else None, data)
        if not problems:
            try:
                path = save_upload(data, job.folder, "actual", limits)
            except TooLarge as exc:
                store.drop(job)
                return refused(request, "文件过大", f"{exc}。请检查是否选错了文件。", 413)
            job.uploaded = {str(path): shown_name} | plan_job.uploaded
            try:
                result, warnings = await run_in_threadpool(_computing, store, _settle, plan_job, job, int(year), path)
            except Busy:
                store.drop(job)
                return refused(request, "请稍候", "同时测算的人较多，请过一会儿再提交。", 503)
            except InputError as exc:
                problems = exc.problems
            except Exception as exc:  # noqa: BLE001 — a bug: said plainly, the job's files removed
                store.drop(job)
                log.exception("settlement failed")
                return refused(request, "程序出错", f"清算时程序出错（{type(exc).__name__}），这不是您文件的问题。"
                               "请把本页和所用文件交给技术人员。", 500)
        if problems:
            store.drop(job)
            settlements = [s for s in (store.get(i) for i in plan_job.settlements) if s is not None]
            return page(request, "plan.html", 422, job=plan_job, settlements=settlements, settle_year=year,
                        settle_problems=shown_problems(problems, job.uploaded), settle_uploaded=shown_name,
                        waited=int(time.time() - plan_job.pdf_started), ahead=store.ahead(plan_job))
        job.view = {"settlement": settlement_view(result), "warnings": shown_problems(warnings, job.uploaded),
                    "year": int(year), "issuer": plan_job.view["issuer"], "uploaded": shown_name}
        plan_job.settlements.append(job.id)
        _settlement_downloads(job, result, plan_job.view["issuer"])
        settings = _settings_path(plan_job.form)
        store.render_later(job, lambda: _settlement_pdf(job, result, settings))
        return RedirectResponse(f"/jobs/{plan_job.id}/settlements/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}/settlements/{settlement_id}", response_class=HTMLResponse)
    def settlement_page(request: Request, job_id: str, settlement_id: str):
        job = store.get(settlement_id)
        if job is None or job.parent != job_id:
            raise StarletteHTTPException(404)
        return page(request, "settlement.html", job=job, plan_id=job_id, waited=int(time.time() - job.pdf_started),
                    ahead=store.ahead(job))

    @app.get("/jobs/{job_id}/files/{key}")
    def download(job_id: str, key: str):
        job = store.get(job_id)
        if job is None:
            raise StarletteHTTPException(404)
        if key == "all":
            files = [(d.stored, job.path(d.stored)) for d in job.downloads.values() if job.path(d.stored).exists()]
            return _download(zip_bytes(files), job.zip_name, f"budget-{job.kind}.zip")
        item = job.downloads.get(key)  # a key the program made: never a path from the request
        if item is None or not job.path(item.stored).exists():
            raise StarletteHTTPException(404)
        return _download(job.path(item.stored).read_bytes(), item.shown, Path(item.stored).name)

    wrapped = BodyLimit(app, limits.max_upload_bytes + 64 * 1024)
    wrapped.store = store  # for the tests and the benchmark
    return wrapped


def _download(data: bytes, name: str, fallback: str) -> Response:
    types = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".pdf": "application/pdf",
             ".csv": "text/csv; charset=utf-8", ".zip": "application/zip", ".txt": "text/plain; charset=utf-8"}
    kind = types.get(Path(name).suffix, "application/octet-stream")
    if Path(name).suffix == ".csv" and not _is_utf8(data):
        kind = "text/csv; charset=gb18030"  # written so on request (--csv-encoding gb18030)
    return Response(data, media_type=kind, headers={"Content-Disposition": content_disposition(name, fallback)})


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _client_name(filename: str | None, data: bytes) -> str:
    """The name the clerk's file had, to be shown only (folders and odd characters dropped)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in "<>\"|?*:")[:120]
    return name or ("上传的工作簿.xlsx" if data.startswith(b"PK") else "上传的文件.csv")


def _form_problems(form: dict[str, str], policies: list[str]) -> list[Problem]:
    problems = []
    if form["policy"] not in policies:
        problems.append(Problem(Source("表单", field="政策文件"), said("请从列表中选择政策文件",
                                                                    "choose a policy from the list")))
    if form["documents"] not in DOCUMENT_CHOICES:
        problems.append(Problem(Source("表单", field="公文设置"), said("请从列表中选择公文设置",
                                                                    "choose document settings from the list")))
    if form["year"] and not re.fullmatch(r"20\d\d", form["year"]):
        problems.append(Problem(Source("表单", field="年度"), said(
            "年度“{year}”应为四位数，如 2019；留空则测算文件中的全部年度",
            "year “{year}” must have four digits, such as 2019; leave it empty for every year of the file", year=form["year"])))
    if form["unit"] not in UNITS:
        problems.append(Problem(Source("表单", field="表格单位"), said("请选择 元 或 万元", "choose 元 or 万元")))
    if form["csv_encoding"] not in ENCODINGS:
        problems.append(Problem(Source("表单", field="CSV 编码"), said("请从列表中选择 CSV 编码", "choose a CSV encoding from "
                                                                     "the list")))
    if form["csv_headers"] not in HEADERS:
        problems.append(Problem(Source("表单", field="CSV 表头"), said("请从列表中选择 CSV 表头", "choose the CSV headers "
                                                                     "from the list")))
    if form["allocation_unit"] and form["allocation_unit"] not in UNIT_FEN:
        problems.append(Problem(Source("表单", field="分配单位"), said("请从列表中选择分配单位",
                                                                    "choose an allocation unit from the list")))
    if form["advance_rate"]:
        try:
            rate = parse_share(form["advance_rate"])
            if not 0 < rate <= 1:
                raise ValueError(said("须大于 0 且不超过 100%", "must be more than 0 and at most 100%"))
        except ValueError as exc:
            problems.append(Problem(Source("表单", field="预拨比例"), said(
                "预拨比例“{rate}”有误：{why}（如 90%）", "advance rate “{rate}” is wrong: {why} (such as 90%)",
                rate=form["advance_rate"], why=exc.args[0] if exc.args else str(exc))))
    return problems


def _settings_path(form: dict[str, str]) -> str | None:
    return str(EXAMPLE_DOCUMENTS) if form["documents"] == "example" else None


def _computing(store: JobStore, work: Any, *args: Any) -> Any:
    """``work(*args)`` in a computing slot (at most ``Limits.busy`` at once), off the event loop."""
    with store.computing():
        return work(*args)


def _plan(job: Job, path: Path, form: dict[str, str]) -> tuple[PlanResult, list[Problem], str | None, str]:
    """Check (nothing is computed unless clean: run_plan raises first), compute, and write the
    plan's folder as ``budget plan --no-pdf`` does; the PDFs follow in the pool."""
    settings = _settings_path(form)
    unit_name = form["allocation_unit"] or (read_allocation_unit(settings) if settings else None) or "分"
    quantum = allocation_quantum(unit_name)
    rate = parse_share(form["advance_rate"]) if form["advance_rate"] else None
    policy = str(shipped("configs", form["policy"] + ".yaml"))
    result, warnings = run_plan([policy], str(path), [int(form["year"])] if form["year"] else None, rate, None, quantum)
    result.files = [replace(f, shown=job.uploaded.get(f.path)) if f.path in job.uploaded else f for f in result.files]
    write_plan_outputs(result, job.path("plan"), form["unit"], None, settings,
                       csv_format=CsvFormat(form["csv_encoding"], form["csv_headers"]))
    return result, warnings, settings, unit_name


def _issuer(result: PlanResult | SettlementResult) -> str:
    issuer = result.policy.issuer()
    return issuer.name if issuer else ""


def _samples(result: PlanResult) -> list[str]:
    return [note for f in result.files if f.is_sample for note in f.notes]


def _plan_downloads(job: Job, result: PlanResult) -> None:
    who = _issuer(result)
    span = f"{result.years[0]}" if len(result.years) == 1 else f"{result.years[0]}-{result.years[-1]}"
    downloads = {}
    for year in result.years:
        downloads[f"workbook-{year}"] = Download(f"plan/{workbook_name(year)}", f"{who}{year}年预算.xlsx",
                                                 f"{year}年预算表（Excel）")
        downloads[f"indicators-{year}"] = Download(f"plan/indicators-{year}.xlsx", f"{who}{year}年指标.xlsx",
                                                   f"{year}年预算指标（Excel，供预算管理一体化系统）")
    downloads["allocations"] = Download("plan/allocations.csv", f"{who}{span}年分配明细.csv", "分配明细 allocations.csv")
    downloads["assumptions"] = Download("plan/assumptions.txt", f"{who}{span}年测算假设.txt", "输入文件与假设清单")
    if result.advance_rate is not None:
        downloads["advances"] = Download("plan/advances.csv", f"{who}{span}年预拨明细.csv", "预拨明细 advances.csv")
    job.downloads = downloads
    job.zip_name = f"{who}{span}年预算全部文件.zip"


def _plan_pdfs(job: Job, result: PlanResult, settings: str | None) -> None:
    files, _ = render_documents(result, Documents(settings))
    with staged(job.path("plan"), keep_earlier=True) as stage:  # beside the plan's files, not instead
        for name, data in files.items():
            stage.write_bytes(name, data)
    who = _issuer(result)
    more = {}
    for year in result.years:
        for draft in (False, True):
            name = notice_name(year, draft)
            if name in files:
                more[f"notice-{year}"] = Download(
                    f"plan/{name}", f"{who}{year}年资金分配通知{'（征求意见稿）' if draft else ''}.pdf",
                    f"{year}年资金分配通知（PDF）" + ("，征求意见稿" if draft else ""))
        more[f"explanation-{year}"] = Download(f"plan/{explanation_name(year)}", f"{who}{year}年测算说明.pdf",
                                               f"{year}年测算说明（PDF）")
    job.downloads = job.downloads | more  # a new dict: a page being rendered keeps iterating the old one


def _settle(plan_job: Job, job: Job, year: int, path: Path) -> tuple[SettlementResult, list[Problem]]:
    """Settle against the plan made on the page (its folder: what it budgeted or advanced)."""
    result, warnings = run_settlement(year, str(plan_job.path("plan")), str(path), None)
    result.files = [replace(f, shown=job.uploaded.get(f.path)) if f.path in job.uploaded else f for f in result.files]
    write_settlement_outputs(result, job.path("settlement"), None, plan_csv_format(plan_job.path("plan")))
    return result, warnings


def _settlement_downloads(job: Job, result: SettlementResult, who: str) -> None:
    year = result.year
    job.downloads = {
        "workbook": Download(f"settlement/{settlement_name(year)}", f"{who}{year}年清算.xlsx", f"{year}年清算表（Excel）"),
        "settlement": Download("settlement/settlement.csv", f"{who}{year}年清算明细.csv", "清算明细 settlement.csv"),
        "transfers": Download("settlement/transfers.csv", f"{who}{year}年补拨收回.csv", "补拨与收回 transfers.csv"),
    }
    job.zip_name = f"{who}{year}年清算全部文件.zip"


def _settlement_pdf(job: Job, result: SettlementResult, settings: str | None) -> None:
    section = settings_for(result, result.year, Documents(settings)).settlement
    rendered = render_pdf(render_html("settlement.html", n=settlement_notice(result, section)))
    name = settlement_notice_name(result.year)
    with staged(job.path("settlement"), keep_earlier=True) as stage:
        stage.write_bytes(name, rendered.pdf)
    job.downloads = job.downloads | {"notice": Download(f"settlement/{name}", f"{job.view['issuer']}{result.year}年清算通知.pdf",
                                                        f"{result.year}年清算通知（PDF）")}

