"""`zhirong sql`'s connection: one SELECT, read-only, no files, no extensions, a time limit."""

from pathlib import Path

import duckdb
import pytest

from warehouse.readonly import QueryRefused, run_query


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
    ["select * from read_csv('/etc/passwd')", "select * from glob('/etc/*')",
     "select * from read_text('/etc/hostname')"],
)
def test_selects_that_touch_files_fail_on_the_disabled_file_system(published, sql):
    with pytest.raises(QueryRefused) as refused:
        run_query(published, sql)
    assert "disabled by configuration" in refused.value.message_en


def test_a_query_past_its_time_limit_is_stopped(published):
    with pytest.raises(QueryRefused) as refused:
        run_query(published, "select count(*) from range(100000000000)", timeout_seconds=0.5)
    assert "limit" in refused.value.message_en


def test_no_published_warehouse_says_what_to_run(tmp_path):
    with pytest.raises(QueryRefused) as refused:
        run_query(tmp_path / "missing.duckdb", "select 1")
    assert "zhirong demo" in refused.value.message_en
