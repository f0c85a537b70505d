"""The raw store: each accepted submission's normalised rows as one Parquet file,
`raw/<kind>/<submission_id>.parquet`, read by the `raw.<kind>` views of the build warehouse.

A file's rows are first staged under `raw/.incoming/`; once the gate has accepted the file
they are moved into place by rename, before the ledger commits. Rows of a file the ledger
does not list as accepted are never read (staging joins on the ledger), so a crash between
the two steps leaves nothing half-loaded."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from ingest.kinds import KINDS
from ingest.submission import normalise
from warehouse.home import Home

# An empty file with the schema, so a view never reads nothing. Its name sorts after every
# data file: DuckDB estimates a glob's rows from the first file, and an estimate of zero
# makes it build hash joins on the raw side — hundreds of millions of rows.
PLACEHOLDER = "~empty.parquet"


def raw_schema(kind: str) -> pl.Schema:
    """The Polars schema of a raw file of `kind`: submission_id, row_number and the
    normalised columns (derived from the kind, so ingest and the store cannot drift)."""
    spec = KINDS[kind]
    text = pl.LazyFrame(schema={"submission_id": pl.Int64,
                                **{c.name: pl.String for c in spec.columns}})
    columns = normalise(text, spec, {}).collect_schema()
    return pl.Schema({"submission_id": pl.Int64, "row_number": pl.Int64,
                      **{n: t for n, t in columns.items()
                         if n not in ("row_number", "submission_id")}})


def kind_dir(home: Home, kind: str) -> Path:
    """Where the accepted files of `kind` live."""
    return home.raw / kind


def incoming_dir(home: Home, kind: str) -> Path:
    """Where a kind's rows wait for the gate's verdict."""
    return home.raw / ".incoming" / kind


def ensure_raw(home: Home) -> None:
    """Create the store's directories and each kind's empty placeholder file."""
    for kind in KINDS:
        kind_dir(home, kind).mkdir(parents=True, exist_ok=True)
        incoming_dir(home, kind).mkdir(parents=True, exist_ok=True)
        placeholder = kind_dir(home, kind) / PLACEHOLDER
        if not placeholder.exists():
            pl.DataFrame(schema=raw_schema(kind)).write_parquet(placeholder)


def view_sql(home: Home, kind: str) -> str:
    """The `raw.<kind>` view over the store."""
    pattern = str(kind_dir(home, kind) / "*.parquet").replace("'", "''")
    return f"create or replace view raw.{kind} as select * from read_parquet('{pattern}')"


def stage(home: Home, frames: dict[str, pl.DataFrame]) -> None:
    """Write each submission's rows to the incoming area (the rows of one submission are
    contiguous in a normalised frame, so each file is a zero-copy slice)."""
    for kind, frame in frames.items():
        columns = list(raw_schema(kind))
        ordered = frame.select(columns)
        runs = ordered["submission_id"].rle()
        start = 0
        for length, sid in runs.struct.unnest().iter_rows():
            ordered.slice(start, length).write_parquet(
                incoming_dir(home, kind) / f"{sid}.parquet", compression="lz4",
                statistics=True,
            )
            start += length


def promote(home: Home, kind: str, submission_id: int) -> Path:
    """Move an accepted submission's staged rows into the store."""
    target = kind_dir(home, kind) / f"{submission_id}.parquet"
    (incoming_dir(home, kind) / f"{submission_id}.parquet").replace(target)
    return target


def discard_incoming(home: Home) -> None:
    """Drop whatever is still staged (rejected files' rows, leftovers of a crash)."""
    incoming = home.raw / ".incoming"
    if incoming.exists():
        shutil.rmtree(incoming)
