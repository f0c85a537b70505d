"""Publish the build warehouse: copy the published schemas into a new DuckDB file, keep it
in the history, and swap it in with an atomic rename. Readers never see a half-written
file, and a failure leaves the published file exactly as it was."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse import ledger
from warehouse.disk import flush
from warehouse.faults import crash_point
from warehouse.home import Home

PUBLISHED_SCHEMAS = ("marts", "reference", "audit")
# The published file also says what it is.
META_DDL = """
create schema if not exists pub.meta;
create table pub.meta.publication (
    published_at timestamp not null,
    run_id varchar,
    ruleset_version varchar,
    source_submissions bigint not null
);
comment on table pub.meta.publication is '这个发布版本 / This published version.';
comment on column pub.meta.publication.published_at is '发布时间（UTC）/ When published, UTC.';
comment on column pub.meta.publication.run_id is '发布它的运行编号 / The run that published it.';
comment on column pub.meta.publication.ruleset_version is
    '校验规则版本 / Ruleset version in force.';
comment on column pub.meta.publication.source_submissions is
    '发布时台账中的报送数 / Submissions in the ledger when published.';
"""


@dataclass(frozen=True)
class Publication:
    """A published version of the warehouse."""

    path: Path
    version_path: Path
    published_at: datetime
    tables: tuple[str, ...]


def publish(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    run_id: str | None = None,
    ruleset_version: str | None = None,
) -> Publication:
    """Copy the published schemas of the build warehouse (open on `con`) into a new file and
    atomically make it the published warehouse. Returns where it went."""
    home.history_dir.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(UTC).replace(tzinfo=None)
    version = home.history_dir / published_at.strftime(VERSION_FORMAT)
    partial = version.with_name(version.name + ".partial")
    partial.unlink(missing_ok=True)
    tables = _published_tables(con)
    con.execute(f"attach '{partial}' as pub")
    try:
        for schema in sorted({s for s, _ in tables}):
            con.execute(f"create schema pub.{schema}")
        for schema, table in tables:
            con.execute(f"create table pub.{schema}.{table} as select * from {schema}.{table}")
        _copy_comments(con, tables)
        con.execute(META_DDL)
        submissions = ledger.size(con)
        con.execute(
            "insert into pub.meta.publication values (?, ?, ?, ?)",
            [published_at, run_id, ruleset_version, submissions],
        )
    finally:
        con.execute("detach pub")
    flush(partial)
    crash_point("publishing")
    partial.replace(version)
    # A hard link makes the new version current in one rename; the history keeps it too.
    staging = home.published_db.with_name(f".{home.published_db.name}.{os.getpid()}{_NEW}")
    staging.unlink(missing_ok=True)
    os.link(version, staging)
    staging.replace(home.published_db)
    flush(home.published_dir)
    return Publication(
        home.published_db, version, published_at, tuple(f"{s}.{t}" for s, t in tables)
    )


VERSION_FORMAT = "zhirong_%Y%m%dT%H%M%S%fZ.duckdb"
_NEW = ".new"


def abandoned_publications(home: Home) -> list[Path]:
    """Files a publication that died half-way left: a version still under its `.partial`
    name, a link never renamed into place. Readers never open either."""
    found = []
    if home.history_dir.is_dir():
        found += sorted(home.history_dir.glob("*.partial"))
        found += sorted(home.history_dir.glob("*.partial.wal"))
    if home.published_dir.is_dir():
        found += sorted(home.published_dir.glob(f".{home.published_db.name}.*{_NEW}"))
    return found


def published_by(home: Home, run_id: str) -> bool:
    """Whether the published warehouse is the version run `run_id` published."""
    if not home.published_db.exists():
        return False
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return (
            con.execute(
                "select count(*) from meta.publication where run_id = ?", [run_id]
            ).fetchone()[0]
            > 0
        )
    finally:
        con.close()


def versions(home: Home) -> list[tuple[datetime, Path]]:
    """Every published version, oldest first, with its publication time (UTC)."""
    found = []
    for path in home.history_dir.glob("zhirong_*.duckdb"):
        try:
            found.append((datetime.strptime(path.name, VERSION_FORMAT), path))
        except ValueError:
            continue
    return sorted(found)


def version_at(home: Home, when: datetime) -> Path | None:
    """The version that was the published warehouse at `when` (UTC), if any."""
    earlier = [path for published_at, path in versions(home) if published_at <= when]
    return earlier[-1] if earlier else None


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    tables = con.execute(
        f"""
        select schema_name, table_name
        from duckdb_tables()
        where database_name = current_database() and schema_name in ({placeholders})
        order by schema_name, table_name
        """,
        list(PUBLISHED_SCHEMAS),
    ).fetchall()
    return [t for t in tables if t not in ledger.UNPUBLISHED]


def _copy_comments(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    """Carry the dbt descriptions (persisted as comments) over, so `duckdb_columns()` in the
    published file is the data dictionary."""
    for schema, table in tables:
        comment = con.execute(
            "select comment from duckdb_tables() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
        if comment:
            con.execute(f"comment on table pub.{schema}.{table} is {_quote(comment)}")
        for column, text in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = "
            "current_database() and schema_name = ? and table_name = ? and comment is not null",
            [schema, table],
        ).fetchall():
            con.execute(f'comment on column pub.{schema}.{table}."{column}" is {_quote(text)}')


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
