"""City figures on a comparable basis (可比口径, contract §4) and the scorecard rules that make
not filing cost (contract §7), through the whole pipeline on a fixture worked out by hand.

Three banks, each month's manufacturing book a credit MLT line and a one-year guaranteed
line issued within the month (so MLT = credit, and the short line is the month's 投放):

    bank  month     MLT+credit  short  M      T (all loans)
    A     2023-12   600         400    1000   10000
          2024-06   700         400    1100   10500
          2024-12   800         400    1200   11000
          2025-06   900         420    1320   12000
    B     2023-12   1000        1000   2000   20000
          2024-06   1100        1000   2100   20000
          2024-12   1050        1000   2050   20500
          2025-06   1000        900    1900   (totals withheld)
    N     2024-12   300         200    500    4000     (active from 2024-07)
          2025-06   600         200    800    5000

Every file arrived on the 10th of the next month. A twin home has B's 2025-06 totals
(T = 21000): what B would have scored had it filed."""

from datetime import date, datetime

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import (
    BANK_A,
    BANK_B,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    arrived,
    loan,
    totals_matching,
    write_csv,
)

pytestmark = pytest.mark.integration

NEW = "C6903150600003"  # 海峡银行重庆分行: the registry has it active from 2024-07
SILENT = "C3901150300001"  # a registered sample bank that sends nothing
BOOKS = {
    BANK_A: {
        "2023-12": (600, 400, 10000),
        "2024-06": (700, 400, 10500),
        "2024-12": (800, 400, 11000),
        "2025-06": (900, 420, 12000),
    },
    BANK_B: {
        "2023-12": (1000, 1000, 20000),
        "2024-06": (1100, 1000, 20000),
        "2024-12": (1050, 1000, 20500),
        "2025-06": (1000, 900, None),
    },
    NEW: {"2024-12": (300, 200, 4000), "2025-06": (600, 200, 5000)},
}
JUNE_2025 = date(2025, 6, 30)


def _write(home_root, b_total_june=None):
    inbox = home_root / "inbox"
    for bank, months in BOOKS.items():
        for period, (mlt, short, total) in months.items():
            year, month = int(period[:4]), int(period[5:])
            if bank == BANK_B and period == "2025-06":
                total = b_total_june
            rows = [
                loan(
                    bank_code=bank,
                    report_period=period,
                    loan_id=f"{bank}-mlt",
                    issue_date="2023-01-10",
                    maturity_date="2030-01-10",
                    guarantee_type="D",
                    balance=str(mlt),
                    balance_cny=str(mlt),
                ),
                loan(
                    bank_code=bank,
                    report_period=period,
                    loan_id=f"{bank}-short",
                    issue_date=f"{period}-05",
                    maturity_date=f"{year + 1}-{month:02d}-05",
                    guarantee_type="C",
                    balance=str(short),
                    balance_cny=str(short),
                ),
            ]
            files = [write_csv(inbox / f"loans_{bank}_{period}.csv", rows, LOAN_HEADERS)]
            if total is not None:
                files.append(
                    write_csv(
                        inbox / f"totals_{bank}_{period}.csv",
                        [{**totals_matching(rows), "total_loans": str(total)}],
                        TOTAL_HEADERS,
                    )
                )
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            for path in files:
                arrived(path, datetime(next_year, next_month, 10, 2))


def _published(root):
    assert main(["--home", str(root), "refresh"]) == 0
    return duckdb.connect(str(root / "published" / "zhirong.duckdb"), read_only=True)


@pytest.fixture(scope="module")
def homes(tmp_path_factory):
    withheld, sent = tmp_path_factory.mktemp("withheld"), tmp_path_factory.mktemp("sent")
    _write(withheld)
    _write(sent, b_total_june=21000)
    withheld_con, sent_con = _published(withheld), _published(sent)
    yield withheld_con, sent_con
    withheld_con.close()
    sent_con.close()


@pytest.fixture(scope="module")
def published(homes):
    return homes[0]


def _row(con, sql, params):
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _city(con, period):
    return _row(con, "select * from marts.city_loan_metrics where period = ?", [period])


def _card(con, bank, period=JUNE_2025):
    return _row(
        con, "select * from marts.bank_scorecard where bank_code = ? and period = ?", [bank, period]
    )


