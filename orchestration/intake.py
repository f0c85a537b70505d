"""Life of a file up to the raw tables (DESIGN §9): ledger → read and normalise → gate →
raw tables, tagged with submission_id. Plain Python; the Dagster ingest asset calls it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from ingest.ledger import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    SUPERSEDED,
    Receipt,
    current_aggregates,
    next_submission_id,
    originals_of,
    receive,
)
from quality.crossfile import GateContext
from quality.gate import Candidate, Gate, GateResult, gate_files
from quality.report import write_findings_report
from quality.rules import RULES_BY_ID, RULESET_VERSION
from warehouse.database import append
from warehouse.home import Home
from warehouse.raw import discard_incoming, ensure_raw, promote, stage

log = logging.getLogger(__name__)

# Files are received and committed in batches of about this many input bytes (each file is
# all-or-nothing either way); within a batch the gate reads them in smaller chunks.
BATCH_BYTES = 4 << 30


@dataclass
class FileOutcome:
    """What happened to one file."""

    submission_id: int
    file_name: str
    status: str
    kind: str | None
    reporter: str | None
    period: date | None
    rows: int
    errors: int
    warnings: int
    duplicate_of: int | None = None


@dataclass
class IntakeReport:
    """What one ingest run did."""

    outcomes: list[FileOutcome] = field(default_factory=list)
    # Seconds spent per step: receive, read, normalise, gate, load.
    seconds: dict[str, float] = field(default_factory=dict)

    def add_seconds(self, step: str, seconds: float) -> None:
        """Account `seconds` to `step`."""
        self.seconds[step] = self.seconds.get(step, 0.0) + seconds

    def count(self, status: str) -> int:
        """Files that ended with `status`."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def rows_loaded(self) -> dict[str, int]:
        """Rows loaded into each raw table."""
        loaded: dict[str, int] = {}
        for o in self.outcomes:
            if o.status == ACCEPTED and o.kind:
                loaded[o.kind] = loaded.get(o.kind, 0) + o.rows
        return loaded


def inbox_files(home: Home) -> list[Path]:
    """Files waiting in the inbox, oldest name first (hidden and partial files skipped)."""
    if not home.inbox.exists():
        return []
    return sorted(
        p for p in home.inbox.rglob("*")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".partial")
    )


def ingest_files(
    paths: Sequence[Path],
    home: Home,
    con: duckdb.DuckDBPyConnection,
    gate: Callable[[], Gate],
    progress: Callable[[str], None] = log.info,
) -> IntakeReport:
    """Take `paths` into the warehouse. Files from the inbox are removed from it once their
    batch has committed; files named elsewhere are copied and left in place."""
    report = IntakeReport()
    seen: dict[str, int] = {}
    batch: list[Path] = []
    size = 0
    total = len(paths)
    done = 0
    for path in paths:
        batch.append(path)
        size += path.stat().st_size
        if size >= BATCH_BYTES:
            done += _ingest_batch(batch, home, con, gate, seen, report, progress, done, total)
            batch, size = [], 0
    if batch:
        _ingest_batch(batch, home, con, gate, seen, report, progress, done, total)
    return report


