"""Cross-file and plausibility rules: loans against the bank's own totals, month-on-month
manufacturing change, the missing counterpart, late files."""

from datetime import date, datetime

import polars as pl
import pytest

from ingest.reference import load_reference
from quality.crossfile import AGGREGATE_SCHEMA, GateContext, GateSettings, due_date
from quality.gate import Gate, gate_files
from tests.helpers import BANK_A, LOAN_HEADERS, TOTAL_HEADERS, loan, totals, write_csv

# Two manufacturing loans and one other: corporate 3,000,000, manufacturing 2,000,000.
ROWS = [
    loan(loan_id="M1", balance="1000000.00", balance_cny="1000000.00"),
    loan(loan_id="M2", balance="1000000.00", balance_cny="1000000.00"),
    loan(loan_id="O1", industry_code="F5121", balance="1000000.00", balance_cny="1000000.00"),
]


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(
        load_reference(),
        GateSettings(reconcile_warning=0.005, reconcile_error=0.05, mfg_change_bound=0.3),
    )


def _pair(tmp_path, corporate="3000000.00", mfg="2000000.00", context=None, gate=None):
    loans = write_csv(tmp_path / "loans.csv", ROWS, LOAN_HEADERS)
    sums = write_csv(
        tmp_path / "totals.csv",
        [totals(corporate_loans=corporate, mfg_loans_reported=mfg)],
        TOTAL_HEADERS,
    )
    return gate_files(gate, [(1, loans, loans.name), (2, sums, sums.name)], context).result


def _known(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(AGGREGATE_SCHEMA, r, strict=True)) for r in rows], schema=AGGREGATE_SCHEMA
    )


def test_a_matching_pair_reconciles(gate, tmp_path):
    result = _pair(tmp_path, gate=gate)
    assert result.verdicts[1].rules == {} and result.verdicts[2].rules == {}


def test_a_small_corporate_gap_is_a_warning_on_both_files(gate, tmp_path):
    # Loan lines 3,000,000 vs totals 2,970,000: +1.01%, past 0.5% but within 5%.
    result = _pair(tmp_path, corporate="2970000.00", gate=gate)
    assert result.verdicts[1].rules == {"LN-W-030": 1}
    assert result.verdicts[2].rules == {"LT-W-030": 1}
    assert result.verdicts[1].accepted
    value = result.findings.filter(pl.col("rule_id") == "LN-W-030")["value"][0]
    assert "3000000.0" in value and "2970000.0" in value


def test_a_large_corporate_gap_rejects(gate, tmp_path):
    result = _pair(tmp_path, corporate="2000000.00", mfg="2000000.00", gate=gate)
    assert result.verdicts[1].rules == {"LN-E-030": 1}
    assert not result.verdicts[1].accepted and not result.verdicts[2].accepted


def test_manufacturing_gap_bands(gate, tmp_path):
    warned = _pair(tmp_path, mfg="2020000.00", gate=gate)  # −0.99%
    assert warned.verdicts[1].rules == {"LN-W-031": 1}
    rejected = _pair(tmp_path, mfg="2500000.00", gate=gate)  # −20%
    assert rejected.verdicts[1].rules == {"LN-E-031": 1}


def test_totals_of_zero_against_real_loan_lines_are_an_error_not_a_pass(gate, tmp_path):
    # 3,000,000 of lines against totals of 0: nothing to divide by, and as far off as can be.
    result = _pair(tmp_path, corporate="0.00", mfg="0.00", gate=gate)
    assert result.verdicts[1].rules == {"LN-E-030": 1, "LN-E-031": 1}
    assert not result.verdicts[1].accepted and not result.verdicts[2].accepted
    value = result.findings.filter(pl.col("rule_id") == "LN-E-031")["value"][0]
    assert "2000000.0" in value and "0.0" in value
    # Zero on both sides agrees: a bank with no loans at all reconciles.
    empty = [loan(loan_id="Z1", balance="0.00", balance_cny="0.00")]
    loans = write_csv(tmp_path / "zero.csv", empty, LOAN_HEADERS)
    sums = write_csv(
        tmp_path / "zero_totals.csv",
        [totals(corporate_loans="0.00", mfg_loans_reported="0.00")],
        TOTAL_HEADERS,
    )
    both_zero = gate_files(gate, [(1, loans, loans.name), (2, sums, sums.name)], None).result
    assert both_zero.verdicts[1].rules == {}


def test_totals_arriving_after_the_loans_reconcile_against_the_warehouse(gate, tmp_path):
    sums = write_csv(
        tmp_path / "t.csv",
        [totals(corporate_loans="3000000.00", mfg_loans_reported="1000000.00")],
        TOTAL_HEADERS,
    )
    known = _known((7, "loans", BANK_A, date(2026, 10, 31), 3_000_000.0, 2_000_000.0))
    result = gate_files(gate, [(8, sums, sums.name)], GateContext(known=known)).result
    # The bank says 1,000,000 of manufacturing; its lines held 2,000,000: +100%.
    assert result.verdicts[8].rules == {"LT-E-031": 1}


def test_a_manufacturing_jump_on_the_month_before_is_a_warning(gate, tmp_path):
    known = _known((5, "loans", BANK_A, date(2026, 9, 30), 3_000_000.0, 1_000_000.0))
    result = _pair(tmp_path, context=GateContext(known=known), gate=gate)
    assert result.verdicts[1].rules == {"LN-W-032": 1}  # 1,000,000 → 2,000,000: +100%
    steady = _known((5, "loans", BANK_A, date(2026, 9, 30), 3_000_000.0, 1_800_000.0))
    result = _pair(tmp_path, context=GateContext(known=steady), gate=gate)
    assert result.verdicts[1].rules == {}  # +11%


def test_files_sent_after_the_due_day_are_late(gate, tmp_path):
    assert due_date(date(2026, 10, 31), 15) == date(2026, 11, 15)
    assert due_date(date(2026, 12, 31), 15) == date(2027, 1, 15)
    late = GateContext(received_at={1: datetime(2026, 11, 16, 1), 2: datetime(2026, 11, 15, 9)})
    result = _pair(tmp_path, context=late, gate=gate)
    assert result.verdicts[1].rules == {"LN-W-034": 1}
    assert result.verdicts[2].rules == {}
    value = result.findings.filter(pl.col("rule_id") == "LN-W-034")["value"][0]
    assert "2026-11-16" in value and "2026-11-15" in value


def test_tolerances_are_settings(tmp_path):
    strict = Gate(load_reference(), GateSettings(reconcile_warning=0.0001, reconcile_error=0.001))
    result = _pair(tmp_path, corporate="2997000.00", gate=strict)  # +0.1001%
    assert result.verdicts[1].rules == {"LN-E-030": 1}
