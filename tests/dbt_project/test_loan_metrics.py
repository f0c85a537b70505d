"""The 督导评价 loan metrics through the whole pipeline, on files small enough to compute by
hand. Bank A files three month-ends; bank B only the last one."""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import (
    BANK_A,
    BANK_B,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    loan,
    totals_matching,
    write_csv,
)

pytestmark = pytest.mark.integration

MFG, OTHER = "C3612", "F5121"
MLT = {"issue_date": "2024-01-10", "maturity_date": "2027-01-10"}
# Exactly one year: short-term by the calendar rule.
ONE_YEAR = {"issue_date": "2025-06-01", "maturity_date": "2026-06-01"}


def _files(inbox):
    a = {"bank_code": BANK_A}
    months = {
        "2025-10": (
            [
                loan(
                    **a, **MLT, loan_id="L1", industry_code=MFG, guarantee_type="D", balance="600"
                ),
                loan(
                    **a,
                    **ONE_YEAR,
                    loan_id="L2",
                    industry_code=MFG,
                    guarantee_type="E",
                    balance="400",
                ),
                loan(
                    **a,
                    **MLT,
                    loan_id="L3",
                    industry_code=OTHER,
                    guarantee_type="D",
                    balance="1000",
                ),
            ],
            "10000",
        ),
        "2025-12": (
            [
                loan(
                    **a, **MLT, loan_id="L1", industry_code=MFG, guarantee_type="D", balance="500"
                ),
                loan(
                    **a,
                    **ONE_YEAR,
                    loan_id="L2",
                    industry_code=MFG,
                    guarantee_type="E",
                    balance="400",
                ),
                loan(
                    **a, **MLT, loan_id="L5", industry_code=MFG, guarantee_type="D", balance="300"
                ),
            ],
            "11000",
        ),
        "2026-10": (
            [
                loan(
                    **a, **MLT, loan_id="L1", industry_code=MFG, guarantee_type="D", balance="400"
                ),
                loan(
                    **a, **MLT, loan_id="L5", industry_code=MFG, guarantee_type="D", balance="300"
                ),
                loan(
                    **a,
                    loan_id="L6",
                    industry_code=MFG,
                    guarantee_type="C01",
                    balance="1300",
                    issue_date="2026-05-01",
                    maturity_date="2026-11-01",
                ),
                loan(
                    **a,
                    **MLT,
                    loan_id="L3",
                    industry_code=OTHER,
                    guarantee_type="D",
                    balance="2000",
                ),
            ],
            "12500",
        ),
    }
    for period, (rows, total) in months.items():
        for row in rows:
            row.update(report_period=period, balance_cny=row["balance"])
        write_csv(inbox / f"loans_A_{period}.csv", rows, LOAN_HEADERS)
        # The bank's own totals agree with its lines (the reconciliation rules hold).
        write_csv(
            inbox / f"totals_A_{period}.csv",
            [{**totals_matching(rows), "total_loans": total}],
            TOTAL_HEADERS,
        )
    b = [
        loan(
            bank_code=BANK_B,
            report_period="2026-10",
            loan_id="B1",
            industry_code=MFG,
            guarantee_type="D",
            balance="500",
            balance_cny="500",
            **MLT,
        )
    ]
    write_csv(inbox / "loans_B_2026-10.csv", b, LOAN_HEADERS)
    write_csv(
        inbox / "totals_B_2026-10.csv",
        [{**totals_matching(b), "total_loans": "5000"}],
        TOTAL_HEADERS,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("hand")
    _files(root / "inbox")
    assert main(["--home", str(root), "refresh"]) == 0
    con = duckdb.connect(str(root / "published" / "zhirong.duckdb"), read_only=True)
    yield con
    con.close()


def _row(con, table, where, params):
    cursor = con.execute(f"select * from marts.{table} where {where}", params)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_bank_a_october_2026_by_hand(published):
    row = _row(
        published, "bank_loan_metrics", "bank_code = ? and period = ?", [BANK_A, date(2026, 10, 31)]
    )
    # M = 400 + 300 + 1300; MLT = L1 + L5; credit (D) = L1 + L5; L6 is 保证 and short.
    assert row["mfg_loans"] == Decimal("2000.00")
    assert row["mfg_mlt_loans"] == Decimal("700.00")
    assert row["mfg_credit_loans"] == Decimal("700.00")
    assert row["total_loans"] == Decimal("12500.00")
    assert row["mfg_loan_share"] == pytest.approx(2000 / 12500)
    assert row["mfg_mlt_share"] == pytest.approx(0.35)
    assert row["mfg_credit_share"] == pytest.approx(0.35)
    # A year earlier: M = 600 + 400 = 1000 (L3 is not manufacturing), T = 10000.
    assert row["mfg_loans_yoy_growth"] == pytest.approx(1.0)
    assert row["total_loans_yoy_growth"] == pytest.approx(0.25)
    assert row["growth_gap"] == pytest.approx(0.75)
    # Last December: M = 500 + 400 + 300 = 1200.
    assert row["mfg_loans_ytd_increment"] == Decimal("800.00")
    # 2025-10: MLT share 600/1000 (L2 is exactly one year), credit share 600/1000 (L2 is E).
    assert row["mfg_mlt_share_yoy_change"] == pytest.approx(0.35 - 0.6)
    assert row["mfg_credit_share_yoy_change"] == pytest.approx(0.35 - 0.6)
    assert (row["bank_name"], row["bank_type"]) == ("神州工业银行重庆市分行", "国有大型商业银行")


def test_bank_b_without_history_has_null_comparisons_not_zero(published):
    row = _row(
        published, "bank_loan_metrics", "bank_code = ? and period = ?", [BANK_B, date(2026, 10, 31)]
    )
    assert row["mfg_loans"] == Decimal("500.00")
    assert row["mfg_loan_share"] == pytest.approx(0.1)
    for column in (
        "mfg_loans_yoy_growth",
        "total_loans_yoy_growth",
        "growth_gap",
        "mfg_loans_ytd_increment",
        "mfg_mlt_share_yoy_change",
    ):
        assert row[column] is None, column


def test_city_sums_balances_before_dividing(published):
    row = _row(published, "city_loan_metrics", "period = ?", [date(2026, 10, 31)])
    assert row["total_loans"] == Decimal("17500.00")
    assert row["mfg_loans"] == Decimal("2500.00")
    assert row["mfg_mlt_loans"] == Decimal("1200.00")
    assert row["mfg_loan_share"] == pytest.approx(2500 / 17500)
    assert (row["banks_reporting"], row["banks_in_share"]) == (2, 2)
    # 可比口径: only bank A filed a year earlier, so the city grows as A does (M 1000 →
    # 2000, T 10000 → 12500) — B's arrival is not growth.
    assert row["banks_in_yoy"] == 1
    assert row["mfg_loans_yoy_growth"] == pytest.approx(1.0)
    assert row["total_loans_yoy_growth"] == pytest.approx(0.25)


def test_december_ytd_compares_with_the_december_before(published):
    row = _row(
        published, "bank_loan_metrics", "bank_code = ? and period = ?", [BANK_A, date(2025, 12, 31)]
    )
    # No 2024-12 file: the increment cannot be known.
    assert row["mfg_loans_ytd_increment"] is None
    assert row["mfg_loans"] == Decimal("1200.00")
