"""The child process that runs one analyst query for `warehouse.readonly.run_query`: reads
its request (pickled) on stdin, caps its own address space, runs the query on the hardened
connection with a watchdog, and writes `("ok", QueryResult)` or `("refused", zh, en, detail)`
(pickled) on stdout. Started with `python -m warehouse.query_worker`; not for people."""

from __future__ import annotations

import pickle
import resource
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from warehouse.readonly import out_of_memory, timed_out

# DuckDB's own limit leaves this share of the cap for what it does not account for (the
# interpreter, result rows as Python objects, allocations outside its buffer manager).
_DUCKDB_SHARE = 0.6
# Rows fetched from DuckDB at a time.
_BATCH = 10_000


def main() -> int:
    """Run the request on stdin; answer on stdout."""
    request = pickle.load(sys.stdin.buffer)
    limits = request["limits"]
    cap = int(limits.memory_limit_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        outcome = _run(Path(request["path"]), request["sql"], limits)
    except MemoryError:
        outcome = _refused(out_of_memory(limits))
    sys.stdout.buffer.write(pickle.dumps(outcome))
    sys.stdout.flush()
    return 0


def _run(path: Path, sql: str, limits) -> tuple:
    import duckdb

    from warehouse.readonly import QueryRefused, QueryResult, connect_published

    spill = tempfile.mkdtemp(prefix="zhirong-sql-")
    try:
        try:
            con = connect_published(
                path,
                {
                    "memory_limit": f"{int(limits.memory_limit_bytes * _DUCKDB_SHARE)}B",
                    "temp_directory": spill,
                    "max_temp_directory_size": f"{int(limits.temp_limit_bytes)}B",
                },
            )
        except QueryRefused as refused:
            return _refused(refused)
        timer = threading.Timer(limits.timeout_seconds, con.interrupt)
        timer.start()
        try:
            relation = con.execute(sql)
            columns = [d[0] for d in relation.description]
            types = [str(d[1]) for d in relation.description]
            rows: list[tuple] = []
            while len(rows) <= limits.max_rows:
                batch = relation.fetchmany(_BATCH)
                if not batch:
                    break
                rows.extend(batch)
            truncated = len(rows) > limits.max_rows
            return ("ok", QueryResult(columns, types, rows[: limits.max_rows], truncated))
        except duckdb.InterruptException:
            return _refused(timed_out(limits))
        except duckdb.OutOfMemoryException:
            return _refused(out_of_memory(limits))
        except duckdb.Error as exc:
            text = str(exc).strip() or type(exc).__name__
            if "temp" in text.lower() and "size" in text.lower():
                gib = limits.temp_limit_bytes / (1 << 30)
                return (
                    "refused",
                    f"查询需要的临时空间超过 {gib:g} GiB 上限",
                    f"the query needs more than its {gib:g} GiB of temporary space",
                    text,
                )
            return ("refused", "查询失败", "query failed", text)
        finally:
            timer.cancel()
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _refused(refused) -> tuple:
    return ("refused", refused.message_zh, refused.message_en, refused.detail)


if __name__ == "__main__":
    sys.exit(main())
