"""`zhirong sql`'s connection: one SELECT, read-only, no files, no extensions, a time limit."""

import time
from pathlib import Path

import duckdb
import pytest

from warehouse import readonly
from warehouse.readonly import QueryLimits, QueryRefused, run_query


@pytest.fixture
def published(tmp_path: Path) -> Path:
    path = tmp_path / "published.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.t as select 1 as x, 'a' as y")
    con.close()
    return path


def test_a_select_returns_columns_and_rows(published):
    result = run_query(published, "with s as (select * from marts.t) select x, y from s")
    assert result.columns == ["x", "y"]
    assert result.rows == [(1, "a")]


@pytest.mark.parametrize(
    "sql",
    [
        "copy (select 1) to '{tmp}/x.csv'",
        "attach '{tmp}/other.duckdb' as other",
        "install httpfs",
        "load httpfs",
        "drop table marts.t",
        "create table marts.u as select 1",
        "insert into marts.t values (2, 'b')",
        "set enable_external_access = true",
        "pragma version",
        "select 1; select 2",
        "export database '{tmp}/dump'",
    ],
)
def test_anything_but_one_select_is_refused_and_nothing_is_written(published, tmp_path, sql):
    before = published.read_bytes()
    with pytest.raises(QueryRefused) as refused:
        run_query(published, sql.format(tmp=tmp_path))
    assert refused.value.message_zh and refused.value.message_en
    assert published.read_bytes() == before
    assert not (tmp_path / "x.csv").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert not (tmp_path / "dump").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from glob('/etc/*')",
        "select * from read_text('/etc/hostname')",
    ],
)
def test_selects_that_touch_files_fail_on_the_disabled_file_system(published, sql):
    with pytest.raises(QueryRefused) as refused:
        run_query(published, sql)
    assert "disabled by configuration" in refused.value.detail


def test_a_query_past_its_time_limit_is_stopped(published):
    with pytest.raises(QueryRefused) as refused:
        run_query(published, "select count(*) from range(100000000000)", timeout_seconds=0.5)
    assert "limit" in refused.value.message_en


def test_no_published_warehouse_says_what_to_run(tmp_path):
    with pytest.raises(QueryRefused) as refused:
        run_query(tmp_path / "missing.duckdb", "select 1")
    assert "zhirong demo" in refused.value.message_en


def test_a_query_past_the_memory_limit_fails_fast_and_stays_under_it(published):
    """DuckDB does not count a string `repeat` builds against its own limit; the query
    process's address space is capped, so the allocation fails there."""
    limits = QueryLimits(timeout_seconds=20, memory_limit_bytes=1 << 30)
    started = time.monotonic()
    with pytest.raises(QueryRefused) as refused:
        run_query(published, "select length(repeat('x', 3000000000))", limits=limits)
    assert time.monotonic() - started < 15
    assert "1 GiB memory limit" in refused.value.message_en


def test_a_query_that_ignores_interrupts_is_killed_after_the_grace(published, monkeypatch):
    """A time limit holds even for work DuckDB cannot interrupt: the parent kills the query
    process a few seconds after the limit."""
    monkeypatch.setattr(readonly, "KILL_GRACE_SECONDS", 0.5)
    started = time.monotonic()
    with pytest.raises(QueryRefused) as refused:
        run_query(
            published,
            "select length(repeat('x', 1500000000)) + count(*) from range(3)",
            limits=QueryLimits(timeout_seconds=0.5, memory_limit_bytes=16 << 30),
        )
    # Uninterrupted, the repeat alone takes ~8 s here.
    assert time.monotonic() - started < 4
    assert "limit" in refused.value.message_en


def test_rows_past_the_cap_are_cut_and_the_result_says_so(published):
    result = run_query(published, "select * from range(10)", limits=QueryLimits(max_rows=4))
    assert [r[0] for r in result.rows] == [0, 1, 2, 3]
    assert result.truncated
    exact = run_query(published, "select * from range(4)", limits=QueryLimits(max_rows=4))
    assert len(exact.rows) == 4 and not exact.truncated
