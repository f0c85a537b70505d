"""The build warehouse: one writer, raw tables shaped by the kinds."""

import time

import pytest

from tests.helpers import other_writer
from warehouse.database import WarehouseBusy, connect_build, holds_lock, writer_lock
from warehouse.raw import raw_schema


def test_a_second_writer_is_turned_away_with_a_reason(home):
    other = other_writer(home, 30)
    try:
        with pytest.raises(WarehouseBusy) as busy, writer_lock(home, wait_seconds=0):
            pass
    finally:
        other.kill()
        other.wait()
    assert "another process is writing" in str(busy.value)
    assert "另一个进程正在写入" in str(busy.value)


def test_a_second_writer_waits_for_the_first_and_then_writes(home):
    other = other_writer(home, 1.5)
    told = []
    started = time.monotonic()
    with writer_lock(home, wait_seconds=60, on_wait=told.append) as outermost:
        waited = time.monotonic() - started
        assert outermost and holds_lock(home)
    other.wait()
    assert told == [60]
    assert waited >= 1.0


def test_the_lock_is_re_entrant_within_a_run_and_free_after_it(home):
    with writer_lock(home) as outer, writer_lock(home) as inner:
        assert (outer, inner) == (True, False)
    assert not holds_lock(home)
    other = other_writer(home, 0)
    other.wait()
    assert other.returncode == 0


def test_raw_views_follow_the_normalised_schema(home):
    con = connect_build(home)
    columns = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'raw' and table_name = 'loans'"
        ).fetchall()
    )
    assert columns["balance"] == "DECIMAL(18,2)"
    assert columns["issue_date"] == "DATE"
    assert columns["industry_division"] == "VARCHAR"
    assert columns["submission_id"] == "BIGINT"
    assert list(raw_schema("loan_totals"))[:3] == ["submission_id", "row_number", "bank_code"]
    assert con.execute("select count(*) from raw.loans").fetchall() == [(0,)]
