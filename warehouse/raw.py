"""The raw store: each accepted submission's normalised rows as one Parquet file,
`raw/<kind>/<submission_id>.parquet`, read by the `raw.<kind>` views of the build warehouse.

A file's rows are first written under `raw/.incoming/<kind>/` (and flushed to disk); the
ledger then commits the file's verdict, and only then are an accepted file's rows moved
into place by rename. So rows become visible only through a committed ledger row: a crash
before the commit leaves rows nobody reads (recovery drops them), a crash after it leaves
rows recovery moves into place."""

from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.kinds import KINDS
from ingest.submission import normalise
from quality.linked import LOAN_LINES_SCHEMA, LoanLookup
from warehouse.disk import flush
from warehouse.home import Home

# An empty file with the schema, so a view never reads nothing. Its name sorts after every
# data file: DuckDB estimates a glob's rows from the first file, and an estimate of zero
# makes it build hash joins on the raw side — hundreds of millions of rows.
PLACEHOLDER = "~empty.parquet"


def raw_schema(kind: str) -> pl.Schema:
    """The Polars schema of a raw file of `kind`: submission_id, row_number and the
    normalised columns (derived from the kind, so ingest and the store cannot drift)."""
    spec = KINDS[kind]
    text = pl.DataFrame(
        schema={"submission_id": pl.Int64, **{c.name: pl.String for c in spec.columns}}
    )
    columns = normalise(text, spec, {}).collect_schema()
    return pl.Schema(
        {
            "submission_id": pl.Int64,
            "row_number": pl.Int64,
            **{n: t for n, t in columns.items() if n not in ("row_number", "submission_id")},
        }
    )


def kind_dir(home: Home, kind: str) -> Path:
    """Where the accepted files of `kind` live."""
    return home.raw / kind


def incoming_dir(home: Home, kind: str) -> Path:
    """Where a kind's rows wait for the ledger's verdict."""
    return home.raw / ".incoming" / kind


def orphaned_dir(home: Home, kind: str) -> Path:
    """Where recovery sets aside rows the ledger never accepted (kept for inspection)."""
    return home.raw / ".orphaned" / kind


def ensure_raw(home: Home) -> None:
    """Create the store's directories and each kind's empty placeholder file."""
    for kind in KINDS:
        kind_dir(home, kind).mkdir(parents=True, exist_ok=True)
        incoming_dir(home, kind).mkdir(parents=True, exist_ok=True)
        placeholder = kind_dir(home, kind) / PLACEHOLDER
        if not placeholder.exists():
            partial = placeholder.with_name(placeholder.name + ".partial")
            pl.DataFrame(schema=raw_schema(kind)).write_parquet(partial)
            partial.replace(placeholder)


def view_sql(home: Home, kind: str) -> str:
    """The `raw.<kind>` view over the store."""
    pattern = str(kind_dir(home, kind) / "*.parquet").replace("'", "''")
    # By name: a column added to a kind later (fund deals' currency) reads as NULL from
    # the files kept before it existed.
    return (
        f"create or replace view raw.{kind} as select * from "
        f"read_parquet('{pattern}', union_by_name = true)"
    )


def contents(con, home: Home) -> dict[str, str]:
    """A fingerprint per kind of everything its staging model reads: the ledger's rows of
    that kind (which of its files are current) and the store's files of that kind (name,
    size, time). The same fingerprint twice means the same rows in `stg_raw__<kind>`: a
    stored file is never rewritten, only added beside the others."""
    rows = con.execute(
        "select * from audit.submissions where kind is not null order by kind, submission_id"
    ).fetchall()
    kind_at = [c[0] for c in con.description].index("kind")
    digests = {kind: hashlib.sha256() for kind in KINDS}
    for row in rows:
        if row[kind_at] in digests:
            digests[row[kind_at]].update(repr(row).encode())
    for kind, digest in digests.items():
        with os.scandir(kind_dir(home, kind)) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                info = entry.stat(follow_symlinks=False)
                digest.update(f"\n{entry.name} {info.st_size} {info.st_mtime_ns}".encode())
    return {kind: digest.hexdigest() for kind, digest in digests.items()}


def stage(home: Home, frames: dict[str, pl.DataFrame]) -> None:
    """Write each submission's rows to the incoming area and flush them to disk (the rows
    of one submission are contiguous in a normalised frame, so each file is a zero-copy
    slice)."""
    for kind, frame in frames.items():
        columns = list(raw_schema(kind))
        ordered = frame.select(columns)
        runs = ordered["submission_id"].rle()
        start = 0
        for length, sid in runs.struct.unnest().iter_rows():
            path = incoming_dir(home, kind) / f"{sid}.parquet"
            ordered.slice(start, length).write_parquet(path, compression="lz4", statistics=True)
            flush(path)
            start += length


