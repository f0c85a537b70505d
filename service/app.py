"""The filing service (contract §11): the JSON API under /api/v1 and the Chinese/English web
pages, over one home. `create_app(home)` builds the gate once, checks a file to warm it, and
finishes whatever a stop interrupted; `zhirong serve` runs it with uvicorn.

Who may do what: a `bank` or `reporter` account files, explains warnings, signs and reads
only its own filer's submissions, findings, filing status and packs; a `regulator` reads
everything and files nothing; an `operator` sees the filing status only. A submission or
pack outside the caller's scope answers 404, exactly as one that does not exist."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile as FormFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from exports.findings_report import report_lines
from exports.formatting import beijing
from exports.packs import FORMATS, workbook_name
from exports.scorecard import month_end
from ingest.kinds import KINDS
from quality.rules import RULES_BY_ID
from service.accounts import Account, Accounts
from service.auth import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Guard, secret_key
from service.filer import Filer
from service.status import STATE_LABELS, filing_status
from service.submissions import STATUS_LABELS, Submission, SubmissionError
from warehouse.home import Home

log = logging.getLogger(__name__)

FILERS = ("bank", "reporter")
READERS = ("regulator",)
# Each kind's Chinese name, as the ingest registry spells it.
KIND_LABELS = {name: kind.zh for name, kind in KINDS.items()}


class Refused(Exception):  # noqa: N818 — an answer to the caller, not a fault
    """An HTTP error with its message in both languages."""

    def __init__(self, status: int, message_zh: str, message_en: str, headers=None):
        super().__init__(message_en)
        self.status = status
        self.message_zh = message_zh
        self.message_en = message_en
        self.headers = headers or {}


def not_found() -> Refused:
    """The one answer for what does not exist and what the caller may not see."""
    return Refused(404, "没有找到", "not found")


def unauthenticated() -> Refused:
    """No valid session or token."""
    return Refused(
        401,
        "请先登录（网页）或提供有效的令牌（API：Authorization: Bearer …）",
        "log in (pages) or send a valid token (API: Authorization: Bearer …)",
        {"WWW-Authenticate": "Bearer"},
    )


@dataclass(frozen=True)
class ServiceSettings:
    """How the service runs: `secure_cookies` behind a TLS proxy (the default in production
    documentation), `warm` to check a file at start-up."""

    secure_cookies: bool = False
    warm: bool = True


def create_app(home: Home, settings: ServiceSettings | None = None) -> FastAPI:
    """The service for `home`."""
    settings = settings or ServiceSettings()
    home.service.mkdir(parents=True, exist_ok=True)
    accounts = Accounts(home.accounts_db)
    guard = Guard(accounts, secret_key(home.service / "secret.key"))
    filer = Filer(home)
    if settings.warm:
        log.info("gate warmed in %.2f s", filer.warm_up())
    filer.settle()
    templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
    templates.env.globals.update(
        beijing=lambda at: beijing(at) if at else "—",
        status_labels=STATUS_LABELS,
        state_labels=STATE_LABELS,
        kind_labels=KIND_LABELS,
        rules=RULES_BY_ID,
    )
    app = FastAPI(
        title="智融 报送服务 Zhirong filing service",
        description="银行与报送方在此报送、查看校验结果、说明预警并签署 / where banks and "
        "reporters file, see findings, explain warnings and sign (contract §11).",
        version="1",
    )
    app.state.filer = filer
    app.state.guard = guard

    # ------------------------------------------------------------------ who is asking
    def api_caller(request: Request) -> Account:
        """The account of an API call: a bearer token, or the page's session (whose changes
        must carry the CSRF token)."""
        account = guard.bearer(request.headers.get("authorization"))
        if account is not None:
            return account
        account = guard.session(request.cookies.get(SESSION_COOKIE))
        if account is None:
            raise unauthenticated()
        if request.method not in ("GET", "HEAD") and not guard.csrf_ok(
            request.cookies.get(CSRF_COOKIE), request.headers.get("x-csrf-token")
        ):
            raise Refused(403, "表单令牌无效，请刷新页面", "the form token is missing or stale")
        return account

    def page_caller(request: Request) -> Account | None:
        return guard.session(request.cookies.get(SESSION_COOKIE))

    async def page_form(request: Request) -> dict:
        """A page's form, once its CSRF token checks out."""
        form = await request.form()
        if not guard.csrf_ok(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
            raise Refused(
                403, "表单令牌无效，请刷新页面再提交", "the form token is missing or stale"
            )
        return form

    def visible(account: Account, submission_id: int) -> Submission:
        """A submission the caller may read; 404 for anything else."""
        submission = filer.store.get(submission_id)
        if submission is None or not _sees(account, submission):
            raise not_found()
        return submission

    def may_file(account: Account) -> None:
        if account.role not in FILERS:
            raise Refused(
                403,
                f"{account.role} 角色不能报送、说明或签署",
                f"a {account.role} account does not file, acknowledge or sign",
            )

    def period_of(text: str | None) -> date:
        try:
            return month_end(text or "")
        except ValueError as exc:
            raise Refused(422, *str(exc).split(" / ", 1)) from None

    # ------------------------------------------------------------------ errors
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"error": {"zh": exc.message_zh, "en": exc.message_en}},
                status_code=exc.status,
                headers=exc.headers,
            )
        if exc.status == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return render(request, "error.html", {"error": exc}, status=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        where = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return await refused(
            request,
            Refused(
                422,
                f"请求不完整或格式不对：{where}",
                f"the request is incomplete or malformed: {where}",
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        zh = {404: "没有找到", 405: "不支持此方法"}.get(exc.status_code, "请求无效")
        return await refused(request, Refused(exc.status_code, zh, str(exc.detail)))

    def render(request: Request, template: str, context: dict, status: int = 200) -> Response:
        token = request.cookies.get(CSRF_COOKIE)
        fresh = not guard.csrf_ok(token, token)
        if fresh:
            token = guard.new_csrf()
        response = templates.TemplateResponse(
            request,
            template,
            {"csrf": token, "account": page_caller(request), **context},
            status_code=status,
        )
        if fresh:
            _cookie(response, CSRF_COOKIE, token, settings.secure_cookies)
        return response

    # ------------------------------------------------------------------ API
    @app.get("/api/v1/health")
    def health() -> dict:
        """Up, and whether a warehouse is published (no account needed: for the proxy)."""
        return {"ok": True, "published": home.published_db.exists()}

    @app.post("/api/v1/submissions", status_code=201)
    def upload(request: Request, file: Annotated[UploadFile, File()]) -> JSONResponse:
        """Upload one file: 201 with the receipt and the findings summary, at once."""
        account = api_caller(request)
        may_file(account)
        checked = receive(account, file)
        submission = checked.submission
        body = _receipt(submission, filer)
        body["checked_in_seconds"] = round(checked.seconds, 3)
        status = 422 if submission.status == "refused" else 201
        return JSONResponse(
            body,
            status_code=status,
            headers={"Location": f"/api/v1/submissions/{submission.submission_id}"},
        )

    def receive(account: Account, file: FormFile):
        try:
            return filer.receive(account, file.filename or "upload", file.file)
        except SubmissionError as exc:
            raise Refused(413, exc.message_zh, exc.message_en) from None

    @app.get("/api/v1/submissions")
    def submissions(request: Request, period: str | None = None) -> dict:
        """The caller's submissions, newest first (a regulator's: every filer's)."""
        account = api_caller(request)
        if account.role not in FILERS + READERS:
            raise not_found()
        month = period_of(period) if period else None
        listed = filer.store.listed(account.reporter, month, every=account.role in READERS)
        return {"submissions": [s.as_json() for s in listed]}

    @app.get("/api/v1/submissions/{submission_id}")
    def submission(request: Request, submission_id: int) -> dict:
        """One receipt, with what the ledger made of the file once it was taken in."""
        account = api_caller(request)
        return _receipt(visible(account, submission_id), filer)

    @app.get("/api/v1/submissions/{submission_id}/findings")
    def findings(request: Request, submission_id: int, format: str = "json") -> Response:  # noqa: A002
        """The findings, by row as the filer sees its file: JSON, CSV or XLSX."""
        account = api_caller(request)
        found = visible(account, submission_id)
        if format == "json":
            counts = filer.store.counts(submission_id)
            return JSONResponse(
                {
                    "submission_id": submission_id,
                    "rules": [
                        {
                            "rule_id": rule,
                            "severity": severity,
                            "occurrences": n,
                            "checks_zh": RULES_BY_ID[rule].checks_zh,
                            "checks_en": RULES_BY_ID[rule].checks_en,
                        }
                        for rule, (severity, n) in counts.items()
                    ],
                    "findings": filer.store.findings(submission_id)
                    .drop("submission_id")
                    .to_dicts(),
                }
            )
        if format not in ("csv", "xlsx"):
            raise Refused(422, "格式应为 json、csv 或 xlsx", "format must be json, csv or xlsx")
        path = filer.report(found, format)
        if path is None:
            raise not_found()  # an upload still being checked
        return _download(path, f"{found.file_name}.findings.{format}")

    @app.post("/api/v1/submissions/{submission_id}/acknowledge")
    async def acknowledge(request: Request, submission_id: int) -> dict:
        """A named user explains the warnings (`justification`, form or JSON)."""
        account = api_caller(request)
        found = visible(account, submission_id)
        may_file(account)
        if request.headers.get("content-type", "").startswith("application/json"):
            justification = (await request.json()).get("justification", "")
        else:
            justification = (await request.form()).get("justification", "")
        step(lambda: filer.acknowledge(found, account, str(justification)))
        return _receipt(filer.store.get(submission_id), filer)

    @app.post("/api/v1/submissions/{submission_id}/sign")
    def sign(request: Request, submission_id: int) -> dict:
        """A named user signs; the file goes to the warehouse's intake."""
        account = api_caller(request)
        found = visible(account, submission_id)
        may_file(account)
        step(lambda: filer.sign(found, account))
        return _receipt(filer.store.get(submission_id), filer)

    def step(action: Callable[[], object]) -> None:
        try:
            action()
        except SubmissionError as exc:
            raise Refused(409, exc.message_zh, exc.message_en) from None

    @app.get("/api/v1/filings")
    def filings(request: Request, period: str | None = None) -> dict:
        """Filing status of a month: the caller's own, or every filer's for a regulator or
        an operator."""
        account = api_caller(request)
        month = period_of(period)
        rows, published_at = filing_status(
            home, filer.store, month, None if account.reporter is None else account.reporter
        )
        return {
            "period": f"{month:%Y-%m}",
            "as_of_published": published_at and published_at.isoformat() + "Z",
            "filings": [row.as_json() for row in rows],
        }

    @app.get("/api/v1/packs/{period}")
    def pack(request: Request, period: str, bank: str | None = None, format: str = "xlsx"):  # noqa: A002
        """A bank's scorecard pack (xlsx, pdf or csv): its own, or any for a regulator."""
        account = api_caller(request)
        code = _pack_bank(account, bank)
        if format not in FORMATS:
            raise Refused(422, "格式应为 xlsx、pdf 或 csv", "format must be xlsx, pdf or csv")
        path = _pack_path(home, period_of(period), code, format)
        if path is None:
            raise not_found()
        return _download(path, path.name)

    @app.get("/api/v1/workbook/{period}")
    def workbook(request: Request, period: str):
        """The regulator workbook of a quarter (regulators only)."""
        account = api_caller(request)
        if account.role not in READERS:
            raise not_found()
        month = period_of(period)
        path = home.exports / f"{month:%Y-%m}" / workbook_name(month)
        if not path.is_file():
            raise not_found()
        return _download(path, path.name)

    # ------------------------------------------------------------------ pages
    @app.get("/login")
    def login_page(request: Request, next: str = "/"):  # noqa: A002
        return render(request, "login.html", {"next": _local(next), "failed": False})

    @app.post("/login")
    async def login(request: Request):
        form = await page_form(request)
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        address = request.client.host if request.client else "?"
        target = _local(str(form.get("next") or "/"))
        if guard.address_blocked(address) or accounts.locked_out(name):
            response = render(
                request, "login.html", {"next": target, "failed": "locked"}, status=429
            )
            response.headers["Retry-After"] = "900"
            return response
        account = accounts.by_password(name, password)
        if account is None:
            guard.failed_login(address)
            return render(request, "login.html", {"next": target, "failed": True}, status=401)
        response = RedirectResponse(target, status_code=303)
        _cookie(response, SESSION_COOKIE, guard.open_session(account), settings.secure_cookies)
        # A new form token with the new session.
        _cookie(response, CSRF_COOKIE, guard.new_csrf(), settings.secure_cookies)
        return response

    @app.post("/logout")
    async def logout(request: Request):
        await page_form(request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def signed_in(request: Request) -> Account:
        account = page_caller(request)
        if account is None:
            raise unauthenticated()
        return account

    @app.get("/")
    def home_page(request: Request):
        account = signed_in(request)
        return RedirectResponse(
            "/submissions" if account.role in FILERS + READERS else "/filings", status_code=303
        )

    @app.get("/upload")
    def upload_page(request: Request):
        account = signed_in(request)
        may_file(account)
        return render(request, "upload.html", {})

    @app.post("/upload")
    async def upload_form(request: Request):
        account = signed_in(request)
        form = await page_form(request)
        may_file(account)
        file = form.get("file")
        if not isinstance(file, FormFile) or not file.filename:
            raise Refused(422, "请选择要报送的文件", "choose a file to upload")
        checked = receive(account, file)
        return RedirectResponse(f"/submissions/{checked.submission.submission_id}", 303)

    @app.get("/submissions")
    def submissions_page(request: Request):
        account = signed_in(request)
        if account.role not in FILERS + READERS:
            raise not_found()
        listed = filer.store.listed(account.reporter, every=account.role in READERS)
        return render(request, "submissions.html", {"submissions": listed})

    @app.get("/submissions/{submission_id}")
    def submission_page(request: Request, submission_id: int):
        account = signed_in(request)
        found = visible(account, submission_id)
        lines = report_lines(
            found.file_name,
            filer.store.findings(submission_id),
            {rule: n for rule, (_, n) in filer.store.counts(submission_id).items()},
        ).sort(["row_number", "severity", "rule_id"], nulls_last=False)
        return render(
            request,
            "submission.html",
            {
                "s": found,
                "counts": filer.store.counts(submission_id),
                "lines": lines.to_dicts(),
                "may_file": account.role in FILERS,
                "ledger": filer.ledger_outcome(found),
            },
        )

    @app.post("/submissions/{submission_id}/acknowledge")
    async def acknowledge_form(request: Request, submission_id: int):
        account = signed_in(request)
        form = await page_form(request)
        found = visible(account, submission_id)
        may_file(account)
        step(lambda: filer.acknowledge(found, account, str(form.get("justification", ""))))
        return RedirectResponse(f"/submissions/{submission_id}", status_code=303)

    @app.post("/submissions/{submission_id}/sign")
    async def sign_form(request: Request, submission_id: int):
        account = signed_in(request)
        await page_form(request)
        found = visible(account, submission_id)
        may_file(account)
        step(lambda: filer.sign(found, account))
        return RedirectResponse(f"/submissions/{submission_id}", status_code=303)

    @app.get("/filings")
    def filings_page(request: Request, period: str | None = None):
        account = signed_in(request)
        month = period_of(period) if period else _latest_month(filer, account)
        rows, published_at = filing_status(home, filer.store, month, account.reporter)
        return render(
            request,
            "filings.html",
            {"period": month, "rows": rows, "published_at": published_at},
        )

    @app.get("/packs")
    def packs_page(request: Request, bank: str | None = None):
        account = signed_in(request)
        code = _pack_bank(account, bank) if (bank or account.role == "bank") else None
        return render(
            request,
            "packs.html",
            {"packs": _packs(home, account, code), "bank": code},
        )

    return app


# ---------------------------------------------------------------------- helpers


def _sees(account: Account, submission: Submission) -> bool:
    if account.role in READERS:
        return True
    return account.role in FILERS and submission.filer == account.reporter


def _receipt(submission: Submission, filer: Filer) -> dict:
    body = submission.as_json()
    body["findings"]["rules"] = {
        rule: {"severity": severity, "occurrences": n}
        for rule, (severity, n) in filer.store.counts(submission.submission_id).items()
    }
    body["ledger"] = filer.ledger_outcome(submission)
    return body


def _pack_bank(account: Account, bank: str | None) -> str:
    """Whose pack the caller asks for: a bank its own, a regulator any named one."""
    if account.role == "bank":
        if bank not in (None, account.reporter):
            raise not_found()
        return account.reporter
    if account.role in READERS and bank:
        return bank
    if account.role in READERS:
        raise Refused(422, "请用 ?bank= 指定银行", "name the bank with ?bank=")
    raise not_found()


def _pack_path(home: Home, period: date, code: str, fmt: str) -> Path | None:
    """The pack file of a bank and quarter, if it was exported."""
    # Named by exports.packs.pack_stem: period, bank code, bank name.
    found = sorted(
        (home.exports / f"{period:%Y-%m}").glob(f"{period:%Y-%m}_{code}_*_督导评价.{fmt}")
    )
    return found[0] if found else None


def _packs(home: Home, account: Account, code: str | None) -> list[dict]:
    """The packs and workbooks the caller may download, newest quarter first."""
    if account.role not in ("bank",) + READERS:
        return []
    shown = []
    for folder in sorted((p for p in home.exports.glob("????-??") if p.is_dir()), reverse=True):
        period = folder.name
        if code:
            files = sorted(folder.glob(f"{period}_{code}_*_督导评价.*"))
        else:
            files = (
                sorted(folder.glob(f"{period}_*_督导评价.xlsx")) if account.role in READERS else []
            )
        for path in files:
            bank = path.name.split("_")[1]
            fmt = path.suffix[1:]
            shown.append(
                {
                    "period": period,
                    "name": path.name,
                    "url": f"/api/v1/packs/{period}?bank={bank}&format={fmt}",
                }
            )
        if account.role in READERS and (folder / f"{period}_督导评价_监管汇总.xlsx").is_file():
            shown.append(
                {
                    "period": period,
                    "name": f"{period}_督导评价_监管汇总.xlsx",
                    "url": f"/api/v1/workbook/{period}",
                }
            )
    return shown


def _latest_month(filer: Filer, account: Account) -> date:
    """The month a status page opens on: the caller's latest filing, else last month."""
    listed = filer.store.listed(account.reporter, every=account.reporter is None)
    periods = [s.period for s in listed if s.period]
    if periods:
        return max(periods)
    today = date.today().replace(day=1)
    return month_end(f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}")


def _download(path: Path, name: str) -> FileResponse:
    return FileResponse(path, filename=name)


def _local(target: str) -> str:
    """Only a path on this site to go to after login (never another host)."""
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target
    return target if local else "/"


def _cookie(response: Response, name: str, value: str, secure: bool) -> None:
    response.set_cookie(
        name,
        value,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
