"""The filing service's submissions: each upload, its findings, who acknowledged its warnings
and who signed it. One owner of `HOME/service/submissions.sqlite`; the uploaded bytes are
kept under `HOME/service/uploads/` and never deleted.

A submission's life (contract §11): uploaded and checked at once → `with_errors`,
`with_warnings` or `clean` (or `refused`: a file for another filer, kept but never handed
over) → warnings acknowledged with a justification → signed → handed to the intake. A file
with errors is handed over unsigned, so the ledger records its rejection like any other."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import polars as pl

from quality.gate import FINDINGS_SCHEMA

WITH_ERRORS, WITH_WARNINGS, CLEAN, REFUSED = "with_errors", "with_warnings", "clean", "refused"
RECEIVED = "received"  # kept, not yet checked
STATUS_LABELS = {
    RECEIVED: ("已收到，检查中", "received: being checked"),
    WITH_ERRORS: ("有错误，不能签署", "with errors: cannot be signed"),
    WITH_WARNINGS: ("有预警，须说明后签署", "with warnings: explain them, then sign"),
    CLEAN: ("通过，待签署", "clean: ready to sign"),
    REFUSED: ("拒收：不是本账户的报送", "refused: not this account's filing"),
    # Stages after the check, as a page shows them (`Submission.stage`).
    "acknowledged": ("预警已说明，待签署", "warnings explained: ready to sign"),
    "signed": ("已签署", "signed"),
}

SCHEMA = """
create table if not exists submissions (
    submission_id integer primary key autoincrement,
    account text not null,
    filer text,
    file_name text not null,
    stored_path text not null,
    sha256 text not null,
    size_bytes integer not null,
    received_at text not null,
    kind text,
    reporter text,
    period text,
    row_count integer,
    errors integer not null,
    warnings integer not null,
    status text not null,
    refusal_zh text,
    refusal_en text,
    acknowledged_by text,
    acknowledged_at text,
    justification text,
    signed_by text,
    signed_at text,
    handed_over_at text
);
create index if not exists submissions_filer on submissions (filer, submission_id);
create table if not exists findings (
    submission_id integer not null,
    rule_id text not null,
    severity text not null,
    row_number integer,
    "column" text,
    value text,
    message_zh text not null,
    message_en text not null
);
create index if not exists findings_submission on findings (submission_id, row_number);
create table if not exists finding_counts (
    submission_id integer not null,
    rule_id text not null,
    severity text not null,
    occurrences integer not null
);
"""


@dataclass(frozen=True)
class Submission:
    """One upload and where it stands."""

    submission_id: int
    account: str  # who uploaded it
    filer: str | None  # the bank or reporter code it belongs to (the account's), None for none
    file_name: str
    stored_path: str
    sha256: str
    size_bytes: int
    received_at: datetime
    kind: str | None
    reporter: str | None  # as the file states it
    period: date | None
    row_count: int | None
    errors: int
    warnings: int
    status: str
    refusal_zh: str | None
    refusal_en: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    justification: str | None
    signed_by: str | None
    signed_at: datetime | None
    handed_over_at: datetime | None

    @property
    def stage(self) -> str:
        """Where it stands for a person: signed, warnings explained, or its check's status."""
        if self.signed_at is not None:
            return "signed"
        if self.acknowledged_at is not None:
            return "acknowledged"
        return self.status

    @property
    def signable(self) -> bool:
        """Clean, or with its warnings acknowledged, and not yet signed."""
        return self.signed_at is None and (
            self.status == CLEAN or (self.status == WITH_WARNINGS and self.acknowledged_at)
        )

    def as_json(self) -> dict:
        """The receipt (contract §11), times in UTC with a Z."""
        status_zh, status_en = STATUS_LABELS[self.status]
        return {
            "submission_id": self.submission_id,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "received_at": _utc(self.received_at),
            "filed_by": self.account,
            "filer": self.filer,
            "kind": self.kind,
            "reporter": self.reporter,
            "period": self.period.strftime("%Y-%m") if self.period else None,
            "rows": self.row_count,
            "status": self.status,
            "status_zh": status_zh,
            "status_en": status_en,
            "refusal": {"zh": self.refusal_zh, "en": self.refusal_en} if self.refusal_zh else None,
            "findings": {"errors": self.errors, "warnings": self.warnings},
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": _utc(self.acknowledged_at),
            "justification": self.justification,
            "signed_by": self.signed_by,
            "signed_at": _utc(self.signed_at),
            "handed_over_at": _utc(self.handed_over_at),
        }


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="milliseconds") + "Z"


