"""The hardened read-only connection behind `zhirong sql`: the published file opened
read-only, no file or network access, no extensions, configuration locked, one SELECT,
a time limit."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_TIMEOUT_SECONDS = 60.0
HARDENED_CONFIG = {
    "access_mode": "READ_ONLY",
    # read_only alone still lets COPY … TO and read_csv('/etc/passwd') through.
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": "4GB",
    "threads": 2,
    "lock_configuration": True,
}


class QueryRefused(Exception):  # noqa: N818 — a refusal shown to the analyst, not a fault
    """A query that is not a single read-only SELECT, or that failed; bilingual reason."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class QueryResult:
    """Column names, their DuckDB types, and rows."""

    columns: list[str]
    types: list[str]
    rows: list[tuple]


def check_statement(sql: str) -> None:
    """Refuse anything but exactly one SELECT (a WITH … SELECT counts)."""
    try:
        statements = duckdb.connect(":memory:").extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(f"SQL 语法错误：{exc}", f"SQL syntax error: {exc}") from exc
    if len(statements) != 1:
        raise QueryRefused(
            f"只接受一条语句（收到 {len(statements)} 条）",
            f"exactly one statement is accepted (got {len(statements)})",
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        name = str(kind).rsplit(".", 1)[-1]
        raise QueryRefused(
            f"只读查询：只接受 SELECT 语句，拒绝 {name}",
            f"read-only: only SELECT statements are accepted, not {name}",
        )


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse with the hardened configuration."""
    if not path.exists():
        raise QueryRefused(
            f"尚未发布数据仓库：{path}（先运行 zhirong demo 或 zhirong build）",
            f"no published warehouse at {path} yet (run zhirong demo or zhirong build first)",
        )
    return duckdb.connect(str(path), read_only=True, config=dict(HARDENED_CONFIG))


def run_query(
    path: Path, sql: str, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> QueryResult:
    """Run one read-only SELECT against the published warehouse at `path`."""
    check_statement(sql)
    con = connect_published(path)
    timer = threading.Timer(timeout_seconds, con.interrupt)
    timer.start()
    try:
        relation = con.execute(sql)
        columns = [d[0] for d in relation.description]
        types = [str(d[1]) for d in relation.description]
        rows = relation.fetchall()
    except duckdb.InterruptException as exc:
        raise QueryRefused(
            f"查询超过 {timeout_seconds:g} 秒时限，已中止",
            f"the query exceeded its {timeout_seconds:g} s limit and was stopped",
        ) from exc
    except duckdb.Error as exc:
        raise QueryRefused(f"查询失败：{exc}", f"query failed: {exc}") from exc
    finally:
        timer.cancel()
        con.close()
    return QueryResult(columns, types, rows)
