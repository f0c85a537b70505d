"""The `zhirong` CLI end to end on a small generated sample, as a user would run it."""

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.cli import main
from warehouse.home import Home
from warehouse.readonly import run_query

pytestmark = pytest.mark.integration

SMALL = [
    "--banks",
    "6",
    "--start",
    "2025-09",
    "--end",
    "2026-10",
    "--loans-per-bank",
    "40",
    "--enterprises",
    "200",
]
BANK_FILE_PREFIXES = ("loans_", "loan_totals_", "对公贷款借据_", "各项贷款_")
LAST_MONTH = "select * from marts.bank_loan_metrics where period = date '2026-10-31'"
# contract §5: the published contract.
BANK_METRIC_COLUMNS = [
    "bank_code",
    "bank_name",
    "bank_type",
    "period",
    "total_loans",
    "mfg_loans",
    "mfg_mlt_loans",
    "mfg_credit_loans",
    "mfg_loan_share",
    "mfg_mlt_share",
    "mfg_credit_share",
    "mfg_loans_yoy_growth",
    "total_loans_yoy_growth",
    "growth_gap",
    "mfg_loans_ytd_increment",
    "mfg_mlt_share_yoy_change",
    "mfg_credit_share_yoy_change",
    "mfg_mlt_loans_yoy_growth",
    "mfg_credit_loans_yoy_growth",
    "mfg_loans_ytd_increment_yoy_change",
    "mfg_new_loans",
    "mfg_loans_avg_annual_growth",
    "total_loans_avg_annual_growth",
]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Home:
    root = tmp_path_factory.mktemp("demo")
    assert main(["--home", str(root), "demo", *SMALL]) == 0
    return Home(root)


@pytest.fixture
def own_home(demo_home, tmp_path) -> Home:
    """A private copy of the demo home for tests that change it."""
    shutil.copytree(demo_home.root, tmp_path / "home")
    return Home(tmp_path / "home")


def _sql(home: Home, query: str, capsys, fmt: str = "csv") -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--home", str(home.root), "sql", query, "--format", fmt])
    out, err = capsys.readouterr()
    if fmt == "csv" and code == 0:
        # A BOM first, so Excel reads the Chinese as UTF-8; the rows follow.
        assert out.startswith("\ufeff")
        out = out.removeprefix("\ufeff")
    return code, out, err


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_publishes_one_row_per_sample_bank_with_shares_and_growth(demo_home, capsys):
    code, out, err = _sql(demo_home, LAST_MONTH, capsys)
    assert code == 0 and err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6
    assert len({r["bank_code"] for r in rows}) == 6
    for row in rows:
        for column in (
            "mfg_loan_share",
            "mfg_mlt_share",
            "mfg_credit_share",
            "mfg_loans_yoy_growth",
            "total_loans_yoy_growth",
            "growth_gap",
        ):
            assert row[column] != "", (row["bank_code"], column)
        assert 0 <= float(row["mfg_loan_share"]) <= 1


def test_csv_output_is_only_the_csv(demo_home, capsys):
    code, out, _ = _sql(demo_home, LAST_MONTH, capsys)
    lines = out.splitlines()
    assert lines[0].split(",") == BANK_METRIC_COLUMNS
    assert len(lines) == 1 + 6


def test_json_output_parses_and_keeps_money_exact(demo_home, capsys):
    code, out, _ = _sql(
        demo_home,
        "select mfg_loans, period from marts.bank_loan_metrics "
        "where period = date '2026-10-31' order by bank_code",
        capsys,
        "json",
    )
    rows = json.loads(out, parse_float=str)
    assert len(rows) == 6 and rows[0]["period"] == "2026-10-31"
    assert rows[0]["mfg_loans"].count(".") == 1 and len(rows[0]["mfg_loans"].split(".")[1]) == 2


def test_marts_have_exactly_the_contracted_columns(demo_home):
    result = run_query(demo_home.published_db, "select * from marts.bank_loan_metrics limit 0")
    assert result.columns == BANK_METRIC_COLUMNS
    city = run_query(demo_home.published_db, "select * from marts.city_loan_metrics limit 0")
    assert city.columns == [
        "period",
        *BANK_METRIC_COLUMNS[4:],
        "banks_reporting",
        "banks_with_totals",
        "banks_in_share",
        "banks_in_yoy",
        "banks_in_ytd",
        "banks_in_avg_growth",
    ]


