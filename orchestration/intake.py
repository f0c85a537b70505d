"""Life of a file up to the raw store (contract §9): claim → keep → read and normalise →
gate → stage → ledger commit → into the store → findings report. Plain Python; the Dagster
ingest asset calls it.

Each file's bytes are kept and its fate written to the ledger whatever it holds: a file
that cannot be read — a limit, a link, an exception in a parser — is rejected with its
reason like any other, and leaves the inbox. The commits are ordered so that a crash at
any point is settled by `orchestration.recovery` (see `warehouse.ledger`)."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from exports.findings_report import write_findings_report
from ingest.batches import Candidate, unexpected_failure
from ingest.limits import ReadLimits
from orchestration.recovery import settle
from quality.crossfile import GateContext
from quality.gate import FINDINGS_SCHEMA, Gate, GateResult, Verdict, gate_files
from quality.rules import RULES_BY_ID, RULESET_VERSION
from warehouse import arrivals, filings, ledger, raw
from warehouse.faults import crash_point
from warehouse.home import Home
from warehouse.ledger import ACCEPTED, DUPLICATE, REJECTED, Claim
from warehouse.received import (
    COPY_THEN_REMOVE,
    Receipt,
    fingerprint,
    how_to_keep,
    keep,
    stored_path,
)

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
    # Files that could not even be kept (left where they are, with the reason).
    left_in_place: list[tuple[Path, str]] = field(default_factory=list)
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
    """Entries waiting in the inbox, oldest name first: files, and links or other special
    entries (to be refused and kept, never followed). Hidden and `.partial` names are
    skipped (a transfer still in progress); folders are searched, links to folders not."""
    if not home.inbox.is_dir():
        return []
    found: list[Path] = []
    folders = [home.inbox]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name.endswith(".partial"):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            else:
                found.append(Path(entry.path))
    return sorted(found)


def settled_inbox(home: Home, settle_seconds: float) -> tuple[list[Path], str] | None:
    """The inbox's entries and a fingerprint of them (names, sizes, modification times) once
    the newest has been left alone for `settle_seconds`; None while it is empty or a file
    may still be arriving."""
    files = inbox_files(home)
    try:
        # lstat: a link in the inbox is taken (and refused) as itself, never followed.
        stats = [f.lstat() for f in files]
    except FileNotFoundError:
        return None  # a file went while we looked: look again next time
    if not files or time.time() - max(s.st_mtime for s in stats) < settle_seconds:
        return None
    fingerprint = hashlib.sha256(
        "\n".join(
            f"{f}:{s.st_size}:{s.st_mtime_ns}" for f, s in zip(files, stats, strict=True)
        ).encode()
    ).hexdigest()
    return files, fingerprint


def ingest_files(
    paths: Sequence[Path],
    home: Home,
    con: duckdb.DuckDBPyConnection,
    gate: Callable[[], Gate],
    progress: Callable[[str], None] = log.info,
    limits: ReadLimits | None = None,
    run_id: str | None = None,
) -> IntakeReport:
    """Take `paths` into the warehouse. Inbox entries are moved into the received store;
    files named elsewhere are copied and left in place."""
    intake = _Intake(home, con, gate, progress, limits or ReadLimits(), run_id, len(paths))
    batch: list[Path] = []
    size = 0
    for path in paths:
        batch.append(path)
        size += _size(path)
        if size >= BATCH_BYTES:
            intake.take(batch)
            batch, size = [], 0
    if batch:
        intake.take(batch)
    return intake.report


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


@dataclass
class _Intake:
    """One ingest run's state across its batches."""

    home: Home
    con: duckdb.DuckDBPyConnection
    gate: Callable[[], Gate]
    progress: Callable[[str], None]
    limits: ReadLimits
    run_id: str | None
    total: int
    report: IntakeReport = field(default_factory=IntakeReport)
    seen: dict[str, int] = field(default_factory=dict)
    done: int = 0

    def take(self, paths: list[Path]) -> None:
        """Take a batch. Should anything fail before its verdicts are committed — a fault no
        single file's reading caught — the batch is undone (recovery puts its files back)
        and its files are taken one at a time, so only the file at fault is rejected."""
        committed: list[bool] = []
        seen = dict(self.seen)
        try:
            self._batch(paths, committed)
        except Exception as exc:  # noqa: BLE001 — isolate the file at fault below
            if committed:
                raise
            self.seen = seen
            log.debug("a batch failed", exc_info=True)
            self.progress(
                f"这批文件处理失败，逐个重试 / a batch failed ({_error(exc)}); "
                "taking its files one at a time"
            )
            settle(self.home, self.con)
            for path in paths:
                self._alone(path)
        self.done += len(paths)

    def _alone(self, path: Path) -> None:
        committed: list[bool] = []
        seen = dict(self.seen)
        try:
            self._batch([path], committed)
        except Exception as exc:  # noqa: BLE001 — this file is the one at fault
            if committed:
                raise
            self.seen = seen
            log.debug("taking %s failed", path, exc_info=True)
            settle(self.home, self.con)
            self._reject_unprocessable(path, exc)

    def _reject_unprocessable(self, path: Path, exc: Exception) -> None:
        """Keep and record a file nothing could process, rejected with the error (FL-E-012)."""
        received_at = datetime.now(UTC).replace(tzinfo=None)
        claims = self._claim([path], received_at)
        receipts, held = _keep_all(self.con, self.home, claims, received_at, self.report)
        if not receipts:
            return
        receipt = receipts[0]
        reason = unexpected_failure(exc)
        rule = RULES_BY_ID[reason.rule_id]
        sid = receipt.submission_id
        findings = pl.DataFrame(
            [
                {
                    "submission_id": sid,
                    "rule_id": rule.rule_id,
                    "severity": rule.severity,
                    "row_number": None,
                    "column": None,
                    "value": None,
                    "message_zh": reason.message_zh,
                    "message_en": reason.message_en,
                }
            ],
            schema=FINDINGS_SCHEMA,
        )
        verdict = Verdict(sid, errors=1, rules={rule.rule_id: 1})
        result = GateResult({sid: verdict}, findings)
        outcomes = _record(self.con, self.home, receipts, [], {}, result, held, self.run_id)
        _write_reports(receipts, result)
        _remove_copied_originals(self.con, held)
        for outcome in outcomes:
            self.progress(_describe(outcome))
        self.report.outcomes.extend(outcomes)

    def _claim(self, paths: list[Path], received_at: datetime) -> list[Claim]:
        home = self.home
        return ledger.reserve(
            self.con,
            [(path, how_to_keep(path, home.inbox)) for path in paths],
            lambda sid, path: stored_path(home.received, sid, path.name, received_at),
            received_at,
            self.run_id,
            floor=raw.highest_id(home) + 1,
        )

    def _batch(self, paths: list[Path], committed: list[bool]) -> None:
        home, con, report, progress = self.home, self.con, self.report, self.progress
        clock = time.perf_counter()
        received_at = datetime.now(UTC).replace(tzinfo=None)
        claims = self._claim(paths, received_at)
        crash_point("claimed")
        receipts, held = _keep_all(con, home, claims, received_at, report)
        crash_point("received")
        earlier = ledger.originals_of(con, [r.sha256 for r in receipts])
        duplicates: dict[int, int] = {}
        to_gate = []
        for offset, receipt in enumerate(receipts):
            original = self.seen.get(receipt.sha256) or earlier.get(receipt.sha256)
            if original is not None:
                duplicates[receipt.submission_id] = original
                continue
            self.seen[receipt.sha256] = receipt.submission_id
            to_gate.append((receipt.submission_id, receipt.stored, receipt.name))
            position = self.done + offset + 1
            if self._worth_telling(position):
                progress(f"[{position}/{self.total}] 收到 received {_shown(receipt.name)}")
        known = ledger.current_aggregates(con)
        # Each chunk's rows are written while the gate judges the next.
        stager = raw.Stager(home)
        context = GateContext(
            known=known,
            received_at={r.submission_id: r.received_at for r in receipts},
            # A claim may name a loan whose file arrived in this very batch (staged).
            loans=raw.loan_lookup(home, known, staged=True, stager=stager),
        )
        report.add_seconds("receive", time.perf_counter() - clock)
        raw.ensure_raw(home)
        positions = {
            sid: self.done + n for n, sid in enumerate((r.submission_id for r in receipts), start=1)
        }

        def checked(candidate) -> None:
            # A small intake is quick: its received and outcome lines say enough.
            position = positions[candidate.submission_id]
            if self.total > 20 and self._worth_telling(position):
                rows = candidate.submission.row_count if candidate.submission else 0
                progress(
                    f"[{position}/{self.total}] 已检查 checked {_shown(candidate.file_name)}"
                    f" ({rows:,} rows)"
                )

        # The gate is made (GX imported, the first time in a process) while the first files
        # are read, and counted in the gate's time.
        try:
            batch = gate_files(
                self.gate,
                to_gate,
                context,
                on_chunk=stager.submit,
                limits=self.limits,
                on_file=checked,
            )
        except BaseException:
            stager.finish(quietly=True)  # the gate's own failure is the one to tell
            raise
        stager.finish()
        for step, seconds in batch.seconds.items():
            report.add_seconds(step, seconds)
        crash_point("staged")
        clock = time.perf_counter()
        outcomes = _record(
            con,
            home,
            receipts,
            batch.candidates,
            duplicates,
            batch.result,
            held,
            self.run_id,
            committed,
        )
        _write_reports(receipts, batch.result)
        crash_point("reported")
        _remove_copied_originals(con, held)
        # The staging overlapped the gate: its own time, not the wall's.
        report.add_seconds("load", stager.seconds + time.perf_counter() - clock)
        for outcome in outcomes:
            position = positions[outcome.submission_id]
            if outcome.status != ACCEPTED or self._worth_telling(position):
                progress(f"[{position}/{self.total}] {_describe(outcome)}")
        report.outcomes.extend(outcomes)

    def _worth_telling(self, position: int) -> bool:
        """Every file of a small intake; about every twentieth of a large one, and the last."""
        total = self.total
        return total <= 20 or position % max(1, total // 20) == 0 or position == total


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _error(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _keep_all(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    claims: list[Claim],
    received_at: datetime,
    report: IntakeReport,
) -> tuple[list[Receipt], list[Claim]]:
    """Keep every claimed file; return the receipts and the claims whose inbox original is
    to be removed only after the ledger commits (an inbox on another file system)."""
    receipts, held, changed, dropped = [], [], [], []
    for claim in claims:
        try:
            how = keep(claim.source, claim.stored, claim.how)
            receipt = fingerprint(claim.submission_id, claim.source, claim.stored, received_at)
            # Receipt time is the warehouse's first sighting of these bytes (the sensor's,
            # if it saw them waiting), never the file's modification time.
            receipts.append(
                replace(receipt, received_at=arrivals.note(home, receipt.sha256, received_at))
            )
        except OSError as exc:
            # Not even its bytes can be kept: leave it where it is, say why, go on.
            log.debug("cannot keep %s", claim.source, exc_info=True)
            report.left_in_place.append((claim.source, f"{exc.strerror or exc}"))
            dropped.append(claim.submission_id)
            continue
        if how != claim.how:
            changed.append(Claim(claim.submission_id, claim.source, claim.stored, how))
        if how == COPY_THEN_REMOVE:
            held.append(changed[-1])
    ledger.amend_claims(con, changed)
    ledger.release(con, dropped)
    return receipts, held


def _describe(o: FileOutcome) -> str:
    label = {
        ACCEPTED: "✔ 接收 accepted",
        REJECTED: "✘ 拒收 rejected",
        DUPLICATE: "= 重复 duplicate",
    }
    period = o.period.strftime("%Y-%m") if o.period else None
    detail = f"{o.rows} rows" if o.status == ACCEPTED else f"{o.errors} errors"
    if o.status == DUPLICATE:
        detail = f"same bytes as submission #{o.duplicate_of}"
    warn = f", {o.warnings} warnings" if o.warnings else ""
    facts = "; ".join(
        x for x in (" ".join(x for x in (o.kind, o.reporter, period) if x), detail + warn) if x
    )
    mark, word = label[o.status].split(" ", 1)
    return f"{mark} #{o.submission_id} {_shown(o.file_name)}: {word} ({facts})"


def _shown(name: str, width: int = 80) -> str:
    """A file name for a progress line: a very long one cut in the middle."""
    return name if len(name) <= width else f"{name[: width // 2]}…{name[-width // 2 + 1 :]}"


def _record(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    receipts: list[Receipt],
    candidates: list[Candidate],
    duplicates: dict[int, int],
    result: GateResult,
    held: list[Claim],
    run_id: str | None,
    committed: list[bool] | None = None,
) -> list[FileOutcome]:
    """Commit the batch to the ledger, then move accepted files' staged rows into the store.
    Rows become visible only once the ledger lists their file as accepted. `committed`
    gets an entry once the ledger has committed."""
    by_id = {c.submission_id: c for c in candidates}
    facts = {}
    if result.facts is not None:
        facts = {
            r["submission_id"]: r
            for r in result.facts.select("submission_id", "bank_code", "period").iter_rows(
                named=True
            )
        }
    rows, outcomes = [], []
    for receipt in receipts:
        sid = receipt.submission_id
        candidate = by_id.get(sid)
        sub = candidate.submission if candidate else None
        verdict = result.verdicts.get(sid)
        status = DUPLICATE if sid in duplicates else ACCEPTED if verdict.accepted else REJECTED
        fact = facts.get(sid, {})
        outcome = FileOutcome(
            submission_id=sid,
            file_name=receipt.name,
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
        # A file the filing service handed over names its filer and signer.
        filing = filings.of(home, receipt.sha256)
        rows.append(
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
                "run_id": run_id,
                "filing_id": filing and filing.filing_id,
                "filed_by": filing and filing.filed_by,
                "signed_by": filing and filing.signed_by,
                "signed_at": filing and filing.signed_at,
            }
        )
    if not rows:
        return outcomes
    ledger.record(
        con,
        pl.DataFrame(rows, schema_overrides=_LEDGER_TYPES),
        result.findings,
        _counts(result),
        result.aggregates,
        # Supersession happens now, whenever the files first arrived.
        arrivals.now(),
        keep_claims=[c.submission_id for c in held],
    )
    if committed is not None:
        committed.append(True)
    crash_point("recorded")
    accepted = [o for o in outcomes if o.status == ACCEPTED]
    for outcome in accepted:
        raw.promote(home, outcome.kind, outcome.submission_id)
    raw.promoted(home, {o.kind for o in accepted})
    raw.discard(home, [o.submission_id for o in outcomes if o.status != ACCEPTED])
    crash_point("promoted")
    return outcomes


def _write_reports(receipts: list[Receipt], result: GateResult) -> None:
    """A findings report (CSV and XLSX) beside every kept file that has findings."""
    for receipt in receipts:
        verdict = result.verdicts.get(receipt.submission_id)
        if verdict is None or not verdict.rules:
            continue
        findings = result.findings.filter(pl.col("submission_id") == receipt.submission_id)
        write_findings_report(receipt.stored, receipt.name, findings, verdict.rules)


def _remove_copied_originals(con: duckdb.DuckDBPyConnection, held: list[Claim]) -> None:
    """An inbox on another file system: its originals go once their copies are recorded."""
    for claim in held:
        claim.source.unlink(missing_ok=True)
    ledger.release(con, [c.submission_id for c in held])


def _counts(result: GateResult) -> pl.DataFrame:
    """Every rule's total count per file (findings keep only the first examples)."""
    rows = [
        {
            "submission_id": sid,
            "rule_id": rule_id,
            "severity": RULES_BY_ID[rule_id].severity,
            "occurrences": count,
        }
        for sid, verdict in result.verdicts.items()
        for rule_id, count in verdict.rules.items()
    ]
    return pl.DataFrame(
        rows,
        schema={
            "submission_id": pl.Int64,
            "rule_id": pl.String,
            "severity": pl.String,
            "occurrences": pl.Int64,
        },
    )


_LEDGER_TYPES = {
    "kind": pl.String,
    "reporter": pl.String,
    "period": pl.Date,
    "row_count": pl.Int64,
    "duplicate_of": pl.Int64,
    "run_id": pl.String,
    "filing_id": pl.Int64,
    "filed_by": pl.String,
    "signed_by": pl.String,
    "signed_at": pl.Datetime("us"),
}
