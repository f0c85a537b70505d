"""Receipt time is the warehouse's clock (contract §7): the first time the warehouse saw a
file's bytes — in the inbox by the sensor, or when a run took it — never the file's
modification time, which the sender sets."""

import os
from datetime import date, datetime

import dagster as dg
import duckdb
import pytest

from orchestration.cli import main
from orchestration.definitions import build_definitions, inbox_sensor
from tests.helpers import BANK_A, LOAN_HEADERS, TOTAL_HEADERS, loan, totals_matching, write_csv
from warehouse import arrivals
from warehouse.received import sha256_of

pytestmark = pytest.mark.integration


def _pair(inbox, period="2026-10"):
    rows = [loan(report_period=period)]
    return (
        write_csv(inbox / f"loans_{period}.csv", rows, LOAN_HEADERS),
        write_csv(inbox / f"totals_{period}.csv", [totals_matching(rows)], TOTAL_HEADERS),
    )


def _ledger(home):
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        return con.execute(
            "select kind, submitted_at, received_at from audit.submissions order by kind"
        ).fetchall()
    finally:
        con.close()


def _state(home, period="2026-10-31"):
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return dict(
            con.execute(
                "select kind, filing_state from marts.filing_status where "
                "bank_code = ? and period = ?",
                [BANK_A, period],
            ).fetchall()
        )
    finally:
        con.close()


def test_touching_a_late_file_back_to_the_first_does_not_make_it_on_time(home):
    # The 2026-10 files were due on 2026-11-15; they reach the warehouse now, later than that.
    files = _pair(home.inbox)
    first = datetime(2026, 11, 1, 1).timestamp()
    for path in files:
        os.utime(path, (first, first))  # what `touch -d 2026-11-01` or `scp -p` does
    started = arrivals.now()
    assert main(["--home", str(home.root), "refresh"]) == 0
    for kind, submitted, received in _ledger(home):
        assert submitted == datetime(2026, 11, 1, 1), kind  # kept, as information only
        assert received >= started, kind
    assert _state(home) == {"loans": "late", "loan_totals": "late"}
    con = duckdb.connect(str(home.published_db), read_only=True)
    late = con.execute(
        "select count(*) from audit.findings where rule_id in ('LN-W-034', 'LT-W-034')"
    ).fetchone()[0]
    con.close()
    assert late == 2


def test_the_sensor_keeps_the_time_a_file_first_came_however_late_the_run(home):
    files = _pair(home.inbox)
    settled = datetime(2020, 1, 1).timestamp()  # long settled: the sensor acts at once
    for path in files:
        os.utime(path, (settled, settled))
    defs = build_definitions(home.root)
    with dg.build_sensor_context(resources=defs.resources, cursor=None) as context:
        result = inbox_sensor(context)
    assert isinstance(result, dg.RunRequest)
    seen = [arrivals.first_seen(home, sha256_of(path)) for path in files]
    assert all(seen)
    # What the sensor noted is the receipt time when the run takes the files later.
    assert main(["--home", str(home.root), "refresh"]) == 0
    assert sorted(r[2] for r in _ledger(home)) == sorted(seen)


def test_zhirong_as_of_is_the_day_the_models_take_as_today(home, monkeypatch):
    # Only the 2026-10 loans file: its totals were due by 2026-11-15 (filing_obligations).
    write_csv(home.inbox / "loans_2026-10.csv", [loan(report_period="2026-10")], LOAN_HEADERS)
    monkeypatch.setenv("ZHIRONG_AS_OF", "2026-11-15")
    assert main(["--home", str(home.root), "refresh"]) == 0
    # Received today, after the due day: late. The totals: the due day itself, not yet due.
    assert _state(home) == {"loans": "late", "loan_totals": "not_yet_due"}
    assert _as_of(home) == {date(2026, 11, 15)}

    monkeypatch.setenv("ZHIRONG_AS_OF", "2026-11-16")
    assert main(["--home", str(home.root), "build"]) == 0
    assert _state(home) == {"loans": "late", "loan_totals": "missing"}
    assert _as_of(home) == {date(2026, 11, 16)}


def test_a_zhirong_as_of_that_is_no_date_fails_the_build_and_says_so(home, monkeypatch, capsys):
    _pair(home.inbox)
    monkeypatch.setenv("ZHIRONG_AS_OF", "2026-11-31")
    assert main(["--home", str(home.root), "refresh"]) == 1
    said = capsys.readouterr().err
    assert "ZHIRONG_AS_OF 不是日期 / is not a date: '2026-11-31'" in said
    assert "Traceback" not in said
    assert not home.published_db.exists()


def _as_of(home):
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return {
            d for (d,) in con.execute("select distinct as_of from marts.filing_status").fetchall()
        }
    finally:
        con.close()