def test_every_received_file_is_kept_and_the_inbox_is_emptied(demo_home):
    assert list(demo_home.inbox.iterdir()) == []
    kept = [p for p in demo_home.received.rglob("*.*") if ".findings." not in p.name]
    ledger = run_query(demo_home.published_db, "select count(*) from audit.submissions")
    assert len(kept) == ledger.rows[0][0]
    banks = [p for p in kept if p.name.split("-", 1)[1].startswith(BANK_FILE_PREFIXES)]
    assert len(banks) == 6 * 14 * 2
    reports = list(demo_home.received.rglob("*.findings.csv"))
    assert all(p.with_name(p.name.replace(".findings.csv", "")).exists() for p in reports)


@pytest.mark.parametrize(
    "query",
    [
        "copy (select 1) to '{tmp}/x.csv'",
        "select * from read_csv('/etc/passwd')",
        "attach '{tmp}/y.duckdb' as y",
        "install httpfs",
        "drop table marts.bank_loan_metrics",
        "select 1; select 2",
    ],
)
def test_sql_refuses_with_a_clear_message_and_exit_code_1(demo_home, capsys, tmp_path, query):
    before = _sha(demo_home.published_db)
    code, out, err = _sql(demo_home, query.format(tmp=tmp_path), capsys)
    assert code == 1
    assert out == ""
    assert "refused" in err
    assert list(tmp_path.iterdir()) == []
    assert _sha(demo_home.published_db) == before


def test_ingesting_the_same_file_twice_is_a_duplicate_and_changes_nothing(own_home, capsys):
    _, before, _ = _sql(own_home, "select * from marts.bank_loan_metrics order by all", capsys)
    original = sorted(own_home.received.rglob("*-loans_C*.csv"))[0]
    again = own_home.inbox / original.name.split("-", 1)[1]
    shutil.copyfile(original, again)
    assert main(["--home", str(own_home.root), "ingest"]) == 0
    con = duckdb.connect(str(own_home.build_db), read_only=True)
    status, duplicate_of, first = con.execute(
        "select d.status, d.duplicate_of, o.submission_id from audit.submissions d "
        "join audit.submissions o on o.sha256 = d.sha256 and o.status = 'accepted' "
        "where d.submission_id = (select max(submission_id) from audit.submissions)"
    ).fetchone()
    con.close()
    assert (status, duplicate_of) == ("duplicate", first)
    assert main(["--home", str(own_home.root), "build"]) == 0
    _, after, _ = _sql(own_home, "select * from marts.bank_loan_metrics order by all", capsys)
    assert after == before


def test_a_file_with_one_bad_uscc_is_rejected_whole(own_home, capsys, tmp_path):
    good = sorted(own_home.received.rglob("*-loans_C1901150100001_202610.csv"))[0]
    lines = good.read_text(encoding="utf-8").splitlines()
    fields = lines[5].split(",")
    fields[3] = fields[3][:-1] + ("0" if fields[3][-1] != "0" else "1")  # break the check char
    lines[5] = ",".join(fields)
    bad = tmp_path / "loans_C1901150100001_202610_resent.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    published_before = _sha(own_home.published_db)
    _, metrics_before, _ = _sql(own_home, LAST_MONTH + " order by bank_code", capsys)

    assert main(["--home", str(own_home.root), "ingest", str(bad)]) == 1
    out, _ = capsys.readouterr()
    assert "LN-E-011" in out and "rejected" in out

    con = duckdb.connect(str(own_home.build_db), read_only=True)
    sid, status, stored = con.execute(
        "select submission_id, status, stored_path from audit.submissions where file_name = ?",
        [bad.name],
    ).fetchone()
    findings = con.execute(
        'select rule_id, row_number, "column", value from audit.findings '
        "where submission_id = ? and severity = 'error'",
        [sid],
    ).fetchall()
    loaded = con.execute("select count(*) from raw.loans where submission_id = ?", [sid]).fetchone()
    con.close()
    assert status == "rejected"
    # Line 6 of the file (header is line 1) holds the broken code.
    assert findings == [("LN-E-011", 6, "borrower_uscc", fields[3])]
    assert loaded == (0,)
    report = Path(stored + ".findings.csv").read_text(encoding="utf-8-sig")
    assert "LN-E-011" in report and fields[3] in report
    assert Path(stored + ".findings.xlsx").exists()
    assert _sha(own_home.published_db) == published_before
    assert bad.exists()

    assert main(["--home", str(own_home.root), "build"]) == 0
    _, metrics_after, _ = _sql(own_home, LAST_MONTH + " order by bank_code", capsys)
    assert metrics_after == metrics_before

    # Sending the same bad bytes again is a duplicate of a rejected file: still rejected.
    capsys.readouterr()
    assert main(["--home", str(own_home.root), "ingest", str(bad)]) == 1
    assert f"same bytes as #{sid}" in capsys.readouterr().out


