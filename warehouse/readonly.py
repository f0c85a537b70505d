"""The hardened read-only connection behind `zhirong sql`: the published file opened
read-only, no file or network access, no extensions, configuration locked, one SELECT —
and limits that hold whatever the query does.

An analyst's query runs in a child process (`warehouse.query_worker`) whose address space
is capped at the memory limit, so a query DuckDB's own accounting misses (a 3 GB
`repeat`) fails at the cap instead of taking the machine; DuckDB's memory limit sits below
it so ordinary large queries spill to a size-capped temporary folder first. A watchdog in
the child interrupts the query at the time limit, and the parent kills the child if it has
not stopped a few seconds later. At most `max_rows` rows come back, and the result says
when it was cut."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MEMORY_LIMIT_BYTES = 4 << 30
# What a query may spill to disk before it fails.
DEFAULT_TEMP_LIMIT_BYTES = 8 << 30
# After the time limit, how long an interrupted query gets to stop before it is killed.
KILL_GRACE_SECONDS = 5.0
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

    def __init__(self, message_zh: str, message_en: str, detail: str = ""):
        # `detail` is DuckDB's own text (English, often several lines): said once, not in
        # each language.
        super().__init__(f"{message_zh} / {message_en}" + (f": {detail}" if detail else ""))
        self.message_zh = message_zh
        self.message_en = message_en
        self.detail = detail


@dataclass(frozen=True)
class QueryResult:
    """Column names, their DuckDB types, the rows, and whether rows past the cap were cut."""

    columns: list[str]
    types: list[str]
    rows: list[tuple]
    truncated: bool = False


@dataclass(frozen=True)
class QueryLimits:
    """What one analyst's query may take."""

    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_rows: int = DEFAULT_MAX_ROWS
    memory_limit_bytes: int = DEFAULT_MEMORY_LIMIT_BYTES
    temp_limit_bytes: int = DEFAULT_TEMP_LIMIT_BYTES


def check_statement(sql: str) -> None:
    """Refuse anything but exactly one SELECT (a WITH … SELECT counts)."""
    try:
        statements = duckdb.connect(":memory:").extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused("SQL 语法错误", "SQL syntax error", str(exc)) from exc
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


def connect_published(path: Path, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse with the hardened configuration (and `config` on top)."""
    if not path.exists():
        raise QueryRefused(
            f"尚未发布数据仓库：{path}（先运行 zhirong demo 或 zhirong build）",
            f"no published warehouse at {path} yet (run zhirong demo or zhirong build first)",
        )
    return duckdb.connect(str(path), read_only=True, config={**HARDENED_CONFIG, **(config or {})})


def run_query(
    path: Path,
    sql: str,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    limits: QueryLimits | None = None,
) -> QueryResult:
    """Run one read-only SELECT against the published warehouse at `path`, within `limits`
    (`timeout_seconds` is the time limit when `limits` is not given)."""
    limits = limits or QueryLimits(timeout_seconds=timeout_seconds)
    check_statement(sql)
    if not path.exists():
        connect_published(path)  # raises the "nothing published yet" refusal
    request = pickle.dumps({"path": str(path), "sql": sql, "limits": limits})
    # The worker imports this package from wherever this module was imported.
    root = str(Path(__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "warehouse.query_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = worker.communicate(request, timeout=limits.timeout_seconds + KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.communicate()
        raise timed_out(limits) from None
    if worker.returncode != 0 or not out:
        raise _died(worker.returncode, err, limits)
    outcome = pickle.loads(out)
    if outcome[0] == "refused":
        raise QueryRefused(*outcome[1:])
    return outcome[1]


def timed_out(limits: QueryLimits) -> QueryRefused:
    """The refusal of a query stopped at its time limit."""
    seconds = limits.timeout_seconds
    return QueryRefused(
        f"查询超过 {seconds:g} 秒时限，已中止",
        f"the query exceeded its {seconds:g} s limit and was stopped",
    )


def out_of_memory(limits: QueryLimits) -> QueryRefused:
    """The refusal of a query that needed more than its memory limit."""
    gib = _gib(limits.memory_limit_bytes)
    return QueryRefused(
        f"查询所需内存超过 {gib} 上限，已中止",
        f"the query needs more than its {gib} memory limit and was stopped",
    )


def _died(code: int, err: bytes, limits: QueryLimits) -> QueryRefused:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        return QueryRefused(
            f"查询进程被终止（{name}），可能超出 {_gib(limits.memory_limit_bytes)} 内存上限",
            f"the query process was stopped ({name}), probably past its "
            f"{_gib(limits.memory_limit_bytes)} memory limit",
        )
    last = (err.decode("utf-8", "replace").strip().splitlines() or ["(no output)"])[-1][:300]
    return QueryRefused(f"查询进程出错：{last}", f"the query process failed: {last}")


def _gib(size: int) -> str:
    return f"{size / (1 << 30):g} GiB"
