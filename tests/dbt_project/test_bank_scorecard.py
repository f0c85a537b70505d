"""The 督导评价 scorecard through the whole pipeline on the six-bank fixture of
tests/helpers.py, every number worked out by hand (contract §7: growth gap 60 + 8 per pp,
share = percentile in the peer group, share changes 60 + 20 per pp, data quality 100 less
15 per late file and 25 per missing file; weights 30/20/20/20/10; A ≥ 85, B ≥ 70, C ≥ 60).
The registry's other 20 sample banks owed files too and sent none: they are scored."""

from datetime import date

import duckdb
import pytest

from orchestration import dbt

pytestmark = pytest.mark.integration

A, B, C, D, E = (f"C190{i}1501000{i:02d}" for i in range(1, 6))
F = "C2901150200001"
SILENT = "C2902150200002"  # a registered sample bank, active since 2023-01, that sent nothing


@pytest.fixture(scope="module")
def cards(scorecard_home):
    con = duckdb.connect(str(scorecard_home.published_db), read_only=True)
    cursor = con.execute("select * from marts.bank_scorecard where period = ?", [date(2026, 9, 30)])
    names = [d[0] for d in cursor.description]
    rows = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    con.close()
    return rows


def test_every_active_bank_scored_once_at_the_quarter_end(cards):
    # The 26 sample banks are active from 2023-01 (seed banks.active_from), except one
    # foreign bank from 2024-07: all 26 owed the quarter's files.
    assert {A, B, C, D, E, F} <= set(cards) and len(cards) == 26
    assert all(
        card["is_quarter_end"] and card["weights_version"] == "2024.1" for card in cards.values()
    )


def test_a_bank_that_sent_nothing_is_scored_and_ranked_last(cards):
    card = cards[SILENT]
    # Both files missing past the due day: 100 − 2 × 25; every other indicator 0.
    assert (card["missing_files"], card["data_quality_score"]) == (2, 50)
    assert card["zeroed_indicators"] == (
        "credit_share_change,growth_gap,mfg_loan_share,mlt_share_change"
    )
    assert card["composite_score"] == 5.0 and card["grade"] == "D" and card["is_graded"]
    # Tied with the other 19 silent banks behind the six that filed.
    assert card["rank_city"] == 7 and card["banks_ranked"] == 26


def test_bank_a_by_hand(cards):
    card = cards[A]
    # M 1000 → 1200 (+20 %), T 10000 → 11000 (+10 %): gap 10 pp → 60 + 80, clamped to 100.
    assert card["growth_gap"] == pytest.approx(0.1)
    assert card["growth_gap_score"] == 100
    # Shares 1200/11000 = 10.9 %; the group's order is D 9 %, B 10 %, E 10.5 %, A, C 11 %.
    assert card["mfg_loan_share_score"] == pytest.approx(75)
    assert card["mlt_share_change_score"] == pytest.approx(60)
    assert card["credit_share_change_score"] == pytest.approx(60)
    assert card["data_quality_score"] == 100
    # (30·100 + 20·75 + 20·60 + 20·60 + 10·100) / 100
    assert card["composite_score"] == pytest.approx(79.0)
    assert card["grade"] == "B"
    assert (card["rank_in_peer_group"], card["peer_group_size"]) == (2, 5)
    assert (card["rank_city"], card["banks_ranked"]) == (2, 26)
    assert card["is_reweighted"] is False


def test_shrinking_shares_score_zero_not_negative(cards):
    card = cards[B]
    # MLT and credit shares both fall from 100 % to 80 %: −20 pp → 60 − 400, clamped to 0.
    assert card["mfg_mlt_share_yoy_change"] == pytest.approx(-0.2)
    assert (card["mlt_share_change_score"], card["credit_share_change_score"]) == (0, 0)
    assert card["composite_score"] == pytest.approx(33.0)
    assert card["grade"] == "D"
    assert card["rank_city"] == 6


def test_rising_mlt_share_and_top_of_group_earn_an_a(cards):
    card = cards[C]
    # MLT share 90 % → 100 %: +10 pp → 60 + 200, clamped; share highest in the group.
    assert card["mlt_share_change_score"] == 100
    assert card["mfg_loan_share_score"] == pytest.approx(100)
    assert card["composite_score"] == pytest.approx(92.0)
    assert (card["grade"], card["rank_in_peer_group"], card["rank_city"]) == ("A", 1, 1)


def test_a_late_file_costs_data_quality_points(cards):
    card = cards[E]
    assert (card["late_files"], card["rejected_files"], card["resubmissions"]) == (1, 0, 0)
    assert card["data_quality_score"] == 85
    # Credit share 100 % → 1040/1050: 60 + 20 × (1040/1050 − 1) × 100.
    credit = 60 + 20 * (1040 / 1050 - 1) * 100
    assert card["credit_share_change_score"] == pytest.approx(credit)
    # gap 5 pp → 100; share 10.5 % is the group's median → 50.
    # Graded on the composite rounded to 2 decimals.
    assert card["composite_score"] == round((3000 + 1000 + 1200 + 20 * credit + 850) / 100, 2)
    assert card["grade"] == "C"


def test_a_bank_alone_among_valued_peers_is_reweighted_not_scored_zero(cards):
    card = cards[F]
    # Its five peers sent nothing: no share to rank it against, through no act of its own.
    assert card["mfg_loan_share_score"] is None
    assert card["is_reweighted"] is True
    assert card["missing_indicators"] == "mfg_loan_share"
    assert card["reweighting_reasons"] == "mfg_loan_share: alone_in_peer_group"
    # (30·60 + 20·60 + 20·60 + 10·100) / 80, 80 of 100 weight: above the floor of 70.
    assert card["composite_score"] == pytest.approx(65.0)
    assert (card["available_weight"], card["is_graded"], card["grade"]) == (80, True, "C")
    assert (card["rank_in_peer_group"], card["peer_group_size"]) == (1, 6)


def test_dbt_unit_tests_pass(scorecard_home):
    # The nightly build leaves them out; the test suite is where they run.
    assert dbt.unit_tests(scorecard_home) == []