def test_published_warehouse_answers_queries_while_a_refresh_runs(own_home):
    zhirong = Path(sys.executable).with_name("zhirong")
    refresh = subprocess.Popen(
        [str(zhirong), "--home", str(own_home.root), "build"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    answered_during, failures = 0, []
    while refresh.poll() is None:
        try:
            run_query(own_home.published_db, "select count(*) from marts.bank_loan_metrics")
            answered_during += 1 if refresh.poll() is None else 0
        except Exception as exc:  # noqa: BLE001 — any failure is what this test looks for
            failures.append(repr(exc))
        time.sleep(0.05)
    assert refresh.returncode == 0, refresh.stderr.read().decode()
    assert failures == []
    assert answered_during > 0
    assert len(list(own_home.history_dir.glob("*.duckdb"))) == 2


def test_gate_side_aggregates_agree_with_the_dbt_metric_of_record(demo_home):
    con = duckdb.connect(str(demo_home.build_db), read_only=True)
    rows = con.execute(
        """
        select a.bank_code, a.period, a.corporate_loans, d.corporate_loans_detail,
               a.mfg_loans, d.mfg_loans, d.loan_count
        from audit.file_aggregates as a
        join audit.submissions as s using (submission_id)
        join intermediate.int_bank_loans_aggregated as d
            on d.bank_code = a.bank_code and d.period = a.period
        where s.status = 'accepted' and a.kind = 'loans'
        """
    ).fetchall()
    con.close()
    assert len(rows) == 6 * 14
    for bank, period, gate_corp, dbt_corp, gate_mfg, dbt_mfg, lines in rows:
        # dbt rounds each converted line to the cent; the gate sums unrounded.
        assert abs(gate_corp - float(dbt_corp)) <= 0.005 * lines, (bank, period)
        assert abs(gate_mfg - float(dbt_mfg)) <= 0.005 * lines, (bank, period)


def test_a_resubmission_changes_that_bank_and_month_only_and_as_of_shows_the_past(
    own_home, capsys, tmp_path
):
    everything = "select * from marts.bank_loan_metrics order by bank_code, period"
    _, before, _ = _sql(own_home, everything, capsys)
    published_before = datetime.now(UTC)  # carries its offset: --as-of reads it as UTC
    time.sleep(0.01)

    original = sorted(own_home.received.rglob("*-loans_C1901150100001_202610.csv"))[0]
    lines = original.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = {name: i for i, name in enumerate(header)}
    target = next(
        n
        for n, line in enumerate(lines[1:], start=1)
        if line.split(",")[at["industry_code"]].startswith("C")
    )
    fields = lines[target].split(",")
    fields[at["balance"]] = f"{Decimal(fields[at['balance']]) + Decimal('1000.00'):.2f}"
    fields[at["balance_cny"]] = f"{Decimal(fields[at['balance_cny']]) + Decimal('1000.00'):.2f}"
    lines[target] = ",".join(fields)
    resent = own_home.inbox / "loans_C1901150100001_202610_v2.csv"
    resent.write_text("\n".join(lines) + "\n", encoding="utf-8")

    assert main(["--home", str(own_home.root), "refresh"]) == 0
    _, after, _ = _sql(own_home, everything, capsys)
    old_rows = {(r["bank_code"], r["period"]): r for r in csv.DictReader(io.StringIO(before))}
    new_rows = {(r["bank_code"], r["period"]): r for r in csv.DictReader(io.StringIO(after))}
    changed = {key for key in old_rows if old_rows[key] != new_rows[key]}
    assert changed == {("C1901150100001", "2026-10-31")}
    key = ("C1901150100001", "2026-10-31")
    assert Decimal(new_rows[key]["mfg_loans"]) - Decimal(old_rows[key]["mfg_loans"]) == 1000

    con = duckdb.connect(str(own_home.build_db), read_only=True)
    statuses = con.execute(
        "select file_name, status from audit.submissions where reporter = 'C1901150100001' "
        "and period = date '2026-10-31' and kind = 'loans' order by submission_id"
    ).fetchall()
    con.close()
    assert [s for _, s in statuses] == ["superseded", "accepted"]

    capsys.readouterr()
    code = main(
        [
            "--home",
            str(own_home.root),
            "sql",
            everything,
            "--format",
            "csv",
            "--as-of",
            published_before.isoformat(),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == "\ufeff" + before  # to the cent


def test_as_of_before_anything_was_published_is_refused(demo_home, capsys):
    code = main(["--home", str(demo_home.root), "sql", "select 1", "--as-of", "2020-01-01"])
    assert code == 1
    assert "nothing had been published" in capsys.readouterr().err


def test_breaking_a_mart_invariant_blocks_publish_and_says_why(own_home, capsys):
    # A bug upstream (simulated by editing the build warehouse behind the gate's back) makes
    # one bank's all-loan total smaller than its manufacturing loans.
    con = duckdb.connect(str(own_home.build_db), read_only=True)
    sid = con.execute(
        "select submission_id from audit.submissions where kind = 'loan_totals' and status = "
        "'accepted' and reporter = ? and period = date '2026-10-31'",
        ["C1901150100001"],
    ).fetchone()[0]
    con.close()
    stored = own_home.raw / "loan_totals" / f"{sid}.parquet"
    broken = pl.read_parquet(stored).with_columns(
        pl.lit(Decimal("1.00"), pl.Decimal(18, 2)).alias("total_loans")
    )
    broken.write_parquet(stored)
    published = _sha(own_home.published_db)
    versions = sorted(own_home.history_dir.iterdir())
    capsys.readouterr()
    assert main(["--home", str(own_home.root), "build"]) == 1
    out, err = capsys.readouterr()
    assert "MB-E-001" in err and "MB-E-002" in err and "C1901150100001 2026-10-31" in err
    assert "the published warehouse is unchanged" in err
    assert _sha(own_home.published_db) == published
    assert sorted(own_home.history_dir.iterdir()) == versions


def test_demo_fills_every_plan_enterprise_and_cluster_mart(demo_home):
    for table in (
        "plan_target_progress",
        "enterprise_financing",
        "cluster_financing",
        "listing_funnel",
    ):
        count = run_query(demo_home.published_db, f"select count(*) from marts.{table}")
        assert count.rows[0][0] > 0, table
    verdicts = run_query(
        demo_home.published_db,
        "select distinct on_track from marts.plan_target_progress where on_track is not null",
    )
    assert {row[0] for row in verdicts.rows} == {True, False}


@pytest.mark.parametrize("timeout", ["inf", "-1", "nan", "0", "soon"])
def test_sql_timeout_must_be_a_finite_positive_number(demo_home, capsys, timeout):
    assert main(["--home", str(demo_home.root), "sql", "select 1", "--timeout", timeout]) == 2
    assert "seconds > 0" in capsys.readouterr().err


def test_sql_csv_opens_in_excel_and_never_runs_a_formula(demo_home, capsys):
    code, out, err = _sql(
        demo_home,
        "select '=HYPERLINK(\"http://x\",\"y\")' as name, '+SUM(A1)' as other, -1.5 as number",
        capsys,
    )
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["name", "other", "number"],
        ['\'=HYPERLINK("http://x","y")', "'+SUM(A1)", "-1.5"],
    ]


def test_sql_says_when_the_row_cap_cut_the_result(demo_home, capsys):
    capsys.readouterr()
    code = main(
        [
            "--home",
            str(demo_home.root),
            "sql",
            "select * from range(50)",
            "--format",
            "csv",
            "--max-rows",
            "10",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert len(out.removeprefix("\ufeff").splitlines()) == 1 + 10
    assert "more than 10 rows" in err and "--max-rows" in err


def test_sql_memory_limit_holds_for_a_three_gigabyte_string(demo_home, capsys):
    capsys.readouterr()
    started = time.monotonic()
    code = main(
        [
            "--home",
            str(demo_home.root),
            "sql",
            "select length(repeat('x', 3000000000))",
            "--timeout",
            "5",
        ]
    )
    _, err = capsys.readouterr()
    assert code == 1 and time.monotonic() - started < 15
    assert "memory limit" in err and "内存" in err


def test_a_reader_that_stops_early_gets_no_traceback(demo_home):
    zhirong = Path(sys.executable).with_name("zhirong")
    run = subprocess.Popen(
        [
            str(zhirong),
            "--home",
            str(demo_home.root),
            "sql",
            "select * from range(100000)",
            "--format",
            "csv",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    run.stdout.readline()
    run.stdout.close()  # like `| head -1`
    err = run.stderr.read().decode()
    assert run.wait() == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