def test_city_balances_count_every_file_accepted(published):
    city = _city(published, JUNE_2025)
    # Manufacturing over the three loans files; all loans over A's and N's totals only.
    assert city["mfg_loans"] == 1320 + 1900 + 800
    assert city["total_loans"] == 12000 + 5000
    assert (city["banks_reporting"], city["banks_with_totals"]) == (3, 2)
    assert city["mfg_new_loans"] == 420 + 900 + 200


def test_city_shares_use_banks_with_both_files(published):
    city = _city(published, JUNE_2025)
    assert city["banks_in_share"] == 2
    assert city["mfg_loan_share"] == pytest.approx((1320 + 800) / (12000 + 5000))
    assert city["mfg_mlt_share"] == pytest.approx((900 + 600) / (1320 + 800))


def test_city_growth_compares_the_same_banks_at_both_ends(published):
    city = _city(published, JUNE_2025)
    # Only A had both files in 2024-06 and in 2025-06 (B withheld its totals, N was not
    # there a year earlier). Mixing sets would say (1320 + 800) / (1100 + 2100) − 1 = −34 %.
    assert city["banks_in_yoy"] == 1
    assert city["mfg_loans_yoy_growth"] == pytest.approx(1320 / 1100 - 1)
    assert city["total_loans_yoy_growth"] == pytest.approx(12000 / 10500 - 1)
    assert city["growth_gap"] == pytest.approx(1320 / 1100 - 12000 / 10500)
    assert city["mfg_mlt_loans_yoy_growth"] == pytest.approx(900 / 700 - 1)
    assert city["mfg_credit_loans_yoy_growth"] == pytest.approx(900 / 700 - 1)
    assert city["mfg_mlt_share_yoy_change"] == pytest.approx(900 / 1320 - 700 / 1100)
    # 比年初 over the three banks with loans files now and in 2024-12.
    assert city["banks_in_ytd"] == 3
    assert city["mfg_loans_ytd_increment"] == (1320 - 1200) + (1900 - 2050) + (800 - 500)
    # 同比多增 over A and B (N has no 2023-12): each bank's increment against a year before.
    assert city["mfg_loans_ytd_increment_yoy_change"] == ((1320 - 1200) - (1100 - 1000)) + (
        (1900 - 2050) - (2100 - 2000)
    )
    # 年均 from 2023-12 over 18 months, over A only (B has no totals now, N no baseline).
    assert city["banks_in_avg_growth"] == 1
    assert city["mfg_loans_avg_annual_growth"] == pytest.approx((1320 / 1000) ** (12 / 18) - 1)
    assert city["total_loans_avg_annual_growth"] == pytest.approx((12000 / 10000) ** (12 / 18) - 1)


def test_a_bank_entering_never_moves_city_growth(published):
    city = _city(published, date(2024, 12, 31))
    # N's first month: in the balances, not in any growth rate (A and B at both ends).
    assert (city["banks_reporting"], city["banks_in_yoy"]) == (3, 2)
    assert city["mfg_loans"] == 1200 + 2050 + 500
    assert city["mfg_loans_yoy_growth"] == pytest.approx((1200 + 2050) / (1000 + 2000) - 1)
    assert city["total_loans_yoy_growth"] == pytest.approx((11000 + 20500) / (10000 + 20000) - 1)


def test_the_plan_growth_target_compares_the_two_average_growth_rates(published):
    row = _row(
        published,
        "select actual_value, as_of_period from marts.plan_target_progress "
        "where target_code = 'mfg_growth_gap' and year = ?",
        [2025],
    )
    assert row["as_of_period"] == JUNE_2025
    assert row["actual_value"] == pytest.approx(
        (1320 / 1000) ** (12 / 18) - (12000 / 10000) ** (12 / 18)
    )
    first_year = _row(
        published,
        "select actual_value from marts.plan_target_progress "
        "where target_code = 'mfg_growth_gap' and year = 2024",
        [],
    )
    assert first_year["actual_value"] == pytest.approx(3250 / 3000 - 31500 / 30000)


