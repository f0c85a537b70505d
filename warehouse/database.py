"""The build warehouse: the one writer's DuckDB file, its audit tables and raw views, and
the lock that keeps a second writer out."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import polars as pl

from ingest.kinds import KINDS
from warehouse.home import Home
from warehouse.raw import ensure_raw, view_sql

AUDIT_DDL = """
create schema if not exists audit;
create schema if not exists raw;
create table if not exists audit.submissions (
    submission_id bigint primary key,
    file_name varchar not null,
    stored_path varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    kind varchar,
    reporter varchar,
    period date,
    submitted_at timestamp,
    received_at timestamp not null,
    status varchar not null,
    row_count bigint,
    error_count bigint not null,
    warning_count bigint not null,
    ruleset_version varchar not null,
    duplicate_of bigint,
    superseded_by bigint,
    superseded_at timestamp
);
create table if not exists audit.findings (
    submission_id bigint not null,
    rule_id varchar not null,
    severity varchar not null,
    row_number bigint,
    "column" varchar,
    value varchar,
    message_zh varchar not null,
    message_en varchar not null
);
create table if not exists audit.finding_counts (
    submission_id bigint not null,
    rule_id varchar not null,
    severity varchar not null,
    occurrences bigint not null
);
create table if not exists audit.file_aggregates (
    submission_id bigint not null,
    kind varchar not null,
    bank_code varchar,
    period date,
    corporate_loans double,
    mfg_loans double
);
"""

# The writer's DuckDB settings: bounded memory (DuckDB would take 80% of RAM), and no
# insertion order to keep where none is needed.
BUILD_CONFIG = {"memory_limit": "1536MB", "preserve_insertion_order": False}


class WarehouseBusy(RuntimeError):
    """Another process holds the build warehouse."""


@contextmanager
def writer_lock(home: Home) -> Iterator[None]:
    """Hold the single-writer lock for the build warehouse, or fail at once with a clear
    reason (DuckDB allows one writer per file)."""
    home.build_dir.mkdir(parents=True, exist_ok=True)
    with open(home.writer_lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusy(
                "另一个进程正在写入构建库（可能有刷新正在运行），请稍后再试 / another process is "
                f"writing the build warehouse (a refresh may be running): {home.build_db}"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def connect_build(home: Home) -> duckdb.DuckDBPyConnection:
    """Open the build warehouse, make sure its audit tables exist, and point the
    `raw.<kind>` views at the raw store."""
    home.build_dir.mkdir(parents=True, exist_ok=True)
    ensure_raw(home)
    con = duckdb.connect(str(home.build_db), config=dict(BUILD_CONFIG))
    con.execute(AUDIT_DDL)
    for kind in KINDS:
        con.execute(view_sql(home, kind))
    return con


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert `frame` into `table`, matching columns by name (Arrow hand-off, no copy)."""
    if frame.is_empty():
        return
    con.register("_zhirong_append", frame)
    try:
        con.execute(f"insert into {table} by name select * from _zhirong_append")
    finally:
        con.unregister("_zhirong_append")
