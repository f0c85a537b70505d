"""The plan's money through the whole pipeline (files → gate → raw store → dbt → published
marts), on cases worked out by hand: interest and guarantee-fee subsidies with their caps,
bridge loans, the 4:2:2:2 loss sharing, 瞪羚 / 独角兽 rewards and the white-list pipeline.
The claims and the compensation arrive in the same run as the loans file they name (the
gate finds the loans staged); a later claim is checked against the loans in the store."""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import (
    BANK_A,
    GUARANTOR_USCC,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    VALID_USCCS,
    bridge_loan,
    compensation,
    enterprise,
    fund,
    loan,
    rows_of,
    subsidy_claim,
    totals_matching,
    whitelist_push,
    write_csv,
)

pytestmark = pytest.mark.integration

X, Y, Z, W = VALID_USCCS
TECH = "技改专项贷"
WAN = Decimal(10_000)


def _loans() -> list[dict[str, str]]:
    """Bank A's March 2026 file: four 技改专项贷 loans (X, Y, and Z twice) and X's 订单贷."""
    lines = {
        "L1": (X, TECH, "15000000.00"),
        "L2": (Y, TECH, "250000000.00"),
        "L3": (Z, TECH, "500000000.00"),
        "L4": (Z, TECH, "333333333.33"),
        "L5": (X, "订单贷", "20000000.00"),
    }
    return [
        loan(
            report_period="2026-03",
            loan_id=loan_id,
            borrower_uscc=borrower,
            product=product,
            balance=balance,
            balance_cny=balance,
        )
        for loan_id, (borrower, product, balance) in lines.items()
    ]


def _claims() -> list[dict[str, str]]:
    return [
        # 4 % and 60万 of interest: 50 % of the rate binds (2 % ÷ 4 % is 50 % too) → 30万.
        subsidy_claim(
            claim_id="C1",
            loan_id="L1",
            loan_amount="15000000.00",
            actual_rate="4.00",
            interest_paid="600000.00",
            # A fee of 1.2 % a year is above the 1 % ceiling: no fee subsidy.
            guarantor_uscc=W,
            guarantor_name="重庆甲担保有限公司",
            guarantee_fee_rate="1.20",
            guarantee_fee_paid="180000.00",
        ),
        # 5 % and 1250万: 50 % would be 625万, but 2 % of the loan (2 ÷ 5 = 40 %) binds → 500万.
        subsidy_claim(
            claim_id="C2",
            enterprise_uscc=Y,
            enterprise_name="重庆乙丙科技有限公司",
            loan_id="L2",
            loan_amount="250000000.00",
            actual_rate="5.00",
            interest_paid="12500000.00",
            # 0.8 % with 300万 paid: 50 % is 150万, capped at 100万 per guarantor and year.
            guarantor_uscc=GUARANTOR_USCC,
            guarantor_name="重庆乙担保有限公司",
            guarantee_fee_rate="0.80",
            guarantee_fee_paid="3000000.00",
        ),
        # One project of Z, two claims: 3 % → 50 % of 1500万 = 750万 and of 1000万 = 500万;
        # together 1250万, so the second gets what is left of the 1000万 cap: 250万.
        subsidy_claim(
            claim_id="C3",
            enterprise_uscc=Z,
            enterprise_name="重庆丁戊汽车有限公司",
            project_name="整线改造",
            loan_id="L3",
            loan_amount="500000000.00",
            actual_rate="3.00",
            interest_paid="15000000.00",
        ),
        subsidy_claim(
            claim_id="C4",
            enterprise_uscc=Z,
            enterprise_name="重庆丁戊汽车有限公司",
            project_name="整线改造",
            loan_id="L4",
            loan_amount="333333333.33",
            actual_rate="3.00",
            interest_paid="10000000.00",
        ),
    ]