class Stager:
    """`stage`, on a thread of its own: a chunk's rows are written (and flushed) while the
    gate judges the next chunk, so the disk's wait and Parquet's encoding are off the gate's
    path. One chunk is written at a time (a chunk waits for the one before: memory stays
    bounded). `settle` before anything reads the incoming area; `finish` before the ledger
    commits: it raises what any write raised."""

    def __init__(self, home: Home):
        self.home = home
        self.seconds = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhirong-stage")
        self._pending: Future | None = None
        self._failed: BaseException | None = None

    def submit(self, frames: dict[str, pl.DataFrame]) -> None:
        """Stage `frames` once the chunk before them is written."""
        self.settle()
        if self._failed is None:
            self._pending = self._pool.submit(self._stage, frames)

    def _stage(self, frames: dict[str, pl.DataFrame]) -> None:
        started = time.perf_counter()
        stage(self.home, frames)
        self.seconds += time.perf_counter() - started

    def settle(self) -> None:
        """Wait until everything submitted is written (or has failed: `finish` says so)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending.result()
            except BaseException as exc:  # noqa: BLE001 — kept for `finish`, on this thread
                self._failed = self._failed or exc

    def finish(self, quietly: bool = False) -> None:
        """Wait for every write and stop the thread; raise the first write's failure, unless
        `quietly` (another failure is already on its way)."""
        self.settle()
        self._pool.shutdown()
        if self._failed is not None and not quietly:
            raise self._failed


def promote(home: Home, kind: str, submission_id: int) -> Path:
    """Move an accepted submission's staged rows into the store."""
    target = kind_dir(home, kind) / f"{submission_id}.parquet"
    (incoming_dir(home, kind) / f"{submission_id}.parquet").replace(target)
    return target


def promoted(home: Home, kinds: set[str]) -> None:
    """Make the renames into `kinds`' folders durable."""
    for kind in kinds:
        flush(kind_dir(home, kind))


def staged_files(home: Home) -> list[tuple[str, int, Path]]:
    """(kind, submission id, path) of every file waiting in the incoming area."""
    return _numbered(home, incoming_dir)


def stored_files(home: Home) -> list[tuple[str, int, Path]]:
    """(kind, submission id, path) of every file in the store proper."""
    return _numbered(home, kind_dir)


def highest_id(home: Home) -> int:
    """The highest submission id with rows anywhere in the store (0 when none)."""
    found = [
        sid
        for _, sid, _ in [*staged_files(home), *stored_files(home), *_numbered(home, orphaned_dir)]
    ]
    return max(found, default=0)


def set_aside(home: Home, kind: str, path: Path, at: datetime) -> Path:
    """Move rows no committed ledger row accepts out of the views' sight."""
    target = orphaned_dir(home, kind) / f"{path.stem}.{at:%Y%m%dT%H%M%S}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)
    return target


def discard(home: Home, submission_ids: list[int]) -> None:
    """Drop the staged rows of files that were not accepted."""
    for sid in submission_ids:
        for kind in KINDS:
            (incoming_dir(home, kind) / f"{sid}.parquet").unlink(missing_ok=True)


def _numbered(home: Home, folder) -> list[tuple[str, int, Path]]:
    found = []
    for kind in KINDS:
        directory = folder(home, kind)
        if not directory.is_dir():
            continue
        for path in directory.glob("*.parquet"):
            number = path.name.split(".", 1)[0]
            if number.isdigit():
                found.append((kind, int(number), path))
    return sorted(found, key=lambda item: item[1])


def loan_lookup(
    home: Home, known: pl.DataFrame, staged: bool = False, stager: Stager | None = None
) -> LoanLookup:
    """The gate's view of the loans a claim or compensation names: the lines of every
    currently accepted loans file (`known`, the ledger's current aggregates) of the banks
    asked about — and, with `staged`, of the loans files of the batch being taken, which
    wait in the incoming area until the ledger commits them (written through `stager`, if
    given: its writes are waited for first)."""
    current = known.filter(pl.col("kind") == "loans").select("submission_id", "bank_code")

    def lookup(keys: pl.DataFrame, excluded: set[int]) -> pl.DataFrame:
        if stager is not None:
            stager.settle()
        banks = keys["bank_code"].unique().to_list()
        ids = current.filter(pl.col("bank_code").is_in(banks))["submission_id"].to_list()
        paths = [kind_dir(home, "loans") / f"{sid}.parquet" for sid in ids]
        if staged:
            paths += [
                path
                for kind, sid, path in staged_files(home)
                if kind == "loans" and sid not in excluded
            ]
        paths = [p for p in paths if p.exists()]
        if not paths:
            return pl.DataFrame(schema=LOAN_LINES_SCHEMA)
        wanted = keys.select("bank_code", "loan_id").lazy()
        return (
            pl.scan_parquet(paths)
            .filter(
                pl.col("bank_code").is_in(banks)
                & pl.col("loan_id").is_in(keys["loan_id"].unique().to_list())
            )
            .join(wanted, on=["bank_code", "loan_id"], how="semi")
            .select(
                "bank_code",
                "loan_id",
                "report_period",
                "borrower_uscc",
                "product",
                # A CNY loan's balance is its CNY balance, given or not.
                pl.when(pl.col("currency") == "CNY")
                .then(pl.coalesce("balance_cny", "balance"))
                .otherwise(pl.col("balance_cny"))
                .cast(pl.Float64)
                .alias("balance_cny"),
            )
            .collect()
        )

    return lookup
