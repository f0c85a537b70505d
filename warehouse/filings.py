"""The filing log: who filed and who signed the files the filing service hands to the intake.

The service never writes the warehouse (contract §11: it never waits on the nightly writer).
It writes this log, one entry per SHA-256 under `filings/<first two hex digits>/<sha256>`,
then moves the file into the inbox the way any sender would; the intake reads the entry when
it records the file in `audit.submissions`. Written once with O_EXCL, like the arrival log:
the first filing of these bytes is the one on record."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from warehouse.home import Home


@dataclass(frozen=True)
class Filing:
    """What the service knows of a file it hands over."""

    filing_id: int  # the service's submission id (its receipt shows it)
    filed_by: str  # the account that uploaded it
    signed_by: str | None  # None: handed over unsigned (it had errors; the ledger rejects it)
    signed_at: datetime | None


def _entry(home: Home, sha256: str) -> Path:
    return home.filings / sha256[:2] / sha256


def note(home: Home, sha256: str, filing: Filing) -> None:
    """Record `filing` for these bytes unless they were filed before."""
    entry = _entry(home, sha256)
    entry.parent.mkdir(parents=True, exist_ok=True)
    record = asdict(filing)
    record["signed_at"] = filing.signed_at.isoformat() if filing.signed_at else None
    try:
        fd = os.open(entry, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())


def of(home: Home, sha256: str) -> Filing | None:
    """The filing on record for these bytes, if the service handed them over."""
    try:
        record = json.loads(_entry(home, sha256).read_text())
    except (FileNotFoundError, ValueError):
        return None
    signed_at = record.get("signed_at")
    return Filing(
        filing_id=int(record["filing_id"]),
        filed_by=record["filed_by"],
        signed_by=record.get("signed_by"),
        signed_at=datetime.fromisoformat(signed_at) if signed_at else None,
    )