_DATES = {"period"}
_TIMES = {"received_at", "acknowledged_at", "signed_at", "handed_over_at"}
_COLUMNS = [f.name for f in fields(Submission)]


def _submission(row: tuple) -> Submission:
    values = dict(zip(_COLUMNS, row, strict=True))
    for name in _DATES:
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    for name in _TIMES:
        values[name] = datetime.fromisoformat(values[name]) if values[name] else None
    return Submission(**values)


class SubmissionError(ValueError):
    """A step the submission cannot take now, in both languages."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class Submissions:
    """The submission store of one home."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    def add(
        self,
        *,
        account: str,
        filer: str | None,
        file_name: str,
        stored_path: Path,
        sha256: str,
        size_bytes: int,
        received_at: datetime,
    ) -> int:
        """Note an upload as it arrives (before it is checked); return its id."""
        with closing(self._connect()) as con:
            cursor = con.execute(
                "insert into submissions (account, filer, file_name, stored_path, sha256, "
                "size_bytes, received_at, errors, warnings, status) "
                "values (?, ?, ?, ?, ?, ?, ?, 0, 0, ?)",
                [
                    account,
                    filer,
                    file_name,
                    str(stored_path),
                    sha256,
                    size_bytes,
                    received_at.isoformat(),
                    RECEIVED,
                ],
            )
            return int(cursor.lastrowid)

    def kept(self, submission_id: int, stored_path: Path) -> None:
        """Where the upload's bytes are kept, once its id has named the file."""
        with closing(self._connect()) as con:
            con.execute(
                "update submissions set stored_path = ? where submission_id = ?",
                [str(stored_path), submission_id],
            )

    def judged(
        self,
        submission_id: int,
        *,
        status: str,
        kind: str | None,
        reporter: str | None,
        period: date | None,
        row_count: int | None,
        findings: pl.DataFrame,
        counts: dict[str, tuple[str, int]],
        refusal: tuple[str, str] | None = None,
    ) -> None:
        """Record a submission's check: its status, facts, findings and every rule's count."""
        errors = sum(n for severity, n in counts.values() if severity == "error")
        warnings = sum(n for severity, n in counts.values() if severity != "error")
        with closing(self._connect()) as con:
            con.execute("begin")
            con.execute(
                "update submissions set status = ?, kind = ?, reporter = ?, period = ?, "
                "row_count = ?, errors = ?, warnings = ?, refusal_zh = ?, refusal_en = ? "
                "where submission_id = ?",
                [
                    status,
                    kind,
                    reporter,
                    period.isoformat() if period else None,
                    row_count,
                    errors,
                    warnings,
                    refusal[0] if refusal else None,
                    refusal[1] if refusal else None,
                    submission_id,
                ],
            )
            con.executemany(
                "insert into findings values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (submission_id, *row[1:])
                    for row in findings.select(list(FINDINGS_SCHEMA)).iter_rows()
                ],
            )
            con.executemany(
                "insert into finding_counts values (?, ?, ?, ?)",
                [(submission_id, rule, sev, n) for rule, (sev, n) in counts.items()],
            )
            con.execute("commit")

    def get(self, submission_id: int) -> Submission | None:
        """One submission, whoever filed it (access is the caller's to check)."""
        with closing(self._connect()) as con:
            row = con.execute(
                f"select {', '.join(_COLUMNS)} from submissions where submission_id = ?",
                [submission_id],
            ).fetchone()
        return None if row is None else _submission(row)

    def listed(
        self, filer: str | None = None, period: date | None = None, every: bool = False
    ) -> list[Submission]:
        """Submissions, newest first: a filer's own, or `every` one."""
        where, params = [], []
        if not every:
            where.append("filer = ?")
            params.append(filer)
        if period is not None:
            where.append("period = ?")
            params.append(period.isoformat())
        clause = f"where {' and '.join(where)}" if where else ""
        with closing(self._connect()) as con:
            rows = con.execute(
                f"select {', '.join(_COLUMNS)} from submissions {clause} "
                "order by submission_id desc",
                params,
            ).fetchall()
        return [_submission(row) for row in rows]

    def findings(self, submission_id: int) -> pl.DataFrame:
        """A submission's findings, by row as the filer sees its file, then rule."""
        with closing(self._connect()) as con:
            rows = con.execute(
                'select submission_id, rule_id, severity, row_number, "column", value, '
                "message_zh, message_en from findings where submission_id = ? "
                "order by row_number nulls first, severity, rule_id",
                [submission_id],
            ).fetchall()
        return pl.DataFrame(rows, schema=FINDINGS_SCHEMA, orient="row")

    def counts(self, submission_id: int) -> dict[str, tuple[str, int]]:
        """Every rule that fired on a submission: its severity and full count."""
        with closing(self._connect()) as con:
            rows = con.execute(
                "select rule_id, severity, occurrences from finding_counts "
                "where submission_id = ? order by severity, rule_id",
                [submission_id],
            ).fetchall()
        return {rule: (severity, n) for rule, severity, n in rows}

    def acknowledge(
        self, submission_id: int, account: str, justification: str, at: datetime
    ) -> None:
        """`account` explains the warnings; only a file with warnings, before it is signed."""
        justification = justification.strip()
        if len(justification) < 5:
            raise SubmissionError(
                "请说明预警的原因（至少 5 个字）",
                "explain the warnings (at least 5 characters)",
            )
        with closing(self._connect()) as con:
            changed = con.execute(
                "update submissions set acknowledged_by = ?, acknowledged_at = ?, "
                "justification = ? where submission_id = ? and status = ? and signed_at is null",
                [account, at.isoformat(), justification[:2000], submission_id, WITH_WARNINGS],
            ).rowcount
        if not changed:
            raise SubmissionError(
                "只有带预警且尚未签署的报送需要说明",
                "only a submission with warnings, not yet signed, takes an acknowledgement",
            )

    def sign(self, submission_id: int, account: str, at: datetime) -> None:
        """`account` signs: a clean file, or one whose warnings were acknowledged."""
        with closing(self._connect()) as con:
            changed = con.execute(
                "update submissions set signed_by = ?, signed_at = ? where submission_id = ? "
                "and signed_at is null and (status = ? or (status = ? and acknowledged_at "
                "is not null))",
                [account, at.isoformat(), submission_id, CLEAN, WITH_WARNINGS],
            ).rowcount
        if not changed:
            raise SubmissionError(
                "不能签署：有错误、预警未说明或已签署",
                "cannot sign: it has errors, its warnings are not acknowledged, or it is signed",
            )

    def handed_over(self, submission_id: int, at: datetime) -> None:
        """The file is in the inbox, for the intake."""
        with closing(self._connect()) as con:
            con.execute(
                "update submissions set handed_over_at = ? where submission_id = ?",
                [at.isoformat(), submission_id],
            )

    def unchecked(self) -> list[Submission]:
        """Uploads kept but never judged (the service stopped while checking them)."""
        with closing(self._connect()) as con:
            rows = con.execute(
                f"select {', '.join(_COLUMNS)} from submissions where status = ?", [RECEIVED]
            ).fetchall()
        return [_submission(row) for row in rows]

    def awaiting_hand_over(self) -> list[Submission]:
        """Signed or erroneous files not yet in the inbox (the service stopped between the
        two steps)."""
        with closing(self._connect()) as con:
            rows = con.execute(
                f"select {', '.join(_COLUMNS)} from submissions where handed_over_at is null "
                "and (signed_at is not null or status = ?)",
                [WITH_ERRORS],
            ).fetchall()
        return [_submission(row) for row in rows]
