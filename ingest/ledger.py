"""The file ledger: fingerprint every received file, keep a copy forever, and record it in
`audit.submissions` (a byte-identical file is a `duplicate`, loaded once)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

ACCEPTED, REJECTED, SUPERSEDED, DUPLICATE = "accepted", "rejected", "superseded", "duplicate"
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff()（）]+")


@dataclass(frozen=True)
class Receipt:
    """A file taken in: where it came from, where it is kept and its fingerprint."""

    source: Path
    stored: Path
    sha256: str
    size_bytes: int
    submitted_at: datetime
    received_at: datetime


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def receive(
    path: Path, received_dir: Path, received_at: datetime, link: bool = False
) -> Receipt:
    """Fingerprint `path` and keep it under `received_dir/<date>/`: a hard link when `link`
    (a file the inbox hands over; no copy of a large file) and the two share a file system,
    else a copy. The original is left where it is; the caller removes an inbox file only
    after the ledger has committed."""
    # When the transfer delivered the file: its modification time, as it sits in the inbox.
    submitted_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    sha = sha256_of(path)
    day = received_dir / received_at.strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    stored = day / f"{sha[:16]}-{_UNSAFE.sub('_', path.name)}"
    if not stored.exists():
        partial = stored.with_name(stored.name + ".partial")
        partial.unlink(missing_ok=True)
        try:
            if not link:
                raise OSError("copy requested")
            os.link(path, partial)
        except OSError:
            shutil.copyfile(path, partial)
        partial.replace(stored)
    return Receipt(path, stored, sha, stored.stat().st_size, submitted_at, received_at)


def next_submission_id(con: duckdb.DuckDBPyConnection) -> int:
    """The next unused submission id."""
    query = "select coalesce(max(submission_id), 0) + 1 from audit.submissions"
    return con.execute(query).fetchone()[0]


def current_aggregates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per-file aggregates of every currently accepted file (what cross-file rules compare a
    new file with)."""
    query = """
        select a.submission_id, a.kind, a.bank_code, a.period, a.corporate_loans, a.mfg_loans
        from audit.file_aggregates as a
        inner join audit.submissions as s using (submission_id)
        where s.status = ?
    """
    return pl.from_arrow(con.sql(query, params=[ACCEPTED]).to_arrow_table())


def originals_of(con: duckdb.DuckDBPyConnection, sha256s: list[str]) -> dict[str, int]:
    """For each fingerprint already in the ledger, the submission that first brought it."""
    rows = con.execute(
        """
        select sha256, min(submission_id)
        from audit.submissions
        where sha256 in (select unnest(?::varchar[])) and status <> ?
        group by sha256
        """,
        [sha256s, DUPLICATE],
    ).fetchall()
    return dict(rows)