def _ingest_batch(
    paths: list[Path],
    home: Home,
    con: duckdb.DuckDBPyConnection,
    gate: Callable[[], Gate],
    seen: dict[str, int],
    report: IntakeReport,
    progress: Callable[[str], None],
    done: int,
    total: int,
) -> int:
    clock = time.perf_counter()
    received_at = datetime.now(UTC).replace(tzinfo=None)
    next_id = next_submission_id(con)
    receipts: list[tuple[int, Receipt]] = []
    duplicates: dict[int, int] = {}
    inbox = home.inbox.resolve()
    for offset, path in enumerate(paths):
        from_inbox = inbox in path.resolve().parents
        receipts.append(
            (next_id + offset, receive(path, home.received, received_at, link=from_inbox))
        )
    earlier = originals_of(con, [r.sha256 for _, r in receipts])
    to_gate = []
    for offset, (sid, receipt) in enumerate(receipts):
        original = seen.get(receipt.sha256) or earlier.get(receipt.sha256)
        if original is not None:
            duplicates[sid] = original
            continue
        seen[receipt.sha256] = sid
        to_gate.append((sid, receipt.stored, receipt.source.name))
        position = done + offset + 1
        if total <= 20 or position % max(1, total // 20) == 0 or position == total:
            progress(f"[{position}/{total}] received {receipt.source.name}")
    context = GateContext(
        known=current_aggregates(con),
        submitted_at={sid: r.submitted_at for sid, r in receipts},
    )
    report.add_seconds("receive", time.perf_counter() - clock)
    clock = time.perf_counter()
    # Building the GX suites (the first time in a process) is part of the gate's cost.
    judge = gate() if to_gate else None
    report.add_seconds("gate", time.perf_counter() - clock)
    staged = 0.0

    def stage_chunk(frames: dict[str, pl.DataFrame]) -> None:
        nonlocal staged
        started = time.perf_counter()
        stage(home, frames)
        staged += time.perf_counter() - started

    discard_incoming(home)
    ensure_raw(home)
    batch = gate_files(judge, to_gate, context, on_chunk=stage_chunk)
    for step, seconds in batch.seconds.items():
        report.add_seconds(step, seconds)
    clock = time.perf_counter()
    outcomes = _record(con, home, receipts, batch.candidates, duplicates, batch.result)
    _write_reports(receipts, batch.result)
    report.add_seconds("load", staged + time.perf_counter() - clock)
    for outcome in outcomes:
        if outcome.status != ACCEPTED or total <= 20:
            progress(_describe(outcome))
    for _, receipt in receipts:
        if inbox in receipt.source.resolve().parents:
            receipt.source.unlink(missing_ok=True)
    report.outcomes.extend(outcomes)
    return len(paths)


def _describe(o: FileOutcome) -> str:
    label = {ACCEPTED: "接收 accepted", REJECTED: "拒收 rejected", DUPLICATE: "重复 duplicate"}
    period = o.period.strftime("%Y-%m") if o.period else None
    detail = f"{o.rows} rows" if o.status == ACCEPTED else f"{o.errors} errors"
    if o.status == DUPLICATE:
        detail = f"same bytes as submission #{o.duplicate_of}"
    warn = f", {o.warnings} warnings" if o.warnings else ""
    facts = "; ".join(x for x in (" ".join(x for x in (o.kind, o.reporter, period) if x),
                                  detail + warn) if x)
    return f"#{o.submission_id} {o.file_name}: {label[o.status]} ({facts})"


def _record(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    receipts: list[tuple[int, Receipt]],
    candidates: list[Candidate],
    duplicates: dict[int, int],
    result: GateResult,
) -> list[FileOutcome]:
    """Move accepted files' rows into the raw store, then write the ledger rows, findings and
    aggregates in one transaction. Rows in the store whose submission the ledger does not
    list as accepted are never read, so a crash between the two leaves nothing half-loaded."""
    by_id = {c.submission_id: c for c in candidates}
    facts = {}
    if result.facts is not None:
        facts = {r["submission_id"]: r for r in result.facts.select(
            "submission_id", "bank_code", "period").iter_rows(named=True)}
    ledger_rows, outcomes = [], []
    for sid, receipt in receipts:
        candidate = by_id.get(sid)
        sub = candidate.submission if candidate else None
        verdict = result.verdicts.get(sid)
        status = DUPLICATE if sid in duplicates else ACCEPTED if verdict.accepted else REJECTED
        fact = facts.get(sid, {})
        outcome = FileOutcome(
            submission_id=sid,
            file_name=receipt.source.name,
            status=status,
            kind=sub.kind.name if sub else None,
            reporter=fact.get("bank_code"),
            period=fact.get("period"),
            rows=sub.row_count if sub else 0,
            errors=verdict.errors if verdict else 0,
            warnings=verdict.warnings if verdict else 0,
            duplicate_of=duplicates.get(sid),
        )
        outcomes.append(outcome)
        ledger_rows.append(
            {
                "submission_id": sid,
                "file_name": outcome.file_name,
                "stored_path": str(receipt.stored),
                "sha256": receipt.sha256,
                "size_bytes": receipt.size_bytes,
                "kind": outcome.kind,
                "reporter": outcome.reporter,
                "period": outcome.period,
                "submitted_at": receipt.submitted_at,
                "received_at": receipt.received_at,
                "status": status,
                "row_count": sub.row_count if sub else None,
                "error_count": outcome.errors,
                "warning_count": outcome.warnings,
                "ruleset_version": RULESET_VERSION,
                "duplicate_of": outcome.duplicate_of,
            }
        )
    accepted = [o for o in outcomes if o.status == ACCEPTED]
    for outcome in accepted:
        promote(home, outcome.kind, outcome.submission_id)
    discard_incoming(home)
    ledger = pl.DataFrame(ledger_rows, schema_overrides=_LEDGER_TYPES)
    accepted_ids = [o.submission_id for o in accepted]
    con.execute("begin transaction")
    try:
        append(con, "audit.submissions", ledger)
        append(con, "audit.findings", result.findings)
        append(con, "audit.finding_counts", _counts(result))
        append(con, "audit.file_aggregates",
               result.aggregates.filter(pl.col("submission_id").is_in(accepted_ids)))
        _supersede(con, receipts[0][1].received_at)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return outcomes


def _write_reports(receipts: list[tuple[int, Receipt]], result: GateResult) -> None:
    """A findings report (CSV and XLSX) beside every kept file that has findings."""
    for sid, receipt in receipts:
        verdict = result.verdicts.get(sid)
        if verdict is None or not verdict.rules:
            continue
        findings = result.findings.filter(pl.col("submission_id") == sid)
        write_findings_report(receipt.stored, receipt.source.name, findings, verdict.rules)


def _counts(result: GateResult) -> pl.DataFrame:
    """Every rule's total count per file (findings keep only the first examples)."""
    rows = [
        {"submission_id": sid, "rule_id": rule_id, "severity": RULES_BY_ID[rule_id].severity,
         "occurrences": count}
        for sid, verdict in result.verdicts.items()
        for rule_id, count in verdict.rules.items()
    ]
    return pl.DataFrame(rows, schema={"submission_id": pl.Int64, "rule_id": pl.String,
                                      "severity": pl.String, "occurrences": pl.Int64})


_LEDGER_TYPES = {
    "kind": pl.String, "reporter": pl.String, "period": pl.Date, "row_count": pl.Int64,
    "duplicate_of": pl.Int64,
}


def _supersede(con: duckdb.DuckDBPyConnection, at: datetime) -> None:
    """The newest accepted file for a kind, reporter and period replaces earlier accepted ones;
    the earlier ones are kept, marked superseded."""
    con.execute(
        """
        update audit.submissions as earlier
        set status = ?, superseded_by = latest.submission_id, superseded_at = ?
        from (
            select kind, reporter, period, max(submission_id) as submission_id
            from audit.submissions
            where status = ?
            group by kind, reporter, period
            having count(*) > 1
        ) as latest
        where earlier.status = ?
          and earlier.kind = latest.kind
          and earlier.reporter = latest.reporter
          and earlier.period = latest.period
          and earlier.submission_id < latest.submission_id
        """,
        [SUPERSEDED, at, ACCEPTED, ACCEPTED],
    )
