"""The build warehouse: one writer, raw tables shaped by the kinds."""

import pytest

from warehouse.database import WarehouseBusy, connect_build, writer_lock
from warehouse.raw import raw_schema


def test_a_second_writer_is_turned_away_with_a_reason(home):
    with writer_lock(home), pytest.raises(WarehouseBusy) as busy, writer_lock(home):
        pass
    assert "another process is writing" in str(busy.value)


def test_the_lock_is_free_again_after_the_writer_finishes(home):
    with writer_lock(home):
        pass
    with writer_lock(home):
        pass


def test_raw_views_follow_the_normalised_schema(home):
    con = connect_build(home)
    columns = dict(con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where schema_name = 'raw' and table_name = 'loans'").fetchall())
    assert columns["balance"] == "DECIMAL(18,2)"
    assert columns["issue_date"] == "DATE"
    assert columns["industry_division"] == "VARCHAR"
    assert columns["submission_id"] == "BIGINT"
    assert list(raw_schema("loan_totals"))[:3] == ["submission_id", "row_number", "bank_code"]
    assert con.execute("select count(*) from raw.loans").fetchall() == [(0,)]
