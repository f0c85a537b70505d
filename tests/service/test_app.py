"""The filing service's API and pages through FastAPI's test client, for every role: a bank
files, sees its findings at once, explains warnings and signs; another bank sees none of it
(404, as for what does not exist); no session, a disabled account or a forged cookie is 401;
a regulator reads everything and files nothing; an operator sees the filing status only."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from service.accounts import Accounts
from service.app import create_app
from tests.helpers import BANK_A, BANK_B, LOAN_HEADERS, LOAN_HEADERS_ZH, bond, loan, write_csv
from warehouse.home import Home

CSRC = "重庆证监局"  # the reporter of the bonds register (contract §3.3)
# Every test here runs on a copy of the refreshed six-bank home: the real Dagster job.
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def service(scorecard_home, tmp_path_factory):
    """A copy of the refreshed six-bank home (published, with its 2026-09 packs), its
    accounts, and the service over it."""
    home = Home(tmp_path_factory.mktemp("service") / "home")
    shutil.copytree(scorecard_home.root, home.root)
    accounts = Accounts(home.accounts_db)
    made = {
        "bank-a": accounts.add("bank-a", "bank", BANK_A),
        "bank-a2": accounts.add("bank-a2", "bank", BANK_A),
        "bank-b": accounts.add("bank-b", "bank", BANK_B),
        "csrc": accounts.add("csrc", "reporter", CSRC),
        "analyst": accounts.add("analyst", "regulator"),
        "ops": accounts.add("ops", "operator"),
        "gone": accounts.add("gone", "bank", BANK_A),
    }
    accounts.disable("gone")
    client = TestClient(create_app(home))
    return home, made, client


def bearer(made, name: str) -> dict:
    return {"Authorization": f"Bearer {made[name].token}"}


def upload(client, made, name: str, path: Path, file_name: str | None = None):
    return client.post(
        "/api/v1/submissions",
        files={"file": (file_name or path.name, path.read_bytes())},
        headers=bearer(made, name),
    )


def warned_loans(tmp_path: Path) -> Path:
    """Bank A's October loans: sound rows, but sent after the due day (LN-W-034), without
    their loan totals (LN-W-033), and 2,000,000 元 of manufacturing against the published
    September's far smaller balance (LN-W-032, checked against what is published): three
    warnings, no error."""
    return write_csv(tmp_path / "对公贷款_202610.csv", [loan(), loan(loan_id="L0002")])


def test_an_upload_answers_201_with_the_receipt_and_the_findings_summary(service, tmp_path):
    home, made, client = service
    path = warned_loans(tmp_path)
    before = datetime.now(UTC).replace(tzinfo=None)
    response = upload(client, made, "bank-a", path)
    after = datetime.now(UTC).replace(tzinfo=None)
    assert response.status_code == 201
    receipt = response.json()
    assert response.headers["location"] == f"/api/v1/submissions/{receipt['submission_id']}"
    assert receipt["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    received = datetime.fromisoformat(receipt["received_at"].removesuffix("Z"))
    assert before <= received <= after  # the server's clock, not the file's
    assert receipt["filed_by"] == "bank-a"
    assert (receipt["kind"], receipt["reporter"], receipt["period"], receipt["rows"]) == (
        "loans",
        BANK_A,
        "2026-10",
        2,
    )
    assert receipt["status"] == "with_warnings"
    assert receipt["findings"]["errors"] == 0
    assert receipt["findings"]["warnings"] == 3
    assert set(receipt["findings"]["rules"]) == {"LN-W-032", "LN-W-033", "LN-W-034"}
    assert receipt["signed_by"] is None
    # Kept under the service's own store, byte for byte.
    kept = list(home.uploads.rglob(f"{receipt['submission_id']}-对公贷款_202610.csv"))
    assert [p.read_bytes() for p in kept] == [path.read_bytes()]


def test_another_bank_gets_404_for_everything_of_it_as_for_what_does_not_exist(service, tmp_path):
    _, made, client = service
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    missing = 10**9
    for target in (sid, missing):
        answers = [
            client.get(f"/api/v1/submissions/{target}", headers=bearer(made, "bank-b")),
            client.get(f"/api/v1/submissions/{target}/findings", headers=bearer(made, "bank-b")),
            client.get(
                f"/api/v1/submissions/{target}/findings?format=xlsx",
                headers=bearer(made, "bank-b"),
            ),
            client.post(
                f"/api/v1/submissions/{target}/acknowledge",
                json={"justification": "not mine to explain"},
                headers=bearer(made, "bank-b"),
            ),
            client.post(f"/api/v1/submissions/{target}/sign", headers=bearer(made, "bank-b")),
        ]
        assert [a.status_code for a in answers] == [404] * 5
        assert {a.json()["error"]["en"] for a in answers} == {"not found"}
    listed = client.get("/api/v1/submissions", headers=bearer(made, "bank-b")).json()
    assert sid not in [s["submission_id"] for s in listed["submissions"]]
    # Bank A's other named user sees it: the scope is the bank, not the person.
    assert (
        client.get(f"/api/v1/submissions/{sid}", headers=bearer(made, "bank-a2")).status_code == 200
    )
    # Nor can bank B download bank A's pack.
    assert (
        client.get(
            f"/api/v1/packs/2026-09?bank={BANK_A}", headers=bearer(made, "bank-b")
        ).status_code
        == 404
    )


def test_no_token_a_wrong_one_a_disabled_account_or_a_forged_cookie_is_401(service, tmp_path):
    home, made, client = service
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    url = f"/api/v1/submissions/{sid}"
    fresh = TestClient(client.app)  # no cookies
    token = made["bank-a"].token
    forged_token = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    answers = {
        "none": fresh.get(url),
        "wrong": fresh.get(url, headers={"Authorization": f"Bearer {forged_token}"}),
        "disabled": fresh.get(url, headers=bearer(made, "gone")),
        "forged cookie": fresh.get(url, cookies={"zr_session": "eyJhIjoiYmFuay1hIn0.forged"}),
    }
    assert {k: a.status_code for k, a in answers.items()} == dict.fromkeys(answers, 401)
    assert "Bearer" in answers["none"].headers["www-authenticate"]
    assert answers["none"].json()["error"]["zh"]
    for path in ("/api/v1/submissions", "/api/v1/filings?period=2026-10"):
        assert fresh.get(path).status_code == 401
    assert fresh.post("/api/v1/submissions", files={"file": ("x.csv", b"a,b\n")}).status_code == 401


def test_warnings_are_explained_by_a_named_user_then_signed_and_the_file_handed_over(
    service, tmp_path
):
    home, made, client = service
    path = warned_loans(tmp_path)
    sid = upload(client, made, "bank-a", path).json()["submission_id"]
    url = f"/api/v1/submissions/{sid}"
    # Not before its warnings are explained, and not with an empty explanation.
    assert client.post(f"{url}/sign", headers=bearer(made, "bank-a")).status_code == 409
    short = client.post(
        f"{url}/acknowledge", json={"justification": " ok "}, headers=bearer(made, "bank-a")
    )
    assert short.status_code == 409
    assert "5" in short.json()["error"]["en"]
    explained = client.post(
        f"{url}/acknowledge",
        json={"justification": "十月数据系统迁移，晚报两周；各项贷款表另行报送"},
        headers=bearer(made, "bank-a"),
    ).json()
    assert explained["acknowledged_by"] == "bank-a"
    assert explained["justification"] == "十月数据系统迁移，晚报两周；各项贷款表另行报送"
    signed = client.post(f"{url}/sign", headers=bearer(made, "bank-a2"))
    assert signed.status_code == 200
    receipt = signed.json()
    assert receipt["signed_by"] == "bank-a2"
    assert receipt["handed_over_at"] is not None
    # Signed once only.
    assert client.post(f"{url}/sign", headers=bearer(made, "bank-a")).status_code == 409
    # In the inbox, whole, under its own name, for the intake.
    handed = home.inbox / "filing-service" / str(sid) / "对公贷款_202610.csv"
    assert handed.read_bytes() == path.read_bytes()


def test_a_file_with_errors_cannot_be_signed_and_goes_to_the_intake_to_be_rejected(
    service, tmp_path
):
    home, made, client = service
    path = write_csv(tmp_path / "bad.csv", [loan(), loan(loan_id="L0002", borrower_uscc="12")])
    receipt = upload(client, made, "bank-a", path).json()
    assert receipt["status"] == "with_errors"
    assert receipt["findings"]["errors"] >= 1
    sid = receipt["submission_id"]
    answer = client.post(f"/api/v1/submissions/{sid}/sign", headers=bearer(made, "bank-a"))
    assert answer.status_code == 409
    assert "errors" in answer.json()["error"]["en"]
    # Handed over unsigned at once: the ledger records its rejection like any other file's.
    assert (home.inbox / "filing-service" / str(sid) / "bad.csv").read_bytes() == path.read_bytes()


def test_a_bank_cannot_file_another_banks_data(service, tmp_path):
    home, made, client = service
    path = write_csv(tmp_path / "b.csv", [loan(bank_code=BANK_B)])
    response = upload(client, made, "bank-a", path)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "refused"
    assert BANK_B in body["refusal"]["en"] and BANK_A in body["refusal"]["en"]
    sid = body["submission_id"]
    # Kept (nothing sent is lost) but never handed over, and never signable.
    assert list(home.uploads.rglob(f"{sid}-b.csv"))
    assert not (home.inbox / "filing-service" / str(sid)).exists()
    assert (
        client.post(f"/api/v1/submissions/{sid}/sign", headers=bearer(made, "bank-a")).status_code
        == 409
    )


def test_findings_download_by_row_in_the_banks_own_column_names(service, tmp_path):
    _, made, client = service
    rows = [loan(), loan(loan_id="L0002", borrower_uscc="12"), loan(loan_id="L0003", currency="")]
    headers = [LOAN_HEADERS_ZH[h] for h in LOAN_HEADERS]
    path = tmp_path / "zh.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row[h] for h in LOAN_HEADERS])
    sid = upload(client, made, "bank-a", path).json()["submission_id"]
    url = f"/api/v1/submissions/{sid}/findings"
    found = client.get(url, headers=bearer(made, "bank-a")).json()["findings"]
    # File-level findings first, then by row: the file's line 3 (the second data row, its
    # header being line 1) has the short USCC, line 4 the missing currency — each named by
    # the bank's own Chinese header.
    assert [(f["rule_id"], f["row_number"], f["column"]) for f in found if f["row_number"]] == [
        ("LN-E-011", 3, "借款人统一社会信用代码"),
        ("LN-E-010", 4, "币种"),
    ]
    assert all(f["row_number"] is None for f in found[:3])

    xlsx = client.get(f"{url}?format=xlsx", headers=bearer(made, "bank-a"))
    assert xlsx.status_code == 200
    assert "zh.csv.findings.xlsx" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    flat = {
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    }
    assert {"借款人统一社会信用代码", "币种"} <= flat

    text = client.get(f"{url}?format=csv", headers=bearer(made, "bank-a")).content
    assert text.startswith(b"\xef\xbb\xbf")  # Excel opens the Chinese correctly
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0][1] == "行号 row"
    assert {"3", "4"} <= {line[1] for line in lines[1:]}
    assert client.get(f"{url}?format=pdf", headers=bearer(made, "bank-a")).status_code == 422


def test_a_reporter_files_its_own_register_and_a_clean_file_signs_without_explanation(
    service, tmp_path
):
    home, made, client = service
    path = write_csv(tmp_path / "债券_202610.csv", [bond()])
    receipt = upload(client, made, "csrc", path).json()
    assert (receipt["kind"], receipt["reporter"], receipt["status"]) == ("bonds", CSRC, "clean")
    sid = receipt["submission_id"]
    signed = client.post(f"/api/v1/submissions/{sid}/sign", headers=bearer(made, "csrc")).json()
    assert signed["signed_by"] == "csrc"
    assert (
        client.get(f"/api/v1/submissions/{sid}", headers=bearer(made, "bank-a")).status_code == 404
    )


def test_a_regulator_reads_every_filer_and_files_nothing(service, tmp_path):
    _, made, client = service
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    reg = bearer(made, "analyst")
    assert client.get(f"/api/v1/submissions/{sid}", headers=reg).status_code == 200
    assert (
        client.get(f"/api/v1/submissions/{sid}/findings?format=xlsx", headers=reg).status_code
        == 200
    )
    listed = client.get("/api/v1/submissions", headers=reg).json()["submissions"]
    assert BANK_A in {s["filer"] for s in listed}
    refused = upload(client, made, "analyst", warned_loans(tmp_path))
    assert refused.status_code == 403
    assert client.post(f"/api/v1/submissions/{sid}/sign", headers=reg).status_code == 403
    assert (
        client.post(
            f"/api/v1/submissions/{sid}/acknowledge",
            json={"justification": "looks fine"},
            headers=reg,
        ).status_code
        == 403
    )


def test_an_operator_sees_the_filing_status_and_no_filings_content(service, tmp_path):
    _, made, client = service
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    ops = bearer(made, "ops")
    assert client.get(f"/api/v1/submissions/{sid}", headers=ops).status_code == 404
    assert client.get(f"/api/v1/submissions/{sid}/findings", headers=ops).status_code == 404
    assert client.get("/api/v1/submissions", headers=ops).status_code == 404
    assert client.get(f"/api/v1/packs/2026-09?bank={BANK_A}", headers=ops).status_code == 404
    assert client.get("/api/v1/filings?period=2026-10", headers=ops).status_code == 200
    assert upload(client, made, "ops", warned_loans(tmp_path)).status_code == 403


def test_filing_status_regulator_sees_every_bank_a_bank_only_its_own(service, tmp_path):
    _, made, client = service
    reg = client.get("/api/v1/filings?period=2026-09", headers=bearer(made, "analyst")).json()
    rows = reg["filings"]
    # The six fixture banks owed loans and loan totals for 2026-09 (tests/helpers.py).
    assert {r["filer"] for r in rows if r["expected"]} >= {BANK_A, BANK_B}
    assert {r["kind"] for r in rows} >= {"loans", "loan_totals"}
    assert reg["as_of_published"] is not None
    own = client.get("/api/v1/filings?period=2026-09", headers=bearer(made, "bank-b")).json()
    assert {r["filer"] for r in own["filings"]} == {BANK_B}
    # October: bank A's signed upload shows as filed in the service, signed, by whom.
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    client.post(
        f"/api/v1/submissions/{sid}/acknowledge",
        json={"justification": "late by agreement with the PBoC office"},
        headers=bearer(made, "bank-a"),
    )
    client.post(f"/api/v1/submissions/{sid}/sign", headers=bearer(made, "bank-a"))
    october = client.get("/api/v1/filings?period=2026-10", headers=bearer(made, "analyst")).json()
    loans_a = [r for r in october["filings"] if (r["filer"], r["kind"]) == (BANK_A, "loans")]
    assert len(loans_a) == 1
    row = loans_a[0]
    assert row["service_submission_id"] == sid
    assert (row["filed"], row["warnings_acknowledged"], row["signed"], row["signed_by"]) == (
        True,
        True,
        True,
        "bank-a",
    )
    bad = client.get("/api/v1/filings?period=2026-13", headers=bearer(made, "analyst"))
    assert bad.status_code == 422
    assert "YYYY-MM" in bad.json()["error"]["en"]


def test_packs_a_bank_its_own_a_regulator_any_and_the_workbook(service):
    home, made, client = service
    own = client.get("/api/v1/packs/2026-09?format=pdf", headers=bearer(made, "bank-a"))
    assert own.status_code == 200
    assert own.content.startswith(b"%PDF")
    assert BANK_A in own.headers["content-disposition"]
    xlsx = client.get("/api/v1/packs/2026-09", headers=bearer(made, "bank-a"))
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    # A bank naming another bank's pack, or a quarter never exported: 404 alike.
    assert (
        client.get(
            f"/api/v1/packs/2026-09?bank={BANK_B}", headers=bearer(made, "bank-a")
        ).status_code
        == 404
    )
    assert client.get("/api/v1/packs/2025-03", headers=bearer(made, "bank-a")).status_code == 404
    reg = bearer(made, "analyst")
    theirs = client.get(f"/api/v1/packs/2026-09?bank={BANK_B}&format=csv", headers=reg)
    assert theirs.status_code == 200 and BANK_B in theirs.headers["content-disposition"]
    assert client.get("/api/v1/packs/2026-09", headers=reg).status_code == 422  # which bank?
    book = client.get("/api/v1/workbook/2026-09", headers=reg)
    assert book.status_code == 200
    assert (
        "监管汇总" in book.headers["content-disposition"]
        or "%E7%9B%91" in book.headers["content-disposition"]
    )
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert client.get("/api/v1/workbook/2026-09", headers=bearer(made, "bank-a")).status_code == 404


# ---------------------------------------------------------------------- pages


def _csrf(page_text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_text).group(1)


def _logged_in(app, made, name: str) -> TestClient:
    browser = TestClient(app)
    page = browser.get("/login")
    answer = browser.post(
        "/login",
        data={"csrf": _csrf(page.text), "name": name, "password": made[name].password, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookie = answer.headers.get_list("set-cookie")
    assert any("zr_session=" in c and "HttpOnly" in c and "SameSite=lax" in c for c in cookie)
    return browser


def test_pages_ask_for_a_login_and_a_form_without_its_token_is_refused(service):
    _, made, client = service
    browser = TestClient(client.app)
    answer = browser.get("/submissions", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    login = browser.get("/login")
    assert "登录" in login.text and "Log in" in login.text
    no_token = browser.post("/login", data={"name": "bank-a", "password": made["bank-a"].password})
    assert no_token.status_code == 403
    assert "form token" in no_token.text
    # A session cookie does not stand in for the form token.
    page = _logged_in(client.app, made, "bank-a")
    assert page.post("/upload", files={"file": ("x.csv", b"a\n")}).status_code == 403


def test_failed_logins_lock_the_name_out_with_429(service):
    _, made, client = service
    browser = TestClient(client.app)
    token = _csrf(browser.get("/login").text)
    codes = [
        browser.post(
            "/login", data={"csrf": token, "name": "bank-b", "password": "nope"}
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401] * 5
    locked = browser.post(
        "/login", data={"csrf": token, "name": "bank-b", "password": made["bank-b"].password}
    )
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "15" in locked.text


def test_a_bank_files_through_the_pages(service, tmp_path):
    home, made, client = service
    browser = _logged_in(client.app, made, "bank-a2")
    form = browser.get("/upload")
    assert "上传" in form.text and "Upload" in form.text
    path = warned_loans(tmp_path)
    answer = browser.post(
        "/upload",
        data={"csrf": _csrf(form.text)},
        files={"file": (path.name, path.read_bytes())},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = browser.get(answer.headers["location"])
    assert "LN-W-034" in page.text and "逾期报送" in page.text and "sent late" in page.text
    sid = int(answer.headers["location"].rsplit("/", 1)[1])
    browser.post(
        f"/submissions/{sid}/acknowledge",
        data={"csrf": _csrf(page.text), "justification": "系统迁移导致晚报"},
    )
    page = browser.get(f"/submissions/{sid}")
    assert "系统迁移导致晚报" in page.text and "签署报送" in page.text
    browser.post(f"/submissions/{sid}/sign", data={"csrf": _csrf(page.text)})
    page = browser.get(f"/submissions/{sid}")
    assert "bank-a2" in page.text and "签署报送" not in page.text
    listing = browser.get("/submissions")
    assert f"/submissions/{sid}" in listing.text
    status = browser.get("/filings?period=2026-10")
    assert status.status_code == 200 and "报送状态" in status.text
    packs = browser.get("/packs")
    assert f"2026-09_{BANK_A}_" in packs.text and f"_{BANK_B}_" not in packs.text


def test_a_malformed_request_is_told_what_is_wrong_in_both_languages(service):
    _, made, client = service
    no_file = client.post("/api/v1/submissions", headers=bearer(made, "bank-a"))
    assert no_file.status_code == 422
    error = no_file.json()["error"]
    assert "file" in error["en"] and "请求" in error["zh"]
    assert client.get("/api/v1/submissions/abc", headers=bearer(made, "bank-a")).status_code == 422


def test_after_login_the_page_goes_only_to_a_path_on_this_site(service):
    _, made, client = service
    browser = TestClient(client.app)
    for target, landing in (
        ("/packs", "/packs"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        page = browser.get("/login")
        answer = browser.post(
            "/login",
            data={
                "csrf": _csrf(page.text),
                "name": "bank-a",
                "password": made["bank-a"].password,
                "next": target,
            },
            follow_redirects=False,
        )
        assert answer.headers["location"] == landing


def test_health_needs_no_account_and_says_whether_anything_is_published(service):
    _, _, client = service
    assert TestClient(client.app).get("/api/v1/health").json() == {"ok": True, "published": True}


def test_the_list_of_submissions_narrows_to_a_month(service, tmp_path):
    _, made, client = service
    sid = upload(client, made, "bank-a", warned_loans(tmp_path)).json()["submission_id"]
    october = client.get("/api/v1/submissions?period=202610", headers=bearer(made, "bank-a"))
    assert sid in [s["submission_id"] for s in october.json()["submissions"]]
    assert {s["period"] for s in october.json()["submissions"]} == {"2026-10"}
    march = client.get("/api/v1/submissions?period=2026-03", headers=bearer(made, "bank-a"))
    assert march.json()["submissions"] == []


def test_a_reset_ends_the_old_token_and_every_session_and_logout_ends_the_page(service):
    home, _, client = service
    accounts = Accounts(home.accounts_db)
    old = accounts.add("bank-a-temp", "bank", BANK_A)
    made = {"bank-a-temp": old}
    browser = _logged_in(client.app, made, "bank-a-temp")
    assert browser.get("/submissions", follow_redirects=False).status_code == 200
    new = accounts.reset("bank-a-temp")
    assert browser.get("/api/v1/submissions").status_code == 401
    assert (
        client.get("/api/v1/submissions", headers={"Authorization": f"Bearer {old.token}"})
    ).status_code == 401
    made["bank-a-temp"] = new
    browser = _logged_in(client.app, made, "bank-a-temp")
    page = browser.get("/submissions")
    browser.post("/logout", data={"csrf": _csrf(page.text)})
    answer = browser.get("/submissions", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
