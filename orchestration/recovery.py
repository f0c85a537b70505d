"""Settling what a crashed run left behind, first thing in every run that writes, under the
writer lock: files in flight go back where they came from, rows of committed files move
into the raw store and rows of uncommitted ones are dropped, rows no ledger row accepts are
set aside, missing findings reports are written again, and half-written publications and
exports are removed. Nothing a sender sent is deleted; every action is logged (progress and
`audit.recoveries`)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from exports.findings_report import report_paths, write_findings_report
from warehouse import ledger, raw
from warehouse.database import connect_build, writer_lock
from warehouse.home import Home
from warehouse.ledger import ACCEPTED, SUPERSEDED, Claim
from warehouse.publish import abandoned_publications
from warehouse.received import COPY, COPY_THEN_REMOVE, PARTIAL, put_back, sha256_of

log = logging.getLogger(__name__)


@contextmanager
def hold_run(
    home: Home,
    wait_seconds: float = 0.0,
    on_wait: Callable[[float], None] | None = None,
    progress: Callable[[str], None] = log.info,
) -> Iterator[None]:
    """Hold the home's writer lock for a whole run (waiting up to `wait_seconds` for
    another run to finish), settling a crashed run's leftovers on the way in."""
    home.ensure()
    with writer_lock(home, wait_seconds, on_wait) as outermost:
        if outermost:
            con = connect_build(home)
            try:
                for line in settle(home, con):
                    progress(f"recovery: {line}")
            finally:
                con.close()
        yield


def settle(home: Home, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Put the home back into a state a run can start from; return what was done."""
    at = datetime.now(UTC).replace(tzinfo=None)
    done: list[str] = []

    def note(action: str, detail: str, sid: int | None = None, path: Path | None = None):
        ledger.log_recovery(con, at, action, detail, sid, path)
        done.append(f"{action} {detail}")

    for claim, recorded in ledger.claims(con):
        if recorded:
            _finish_claim(claim, note)
        else:
            _undo_claim(claim, note)
        ledger.release(con, [claim.submission_id])
    _settle_raw_store(home, con, note)
    _rewrite_missing_reports(con, note)
    for path in abandoned_publications(home):
        path.unlink(missing_ok=True)
        note("removed-partial-publication", str(path), path=path)
    for path in sorted(home.exports.glob("*/.*.partial")):
        path.unlink(missing_ok=True)
        note("removed-partial-export", str(path), path=path)
    return done


def _finish_claim(claim: Claim, note) -> None:
    """The ledger recorded the file: only a copied inbox original may be left to remove."""
    if claim.how == COPY_THEN_REMOVE and _exists(claim.source):
        claim.source.unlink()
        note(
            "removed-inbox-original",
            f"#{claim.submission_id} {claim.source}",
            claim.submission_id,
            claim.source,
        )


def _undo_claim(claim: Claim, note) -> None:
    """The run died before the ledger recorded the file: as if it had never been taken."""
    partial = claim.stored.with_name(claim.stored.name + PARTIAL)
    if _exists(partial):
        partial.unlink()
    if not _exists(claim.stored):
        return
    if claim.how in (COPY, COPY_THEN_REMOVE) or (
        _exists(claim.source) and _same_bytes(claim.source, claim.stored)
    ):
        # A copy: the original is still where it was.
        claim.stored.unlink()
        note(
            "dropped-unrecorded-copy",
            f"#{claim.submission_id} {claim.stored}",
            claim.submission_id,
            claim.stored,
        )
        return
    back = put_back(claim.stored, claim.source)
    note("returned-to-inbox", f"#{claim.submission_id} {back}", claim.submission_id, back)


def _settle_raw_store(home: Home, con: duckdb.DuckDBPyConnection, note) -> None:
    status = ledger.statuses(con)
    for kind, sid, path in raw.staged_files(home):
        if status.get(sid, ("", None)) == (ACCEPTED, kind) or status.get(sid, ("", None)) == (
            SUPERSEDED,
            kind,
        ):
            raw.promote(home, kind, sid)
            note("promoted-committed-rows", f"#{sid} {kind}", sid, path)
        else:
            path.unlink(missing_ok=True)
            note("dropped-uncommitted-rows", f"#{sid} {kind}", sid, path)
    for kind, sid, path in raw.stored_files(home):
        state, recorded_kind = status.get(sid, ("", None))
        if state not in (ACCEPTED, SUPERSEDED) or recorded_kind != kind:
            aside = raw.set_aside(home, kind, path, datetime.now(UTC))
            note("set-aside-orphan-rows", f"#{sid} {kind} → {aside}", sid, aside)


def _rewrite_missing_reports(con: duckdb.DuckDBPyConnection, note) -> None:
    for sid, name, stored in ledger.with_findings(con):
        if not _exists(stored) or all(p.exists() for p in report_paths(stored)):
            continue
        findings, counts = ledger.findings_of(con, sid)
        write_findings_report(stored, name, findings, counts)
        note("rewrote-findings-report", f"#{sid} {name}", sid, stored)


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _same_bytes(a: Path, b: Path) -> bool:
    """Whether two entries hold the same bytes (regular files only; never follows links)."""
    try:
        if a.is_symlink() or b.is_symlink() or not (a.is_file() and b.is_file()):
            return False
        return a.stat().st_size == b.stat().st_size and sha256_of(a) == sha256_of(b)
    except OSError:
        return False