def _files(inbox: Path) -> None:
    rows = _loans()
    write_csv(inbox / "loans_2026-03.csv", rows, LOAN_HEADERS)
    write_csv(
        inbox / "totals_2026-03.csv",
        [{**totals_matching(rows), "report_period": "2026-03"}],
        TOTAL_HEADERS,
    )
    write_csv(inbox / "claims_2026.csv", _claims())
    write_csv(
        inbox / "register_2026-03.csv",
        [
            enterprise(uscc=X, designations="瞪羚", as_of="2026-03-31"),
            enterprise(
                uscc=Y, name="重庆乙丙科技有限公司", designations="独角兽", as_of="2026-03-31"
            ),
            enterprise(
                uscc=Z, name="重庆丁戊汽车有限公司", designations="双百", as_of="2026-03-31"
            ),
            enterprise(
                uscc=W, name="重庆己庚精密有限公司", designations="专精特新", as_of="2026-03-31"
            ),
        ],
    )
    # X's first round, 3亿 (0.5 % = 150万, capped at 100万 for 瞪羚), and Y's 5亿 (250万, under
    # the 独角兽 cap of 500万); X's second round later earns nothing more.
    write_csv(
        inbox / "funds_2026-03.csv",
        [
            fund(deal_id="D1", investee_uscc=X, invest_date="2026-03-10", amount="300000000"),
            fund(deal_id="D2", investee_uscc=Y, invest_date="2026-03-12", amount="500000000"),
        ],
    )
    write_csv(
        inbox / "funds_2026-05.csv",
        [fund(deal_id="D3", investee_uscc=X, invest_date="2026-05-10", amount="100000000")],
    )
    write_csv(
        inbox / "bridges_2026-04.csv",
        [
            # 2000万 for 10 days at 3.65 %: 20,000 元 due, as charged.
            bridge_loan(
                bridge_id="B1", enterprise_uscc=X, start_date="2026-04-01", end_date="2026-04-11"
            ),
            # 双百: 6000万 is within the 8000万 cap.
            bridge_loan(
                bridge_id="B2",
                enterprise_uscc=Z,
                amount="60000000.00",
                start_date="2026-04-02",
                end_date="2026-04-12",
                fee_charged="60000.00",
            ),
            # Not 双百: 6000万 is 3000万 over the 3000万 cap.
            bridge_loan(
                bridge_id="B3",
                enterprise_uscc=Y,
                amount="60000000.00",
                start_date="2026-04-03",
                end_date="2026-04-13",
                fee_charged="60000.00",
            ),
            # 专精特新 pays no fee: the 20,000 元 charged is all overcharged.
            bridge_loan(
                bridge_id="B4", enterprise_uscc=W, start_date="2026-04-05", end_date="2026-04-15"
            ),
        ],
    )
    write_csv(
        inbox / "compensations_2026-05.csv",
        [compensation(case_id="G1", loan_id="L5", compensation_date="2026-05-20")],
    )
    write_csv(
        inbox / "pushes_2026-04.csv",
        [
            whitelist_push(push_id="P1", push_date="2026-04-01", status_date="2026-04-01"),
            whitelist_push(
                push_id="P1", push_date="2026-04-01", status="已对接", status_date="2026-04-10"
            ),
            whitelist_push(
                push_id="P2", enterprise_uscc=Y, push_date="2026-04-15", status_date="2026-04-15"
            ),
        ],
    )
    write_csv(
        inbox / "pushes_2026-05.csv",
        [
            whitelist_push(
                push_id="P1",
                push_date="2026-04-01",
                status="已授信",
                status_date="2026-05-05",
                amount="5000000.00",
            ),
            whitelist_push(
                push_id="P1",
                push_date="2026-04-01",
                status="已放款",
                status_date="2026-05-20",
                amount="4000000.00",
            ),
            whitelist_push(
                push_id="P2",
                enterprise_uscc=Y,
                push_date="2026-04-15",
                status="不符合条件",
                status_date="2026-05-02",
            ),
        ],
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("money")
    _files(root / "inbox")
    assert main(["--home", str(root), "refresh"]) == 0
    # Later, a claim on X's 订单贷: the loans are now in the store, and L5 is no 技改专项贷.
    write_csv(
        root / "inbox" / "claims_2026_more.csv",
        [subsidy_claim(claim_id="C5", loan_id="L5", loan_amount="20000000.00")],
    )
    assert main(["--home", str(root), "refresh"]) == 1  # a file was rejected
    return root


@pytest.fixture(scope="module")
def published(home):
    con = duckdb.connect(str(home / "published" / "zhirong.duckdb"), read_only=True)
    yield con
    con.close()


def _by(con, table, key):
    return {r[key]: r for r in rows_of(con, f"select * from marts.{table}")}


def test_every_file_of_the_first_run_is_accepted(published):
    statuses = rows_of(
        published,
        "select file_name, status from audit.submissions where file_name <> 'claims_2026_more.csv'",
    )
    assert {r["status"] for r in statuses} == {"accepted"}, statuses


def test_a_claim_on_a_loan_that_is_no_tech_loan_is_rejected_naming_the_loan(published):
    (rejected,) = rows_of(
        published,
        "select submission_id, status from audit.submissions "
        "where file_name = 'claims_2026_more.csv'",
    )
    assert rejected["status"] == "rejected"
    (finding,) = rows_of(
        published,
        "select * from audit.findings where submission_id = ? and severity = 'error'",
        [rejected["submission_id"]],
    )
    assert finding["rule_id"] == "SC-E-021"
    assert finding["row_number"] == 2 and finding["column"] == "loan_id"
    assert finding["value"] == "L5：订单贷"
    assert finding["message_zh"] == "借据中这笔贷款不是技改专项贷（借据号：贷款产品）：L5：订单贷"
    assert finding["message_en"].startswith("the loan is not a 技改专项贷")
    # The rejected file leaves the accepted claims of 2026 in force.
    assert len(rows_of(published, "select * from marts.interest_subsidies")) == 4


def test_interest_subsidies_by_hand(published):
    claims = _by(published, "interest_subsidies", "claim_id")
    assert claims["C1"]["subsidy_due"] == 30 * WAN
    assert claims["C1"]["binding_limit"] == "half_of_rate"
    assert claims["C2"]["computed_subsidy"] == 500 * WAN
    assert claims["C2"]["subsidy_due"] == 500 * WAN
    assert claims["C2"]["binding_limit"] == "two_percent_of_loan"
    assert (
        claims["C3"]["subsidy_due"] == 750 * WAN and claims["C3"]["binding_limit"] == "half_of_rate"
    )
    assert claims["C4"]["computed_subsidy"] == 500 * WAN
    assert claims["C4"]["subsidy_due"] == 250 * WAN
    assert claims["C4"]["binding_limit"] == "project_year_cap"
    assert (
        claims["C3"]["project_year_subsidy"] == claims["C4"]["project_year_subsidy"] == 1000 * WAN
    )
    assert all(c["is_eligible"] and c["rules_version"] == "2024.7" for c in claims.values())
    assert claims["C2"]["loan_highest_balance"] == Decimal("250000000.00")


def test_guarantee_fee_subsidies_by_hand(published):
    fees = _by(published, "guarantee_fee_subsidies", "guarantor_uscc")
    above = fees[W]  # 1.2 % a year: not eligible
    assert (above["eligible_claims"], above["not_eligible_claims"]) == (0, 1)
    assert above["subsidy_due"] == 0 and not above["is_capped"]
    capped = fees[GUARANTOR_USCC]  # 0.8 % on 300万 paid
    assert capped["computed_subsidy"] == 150 * WAN
    assert capped["subsidy_due"] == 100 * WAN and capped["is_capped"]


def test_bridge_loans_by_hand(published):
    bridges = _by(published, "bridge_loans", "bridge_id")
    assert bridges["B1"]["days"] == 10
    assert bridges["B1"]["fee_due"] == Decimal("20000.00") and bridges["B1"]["fee_overcharged"] == 0
    assert bridges["B1"]["cap_amount"] == 3000 * WAN and bridges["B1"]["is_within_cap"]
    assert bridges["B2"]["is_large_private"] and bridges["B2"]["cap_amount"] == 8000 * WAN
    assert bridges["B2"]["is_within_cap"] and bridges["B2"]["fee_due"] == Decimal("60000.00")
    assert not bridges["B3"]["is_within_cap"]
    assert bridges["B3"]["amount_over_cap"] == 3000 * WAN
    assert bridges["B4"]["is_fee_waived"] and bridges["B4"]["fee_due"] == 0
    assert bridges["B4"]["fee_overcharged"] == Decimal("20000.00")


def test_a_loss_is_shared_four_two_two_two(published):
    shares = {r["party"]: r for r in rows_of(published, "select * from marts.risk_sharing")}
    assert {p: r["amount"] for p, r in shares.items()} == {
        "direct_guarantor": 400 * WAN,
        "re_guarantor": 200 * WAN,
        "national_fund": 200 * WAN,
        "bank": 200 * WAN,
    }
    assert shares["direct_guarantor"]["bearer"] == "重庆三峡融资担保集团股份有限公司"
    assert shares["bank"]["bearer"] == "神州工业银行重庆市分行"
    yearly = rows_of(
        published, "select party, amount, cases from marts.risk_sharing_by_year where year = 2026"
    )
    assert sum(r["amount"] for r in yearly) == 1000 * WAN and {r["cases"] for r in yearly} == {1}


def test_gazelle_and_unicorn_first_financing_rewards(published):
    rewards = rows_of(
        published,
        "select * from marts.policy_rewards where reward_type = 'first_fund_financing'",
    )
    by_firm = {r["enterprise_uscc"]: r for r in rewards}
    assert set(by_firm) == {X, Y}  # X's second round earns nothing more
    assert by_firm[X]["reward_basis"] == "瞪羚" and by_firm[X]["basis_id"] == "D1"
    assert by_firm[X]["computed_reward"] == 150 * WAN
    assert by_firm[X]["reward_due"] == 100 * WAN and by_firm[X]["is_capped"]
    assert by_firm[Y]["reward_basis"] == "独角兽"
    assert by_firm[Y]["reward_due"] == 250 * WAN and not by_firm[Y]["is_capped"]


def test_the_white_list_pipeline_by_push_and_by_bank(published):
    pushes = _by(published, "whitelist_pipeline", "push_id")
    lent = pushes["P1"]
    assert str(lent["contacted_on"]) == "2026-04-10" and str(lent["disbursed_on"]) == "2026-05-20"
    assert lent["furthest_stage"] == "已放款" and lent["days_to_loan"] == 49  # 29 + 20 days
    assert lent["disbursed_amount"] == 400 * WAN
    assert pushes["P2"]["furthest_stage"] == "不符合条件" and pushes["P2"]["days_to_loan"] is None
    months = {
        str(r["period"]): r
        for r in rows_of(
            published,
            "select * from marts.whitelist_pipeline_by_bank where bank_code = ?",
            [BANK_A],
        )
    }
    april, may = months["2026-04-30"], months["2026-05-31"]
    assert (april["pushed"], april["contacted"], april["approved"], april["disbursed"]) == (
        2,
        1,
        0,
        0,
    )
    assert (may["pushed"], may["approved"], may["disbursed"]) == (0, 1, 1)
    assert may["median_days_to_loan"] == 49
