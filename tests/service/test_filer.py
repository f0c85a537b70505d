"""Filing through the service ends in the ledger like any other file: the intake records who
uploaded and who signed it and the service's receipt time; a resubmission supersedes; and
the service files on while the nightly writer holds the build warehouse."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest

from orchestration.cli import main
from service.accounts import Accounts
from service.filer import Filer
from tests.helpers import BANK_A, loan, write_csv
from warehouse.home import Home

pytestmark = pytest.mark.integration


@pytest.fixture
def filing_home(scorecard_home, tmp_path) -> Home:
    """A copy of the refreshed six-bank home with two accounts of bank A."""
    home = Home(tmp_path / "home")
    shutil.copytree(scorecard_home.root, home.root)
    accounts = Accounts(home.accounts_db)
    accounts.add("bank-a", "bank", BANK_A)
    accounts.add("bank-a-cfo", "bank", BANK_A)
    return home


def _account(home: Home, name: str):
    return next(a for a in Accounts(home.accounts_db).all() if a.name == name)


def _file(filer: Filer, home: Home, path, sign: bool = True):
    with open(path, "rb") as handle:
        submission = filer.receive(_account(home, "bank-a"), path.name, handle).submission
    if sign and submission.status == "with_warnings":
        filer.acknowledge(submission, _account(home, "bank-a"), "晚报已向人民银行说明")
        submission = filer.store.get(submission.submission_id)
    if sign and submission.signable:
        submission = filer.sign(submission, _account(home, "bank-a-cfo"))
    return submission


def _ledger(home: Home, filing_id: int) -> dict:
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        cursor = con.execute(
            "select status, filed_by, signed_by, signed_at, received_at, file_name "
            "from audit.submissions where filing_id = ?",
            [filing_id],
        )
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    assert len(rows) == 1
    return dict(zip(names, rows[0], strict=True))


def test_the_ledger_records_the_filer_the_signer_and_the_service_receipt_time(
    filing_home, tmp_path
):
    home = filing_home
    filer = Filer(home)
    first = _file(filer, home, write_csv(tmp_path / "对公贷款_202610.csv", [loan()]))
    again = _file(
        filer,
        home,
        write_csv(tmp_path / "对公贷款_202610_更正.csv", [loan(), loan(loan_id="L0002")]),
    )
    bad = _file(filer, home, write_csv(tmp_path / "错.csv", [loan(borrower_uscc="12")]))
    assert (first.signed_by, again.signed_by, bad.status) == (
        "bank-a-cfo",
        "bank-a-cfo",
        "with_errors",
    )

    # Exit 1: a file was rejected (the one with errors), the rest went through.
    assert main(["--home", str(home.root), "refresh"]) == 1

    kept = _ledger(home, first.submission_id)
    # Superseded by the correction, which is the accepted one now.
    assert kept["status"] == "superseded"
    corrected = _ledger(home, again.submission_id)
    assert corrected["status"] == "accepted"
    assert (corrected["filed_by"], corrected["signed_by"]) == ("bank-a", "bank-a-cfo")
    assert corrected["signed_at"] == again.signed_at
    # The receipt time is the service's, when the bytes arrived — not the intake's.
    assert corrected["received_at"] == again.received_at
    assert corrected["file_name"] == "对公贷款_202610_更正.csv"
    rejected = _ledger(home, bad.submission_id)
    assert (rejected["status"], rejected["filed_by"], rejected["signed_by"]) == (
        "rejected",
        "bank-a",
        None,
    )
    # Once published, the receipt says what the warehouse made of it.
    assert filer.ledger_outcome(filer.store.get(again.submission_id))["status"] == "accepted"
    # The inbox is empty again: the intake took every file the service handed over.
    assert not [p for p in home.inbox.rglob("*") if p.is_file()]


def test_the_service_files_on_while_the_nightly_writer_holds_the_build_warehouse(
    filing_home, tmp_path
):
    home = filing_home
    filer = Filer(home)
    # Another process opens the build warehouse for writing and holds the writer lock, as
    # a nightly run does.
    code = textwrap.dedent(f"""
        import time
        from pathlib import Path
        import duckdb
        from warehouse.database import writer_lock
        from warehouse.home import Home
        home = Home(Path({str(home.root)!r}))
        with writer_lock(home):
            con = duckdb.connect(str(home.build_db))
            con.execute("select count(*) from audit.submissions").fetchall()
            print("writing", flush=True)
            time.sleep(600)
    """)
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        with pytest.raises(duckdb.IOException):  # the build warehouse is really held
            duckdb.connect(str(home.build_db), read_only=True)
        signed = _file(filer, home, write_csv(tmp_path / "loans.csv", [loan()]))
        assert signed.signed_by == "bank-a-cfo"
        assert signed.handed_over_at is not None
        assert writer.poll() is None  # the writer never let go
    finally:
        writer.kill()
        writer.wait()

    # A real refresh and uploads at the same time: both finish, and the next intake takes
    # what was signed meanwhile.
    refresh = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "--home", str(home.root), "refresh"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    during = [
        _file(filer, home, write_csv(tmp_path / f"loans_{n}.csv", [loan(loan_id=f"M{n}")]))
        for n in range(3)
    ]
    assert refresh.wait(timeout=900) == 0, refresh.stderr.read()
    assert all(s.handed_over_at for s in during)
    assert main(["--home", str(home.root), "ingest"]) == 0
    statuses = [_ledger(home, s.submission_id)["status"] for s in [signed, *during]]
    # Each correction supersedes the one before; the last is the one accepted.
    assert statuses[-1] == "accepted"
    assert set(statuses[:-1]) == {"superseded"}


def test_a_stopped_service_finishes_its_hand_overs_when_it_starts_again(filing_home, tmp_path):
    home = filing_home
    filer = Filer(home)
    path = write_csv(tmp_path / "loans.csv", [loan()])
    submission = _file(filer, home, path, sign=False)
    filer.acknowledge(submission, _account(home, "bank-a"), "已说明原因，见附函")
    # Signed, then the service stopped before the file reached the inbox.
    filer.store.sign(submission.submission_id, "bank-a-cfo", submission.received_at)
    assert not (home.inbox / "filing-service").exists() or not list(
        (home.inbox / "filing-service").rglob("loans.csv")
    )
    Filer(home).settle()
    handed = home.inbox / "filing-service" / str(submission.submission_id) / "loans.csv"
    assert handed.read_bytes() == path.read_bytes()


def test_a_claim_filed_through_the_service_is_checked_against_the_banks_loans(
    filing_home, tmp_path
):
    """The commission's reporter account files 技改专项贷 claims: the loan a1 of bank A is in
    its accepted files of 2026, but no 技改专项贷; b9 is not there at all. The findings name
    each loan, and the file can be neither signed nor handed over as accepted."""
    from tests.helpers import VALID_USCCS, subsidy_claim

    Accounts(filing_home.accounts_db).add("commission", "reporter", "市经济信息委")
    claims = write_csv(
        tmp_path / "贴息申请_2026.csv",
        [
            subsidy_claim(claim_id="S1", loan_id="a1", enterprise_uscc=VALID_USCCS[0]),
            subsidy_claim(claim_id="S2", loan_id="b9"),
        ],
    )
    filer = Filer(filing_home)
    with open(claims, "rb") as handle:
        submission = filer.receive(
            _account(filing_home, "commission"), claims.name, handle
        ).submission
    assert submission.status == "with_errors" and not submission.signable
    findings = filer.store.findings(submission.submission_id)
    values = {(f["rule_id"], f["value"]) for f in findings.to_dicts()}
    assert values == {
        ("SC-E-021", "a1：—"),
        ("SC-E-020", "b9（C1901150100001，2026）"),
    }
