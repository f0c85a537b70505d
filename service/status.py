"""Filing status for one month (contract §11): per expected filer × kind — what the published
`marts.filing_status` knows (expected, due, received, accepted, late, missing) with where the
filer's latest upload through the service stands (checked, warnings acknowledged, signed).
Read from what is published and from the service's own store, never the build warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from exports.labels import FILING_STATES
from service.submissions import REFUSED, Submission, Submissions
from warehouse.home import Home
from warehouse.readonly import connect_published

STATE_LABELS = {
    **FILING_STATES,
    # A filer × kind the warehouse does not list yet, known from the service alone.
    "filed_in_service": ("已在服务中报送，待入库", "filed in the service, not yet taken in"),
}


@dataclass
class FilingRow:
    """One filer × kind of the month."""

    filer: str
    filer_name: str | None
    kind: str
    expected: bool
    due_date: date | None
    state: str
    first_received_at: datetime | None
    is_late: bool
    is_missing: bool
    latest: Submission | None = None

    def as_json(self) -> dict:
        """The row as the API gives it."""
        latest = self.latest
        zh, en = STATE_LABELS.get(self.state, (self.state, self.state))
        return {
            "filer": self.filer,
            "filer_name": self.filer_name,
            "kind": self.kind,
            "expected": self.expected,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "state": self.state,
            "state_zh": zh,
            "state_en": en,
            "first_received_at": _utc(self.first_received_at),
            "late": self.is_late,
            "missing": self.is_missing,
            "filed": latest is not None or self.first_received_at is not None,
            "service_submission_id": latest.submission_id if latest else None,
            "service_status": latest.status if latest else None,
            "clean": latest.status == "clean" if latest else None,
            "warnings_acknowledged": bool(latest and latest.acknowledged_at),
            "signed": bool(latest and latest.signed_at),
            "signed_by": latest.signed_by if latest else None,
        }


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat(timespec="milliseconds") + "Z"


def filing_status(
    home: Home, store: Submissions, period: date, filer: str | None = None
) -> tuple[list[FilingRow], datetime | None]:
    """The month's rows — every filer's, or one filer's — and when the warehouse they come
    from was published (None when nothing is published yet)."""
    rows: dict[tuple[str, str], FilingRow] = {}
    published_at = None
    if home.published_db.exists():
        try:
            con = connect_published(home.published_db)
        except duckdb.Error:
            con = None
        if con is not None:
            try:
                published_at = con.execute(
                    "select max(published_at) from meta.publication"
                ).fetchone()[0]
                found = con.execute(
                    "select bank_code, bank_name, kind, is_expected, due_date, filing_state, "
                    "first_received_at, is_late, is_missing from marts.filing_status "
                    "where period = ? and (? is null or bank_code = ?) order by bank_code, kind",
                    [period, filer, filer],
                ).fetchall()
            except duckdb.Error:
                found = []
            finally:
                con.close()
            for code, name, kind, expected, due, state, first, late, missing in found:
                rows[(code, kind)] = FilingRow(
                    code, name, kind, bool(expected), due, state, first, bool(late), bool(missing)
                )
    for submission in reversed(store.listed(filer, period, every=filer is None)):
        code = submission.filer or submission.reporter
        if code is None or submission.kind is None or submission.status == REFUSED:
            continue
        row = rows.get((code, submission.kind))
        if row is None:
            row = rows[(code, submission.kind)] = FilingRow(
                code, None, submission.kind, False, None, "filed_in_service", None, False, False
            )
        row.latest = submission  # oldest first, so the newest wins
    return sorted(rows.values(), key=lambda r: (not r.is_missing, r.filer, r.kind)), published_at