def test_new_bank_metrics_by_hand_and_null_without_the_baseline(published):
    n = _row(
        published,
        "select * from marts.bank_loan_metrics where bank_code = ? and period = ?",
        [NEW, JUNE_2025],
    )
    assert n["mfg_new_loans"] == 200
    assert n["mfg_loans_ytd_increment"] == 800 - 500
    for column in (
        "mfg_loans_yoy_growth",
        "mfg_mlt_loans_yoy_growth",
        "mfg_loans_ytd_increment_yoy_change",
        "mfg_loans_avg_annual_growth",
        "total_loans_avg_annual_growth",
    ):
        assert n[column] is None, column
    a = _row(
        published,
        "select * from marts.bank_loan_metrics where bank_code = ? and period = ?",
        [BANK_A, JUNE_2025],
    )
    assert a["mfg_loans_ytd_increment_yoy_change"] == (1320 - 1200) - (1100 - 1000)
    assert a["mfg_loans_avg_annual_growth"] == pytest.approx(1.32 ** (12 / 18) - 1)


def test_withholding_a_file_scores_zero_for_what_it_feeds(published):
    card = _card(published, BANK_B)
    assert card["zeroed_indicators"] == "growth_gap,mfg_loan_share"
    assert (card["growth_gap_score"], card["mfg_loan_share_score"]) == (0, 0)
    assert (card["missing_files"], card["data_quality_score"]) == (1, 75)
    # MLT (= credit) share 1000/1900 against 1100/2100 a year before.
    change = 60 + 20 * 100 * (1000 / 1900 - 1100 / 2100)
    assert card["mlt_share_change_score"] == pytest.approx(change)
    assert card["composite_score"] == round((20 * change * 2 + 10 * 75) / 100, 2)
    assert card["grade"] == "D" and card["is_graded"] and card["rank_city"] is not None


def test_a_bank_that_withholds_a_file_never_scores_higher_than_if_it_had_sent_it(homes):
    withheld, sent = (_card(con, BANK_B) for con in homes)
    # Sent: gap −14.5 pp → 0, share alone in its group among valued banks → re-weighted,
    # data quality 100: (40 · change + 10 · 100) / 80.
    change = 60 + 20 * 100 * (1000 / 1900 - 1100 / 2100)
    assert sent["composite_score"] == round((40 * change + 1000) / 80, 2)
    assert sent["composite_score"] > withheld["composite_score"]
    for period in (date(2024, 6, 30), date(2024, 12, 31)):
        assert (
            _card(homes[1], BANK_B, period)["composite_score"]
            == _card(homes[0], BANK_B, period)["composite_score"]
        )


def test_a_bank_below_the_coverage_floor_is_not_graded_or_ranked(published):
    card = _card(published, NEW)
    # Not active 12 months earlier: growth gap and both share changes (70 of 100) are
    # re-weighted; its two 外资银行 peers sent nothing, so its share has no valued peer to be
    # ranked against (20 more). 10 is below the floor of 70.
    assert card["available_weight"] == 10
    assert "alone_in_peer_group" in card["reweighting_reasons"]
    assert (card["is_graded"], card["grade"]) == (False, None)
    assert (card["rank_city"], card["rank_in_peer_group"]) == (None, None)
    assert card["not_graded_reason"].startswith("未评级：可评价权重 10 低于 70（")
    assert "only 10 of 100 weight can be evaluated, below 70" in card["not_graded_reason"]
    assert "not_active_a_year_before" in card["reweighting_reasons"]
    ranked = published.execute(
        "select count(*) from marts.bank_scorecard where period = ? and rank_city is not null",
        [JUNE_2025],
    ).fetchone()[0]
    assert ranked == card["banks_ranked"] == 25


def test_a_bank_that_files_nothing_appears_and_loses_data_quality(published):
    rows = published.execute(
        "select kind, is_expected, is_missing, filing_state, due_date from marts.filing_status"
        " where bank_code = ? and period = ? order by kind",
        [SILENT, JUNE_2025],
    ).fetchall()
    assert rows == [
        ("loan_totals", True, True, "missing", date(2025, 7, 15)),
        ("loans", True, True, "missing", date(2025, 7, 15)),
    ]
    card = _card(published, SILENT)
    assert (card["missing_files"], card["data_quality_score"], card["grade"]) == (2, 50, "D")
    # N owed nothing before 2024-07: no filing_status rows for it then.
    assert (
        published.execute(
            "select count(*) from marts.filing_status where bank_code = ? "
            "and period < date '2024-07-31'",
            [NEW],
        ).fetchone()[0]
        == 0
    )
