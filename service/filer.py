"""Filing through the service: keep the upload, check it at once with the gate the intake
uses (built once, warm, in the service's process), record it, and hand signed files — and
files with errors, for the ledger to record their rejection — to the intake the way the
inbox does. The service never opens the build warehouse: it reads what is published and
writes only its own store, the arrival log and the filing log."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import duckdb
import polars as pl

from exports.findings_report import report_paths, write_findings_report
from ingest.limits import ReadLimits
from ingest.reference import load_reference
from orchestration.settings import gate_settings_from_environment, read_limits_from_environment
from quality.crossfile import GateContext, empty_aggregates
from quality.gate import Gate, gate_files
from quality.rules import RULES_BY_ID
from service.accounts import Account
from service.submissions import (
    CLEAN,
    REFUSED,
    WITH_ERRORS,
    WITH_WARNINGS,
    Submission,
    SubmissionError,
    Submissions,
)
from warehouse import arrivals, filings
from warehouse.home import Home
from warehouse.ledger import current_aggregates
from warehouse.raw import loan_lookup
from warehouse.readonly import connect_published
from warehouse.received import stored_path

log = logging.getLogger(__name__)

# Where in the inbox the service puts the files it hands over, one folder per submission so
# two uploads with the same name never meet.
INBOX_FOLDER = "filing-service"
_BLOCK = 1 << 20


class TooLarge(SubmissionError):
    """An upload over the file-size limit (nothing of it is kept)."""


@dataclass(frozen=True)
class Checked:
    """An upload as recorded, and how long its check took."""

    submission: Submission
    seconds: float


class Filer:
    """The service's filing desk for one home: one gate, built once."""

    def __init__(self, home: Home, limits: ReadLimits | None = None):
        self.home = home
        self.store = Submissions(home.submissions_db)
        self.limits = limits or read_limits_from_environment()
        self.reference = load_reference()
        self.gate = Gate(self.reference, gate_settings_from_environment())
        # The gate's suites are not meant for two threads at once; a check is short.
        self._gate_lock = threading.Lock()

    def warm_up(self) -> float:
        """Check a one-line file once so no upload pays the readers' first imports; return
        the seconds it took."""
        clock = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "warm.csv"
            path.write_text("bank_code,period,loan_id\n", encoding="utf-8")
            with self._gate_lock:
                gate_files(self.gate, [(0, path, path.name)], GateContext(), limits=self.limits)
        return time.perf_counter() - clock

    def settle(self) -> None:
        """Finish what a stop interrupted: check uploads kept but never checked, and hand
        over the files that were due to go to the intake."""
        for submission in self.store.unchecked():
            self._check(submission.submission_id, Path(submission.stored_path), submission)
        for submission in self.store.awaiting_hand_over():
            self.hand_over(submission)

    # ------------------------------------------------------------------ upload → findings

    def receive(self, account: Account, file_name: str, stream: BinaryIO) -> Checked:
        """Keep an upload, check it and record its findings; a file with errors is handed
        over at once (the ledger records its rejection), a file for another filer refused."""
        clock = time.perf_counter()
        received_at = arrivals.now()
        name = os.path.basename(file_name.replace("\\", "/")) or "upload"
        staged, sha256, size = self._keep(stream)
        sid = self.store.add(
            account=account.name,
            filer=account.reporter,
            file_name=name,
            stored_path=Path(),  # set once the id names the file
            sha256=sha256,
            size_bytes=size,
            received_at=received_at,
        )
        stored = stored_path(self.home.uploads, sid, name, received_at)
        stored.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, stored)
        self.store.kept(sid, stored)
        submission = self._check(sid, stored, self.store.get(sid))
        return Checked(submission, time.perf_counter() - clock)

    def _keep(self, stream: BinaryIO) -> tuple[Path, str, int]:
        """Copy the upload beside the store, hashing as it goes; refuse it past the limit."""
        folder = self.home.uploads
        folder.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, name = tempfile.mkstemp(dir=folder, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as handle:
                while block := stream.read(_BLOCK):
                    size += len(block)
                    if size > self.limits.max_file_bytes:
                        raise TooLarge(
                            f"文件超过 {self.limits.max_file_bytes:,} 字节的上限",
                            f"the file is over the {self.limits.max_file_bytes:,}-byte limit",
                        )
                    digest.update(block)
                    handle.write(block)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name), digest.hexdigest(), size

    def _check(self, sid: int, stored: Path, submission: Submission) -> Submission:
        known = self._accepted()
        context = GateContext(
            known=known,
            received_at={sid: submission.received_at},
            loans=loan_lookup(self.home, known),
        )
        with self._gate_lock:
            batch = gate_files(
                self.gate, [(sid, stored, submission.file_name)], context, limits=self.limits
            )
        result = batch.result
        verdict = result.verdicts[sid]
        candidate = batch.candidates[0]
        fact = {}
        if result.facts is not None:
            fact = next(iter(result.facts.filter(pl.col("submission_id") == sid).to_dicts()), {})
        reporter = fact.get("bank_code")
        kind = candidate.submission.kind.name if candidate.submission else None
        status = WITH_ERRORS if verdict.errors else WITH_WARNINGS if verdict.warnings else CLEAN
        refusal = None
        if submission.filer is not None and reporter is not None and reporter != submission.filer:
            status = REFUSED
            refusal = (
                f"文件的报送方为 {reporter}，本账户只能报送 {submission.filer} 的数据；"
                "文件已保存，不会转交",
                f"the file is {reporter}'s; this account files only for {submission.filer}. "
                "It is kept and will not be handed over",
            )
        findings = result.findings.filter(pl.col("submission_id") == sid)
        # A clean file's report too: its download says "no findings" rather than 404.
        write_findings_report(stored, submission.file_name, findings, verdict.rules)
        self.store.judged(
            sid,
            status=status,
            kind=kind,
            reporter=reporter,
            period=fact.get("period"),
            row_count=candidate.submission.row_count if candidate.submission else None,
            findings=findings,
            counts={
                rule: (RULES_BY_ID[rule].severity, n) for rule, n in sorted(verdict.rules.items())
            },
            refusal=refusal,
        )
        judged = self.store.get(sid)
        if judged.status == WITH_ERRORS:
            self.hand_over(judged)
        return self.store.get(sid)

    def _accepted(self) -> pl.DataFrame:
        """What the published warehouse has accepted, for the cross-file rules (the build
        warehouse is the nightly writer's: never waited on)."""
        if not self.home.published_db.exists():
            return empty_aggregates()
        try:
            con = connect_published(self.home.published_db)
        except duckdb.Error:
            log.warning("cannot read the published warehouse", exc_info=True)
            return empty_aggregates()
        try:
            return current_aggregates(con)
        except duckdb.Error:
            return empty_aggregates()
        finally:
            con.close()

    # ------------------------------------------------------------- acknowledge, sign, hand over

    def acknowledge(self, submission: Submission, account: Account, justification: str) -> None:
        """`account` explains the submission's warnings."""
        self.store.acknowledge(submission.submission_id, account.name, justification, _now())

    def sign(self, submission: Submission, account: Account) -> Submission:
        """`account` signs; the file goes to the intake."""
        self.store.sign(submission.submission_id, account.name, _now())
        signed = self.store.get(submission.submission_id)
        self.hand_over(signed)
        return self.store.get(submission.submission_id)

    def hand_over(self, submission: Submission) -> None:
        """Note the file's arrival and filer, then put a copy in the inbox — written beside
        its name and renamed, so the intake sees a whole file or none."""
        home = self.home
        arrivals.note(home, submission.sha256, submission.received_at)
        filings.note(
            home,
            submission.sha256,
            filings.Filing(
                submission.submission_id,
                submission.account,
                submission.signed_by,
                submission.signed_at,
            ),
        )
        stored = Path(submission.stored_path)
        folder = home.inbox / INBOX_FOLDER / str(submission.submission_id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / stored.name.split("-", 1)[-1]
        staged = target.with_name(f".{target.name}.partial")
        shutil.copyfile(stored, staged)
        os.replace(staged, target)
        self.store.handed_over(submission.submission_id, _now())

    def report(self, submission: Submission, fmt: str) -> Path | None:
        """The findings report of a submission (csv or xlsx), if it has findings."""
        csv_path, xlsx_path = report_paths(Path(submission.stored_path))
        path = csv_path if fmt == "csv" else xlsx_path
        return path if path.is_file() else None

    def ledger_outcome(self, submission: Submission) -> dict | None:
        """What the published ledger says of the file once the intake took it in."""
        if submission.handed_over_at is None or not self.home.published_db.exists():
            return None
        try:
            con = connect_published(self.home.published_db)
        except duckdb.Error:
            return None
        try:
            row = con.execute(
                "select submission_id, status, received_at, signed_by from audit.submissions "
                "where filing_id = ? order by submission_id desc limit 1",
                [submission.submission_id],
            ).fetchone()
        except duckdb.Error:
            return None
        finally:
            con.close()
        if row is None:
            return None
        return {
            "submission_id": row[0],
            "status": row[1],
            "received_at": row[2].isoformat(timespec="milliseconds") + "Z",
            "signed_by": row[3],
        }


def _now() -> datetime:
    return arrivals.now()
