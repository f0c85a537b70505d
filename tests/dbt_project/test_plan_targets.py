"""Plan-target progress, enterprise, cluster and listing marts through the whole pipeline on
a fixture small enough to work out by hand: one bank's loans at 2023-12 and 2024-12, and a
year of bonds, fund deals, IPO events, engagements and the register."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import (
    BANK_A,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    VALID_USCCS,
    bond,
    engagement,
    enterprise,
    fund,
    ipo,
    loan,
    rows_of,
    totals,
    write_csv,
)

pytestmark = pytest.mark.integration

X, Y, Z = VALID_USCCS[:3]
SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
MLT = {"issue_date": "2022-06-01", "maturity_date": "2028-06-01"}


def _short(year):
    return {"issue_date": f"{year}-08-01", "maturity_date": f"{year + 1}-05-01"}


def _files(inbox: Path) -> None:
    a = {"bank_code": BANK_A}
    months = {
        # M = 1000 (MLT 600, credit 600) of T = 20000.
        "2023-12": (
            [
                loan(**a, **MLT, loan_id="L1", guarantee_type="D", balance="600"),
                loan(**a, **_short(2023), loan_id="L2", guarantee_type="C", balance="400"),
            ],
            "20000",
        ),
        # M = 1500 (MLT 1200, credit 900) of T = 25000.
        "2024-12": (
            [
                loan(**a, **MLT, loan_id="L1", guarantee_type="D", balance="900"),
                loan(**a, **_short(2024), loan_id="L2", guarantee_type="C", balance="300"),
                loan(**a, **MLT, loan_id="L3", guarantee_type="C", balance="300"),
            ],
            "25000",
        ),
    }
    for period, (rows, total) in months.items():
        for row in rows:
            row.update(report_period=period, balance_cny=row["balance"])
        write_csv(inbox / f"loans_{period}.csv", rows, LOAN_HEADERS)
        corporate = str(sum(int(r["balance"]) for r in rows))
        write_csv(
            inbox / f"totals_{period}.csv",
            [
                totals(
                    **a,
                    report_period=period,
                    total_loans=total,
                    total_mlt_loans="0",
                    total_credit_loans="0",
                    corporate_loans=corporate,
                    mfg_loans_reported=corporate,
                )
            ],
            TOTAL_HEADERS,
        )
    write_csv(
        inbox / "bonds_2024-03.csv",
        [bond(filing_id="B1", issue_date="2024-03-15", amount="200000000", issuer_uscc=X)],
    )
    write_csv(
        inbox / "bonds_2024-11.csv",
        [
            bond(
                filing_id="B2",
                issue_date="2024-11-20",
                bond_type="境外债",
                market="境外",
                currency="USD",
                amount="10000000",
                issuer_uscc=Y,
                labels="绿色",
            )
        ],
    )
    # 二、(四)三: issuance in Singapore, in SGD, counts at its issue month's rate.
    write_csv(
        inbox / "bonds_2024-06.csv",
        [
            bond(
                filing_id="B3",
                issue_date="2024-06-18",
                bond_type="境外债",
                market="境外",
                currency="SGD",
                amount="5000000",
                issuer_uscc=Z,
                labels="",
            )
        ],
    )
    write_csv(
        inbox / "funds_2024-05.csv",
        [fund(deal_id="D1", invest_date="2024-05-08", amount="50000000", investee_uscc=X)],
    )
    write_csv(
        inbox / "funds_2024-08.csv",
        [
            fund(
                deal_id="D3",
                invest_date="2024-08-20",
                amount="2000000",
                currency="USD",
                investee_uscc=Z,
            )
        ],
    )
    write_csv(
        inbox / "funds_2025-02.csv",
        [fund(deal_id="D2", invest_date="2025-02-08", amount="100000000", investee_uscc=Y)],
    )
    stages = [
        ("2024-02", X, "签署IPO协议", "2024-02-10", {}),
        ("2024-04", Y, "签署IPO协议", "2024-04-01", {}),
        ("2024-05", Z, "注册", "2024-05-20", {}),
        ("2024-06", X, "辅导备案", "2024-06-10", {}),
        (
            "2024-09",
            Z,
            "上市",
            "2024-09-18",
            {"exchange": "上交所", "board": "主板", "stock_code": "603123"},
        ),
    ]
    for n, (month, who, stage, when, extra) in enumerate(stages, start=1):
        write_csv(
            inbox / f"ipos_{month}.csv",
            [ipo(event_id=f"E{n}", enterprise_uscc=who, stage=stage, stage_date=when, **extra)],
        )
    write_csv(
        inbox / "engagements_2024-03.csv",
        [
            engagement(
                event_id="M1",
                event_date="2024-03-12",
                enterprise_uscc=who,
                outcome="意向",
                amount="",
            )
            for who in (X, Y, Z)
        ],
    )
    write_csv(
        inbox / "engagements_2024-07.csv",
        [
            engagement(
                event_id="M2",
                event_date="2024-07-03",
                event_type="硬科技帮扶",
                enterprise_uscc=X,
                bank_code="",
                outcome="无",
                amount="",
            ),
            engagement(
                event_id="M2",
                event_date="2024-07-03",
                event_type="硬科技帮扶",
                enterprise_uscc=Y,
                bank_code="",
                outcome="无",
                amount="",
            ),
            engagement(
                event_id="M3",
                event_date="2024-07-25",
                event_type="硬科技帮扶",
                enterprise_uscc=X,
                bank_code="",
                outcome="无",
                amount="",
            ),
        ],
    )
    write_csv(
        inbox / "register_2024-12.csv",
        [
            enterprise(uscc=X, name="重庆甲机械有限公司", as_of="2024-12-31", whitelist="是"),
            enterprise(
                uscc=Y,
                name="重庆乙电子有限公司",
                industry_code="C3973",
                cluster_33618="",
                as_of="2024-12-31",
                whitelist="否",
            ),
            enterprise(
                uscc=Z,
                name="重庆丙药业有限公司",
                industry_code="C2740",
                cluster_33618="",
                as_of="2024-12-31",
                whitelist="否",
                listed="是",
            ),
        ],
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("plan")
    _files(root / "inbox")
    assert main(["--home", str(root), "refresh"]) == 0
    con = duckdb.connect(str(root / "published" / "zhirong.duckdb"), read_only=True)
    yield con
    con.close()


def _target(con, code, year=2024):
    return rows_of(
        con,
        "select * from marts.plan_target_progress where target_code = ? and year = ?",
        [code, year],
    )[0]


def _rate(currency: str, period: str) -> Decimal:
    with open(SEEDS / "fx_rates.csv", encoding="utf-8") as handle:
        return next(
            Decimal(r["rate_to_cny"])
            for r in csv.DictReader(handle)
            if r["currency"] == currency and r["period"] == period
        )


def _cny(amount: str, currency: str, period: str) -> Decimal:
    return (Decimal(amount) * _rate(currency, period)).quantize(Decimal("0.01"))


def test_every_target_has_a_row_per_year(published):
    rows = rows_of(published, "select target_code, year from marts.plan_target_progress")
    assert len(rows) == 9 * 4
    assert {r["year"] for r in rows} == {2024, 2025, 2026, 2027}


def test_loan_targets_by_hand(published):
    share = _target(published, "mfg_loan_share")
    # 1500 / 25000 = 6 %; paced from 5 % (2023-12) to 10 % over 48 months: 6.25 % by 2024-12.
    assert share["actual_value"] == pytest.approx(0.06)
    assert share["expected_by_now"] == pytest.approx(0.0625)
    assert share["on_track"] is False
    assert share["progress"] == pytest.approx(0.6)
    assert share["projected_at_deadline"] == pytest.approx(0.05 + 0.01 * 48 / 12)
    assert share["as_of_period"] == date(2024, 12, 31)
    # Growth 1500/1000 − 1 = 50 % against 25000/20000 − 1 = 25 %.
    assert _target(published, "mfg_growth_gap")["actual_value"] == pytest.approx(0.25)
    assert _target(published, "mfg_growth_gap")["on_track"] is True
    # MLT share 60 % → 80 % rises; credit share 60 % → 60 % does not.
    assert _target(published, "mfg_mlt_share_rising")["actual_value"] == pytest.approx(0.2)
    credit = _target(published, "mfg_credit_share_rising")
    assert (credit["actual_value"], credit["on_track"]) == (pytest.approx(0.0), False)


def test_money_targets_are_cumulative_and_convert_currency(published):
    bonds = _target(published, "bond_financing")
    usd = _cny("10000000", "USD", "2024-11-30")
    sgd = _cny("5000000", "SGD", "2024-06-30")
    assert Decimal(str(bonds["actual_value"])) == Decimal("200000000") + usd + sgd
    funds_2024 = _target(published, "new_fund_investment", 2024)
    funds_2025 = _target(published, "new_fund_investment", 2025)
    deal = _cny("2000000", "USD", "2024-08-31")
    assert Decimal(str(funds_2024["actual_value"])) == Decimal("50000000") + deal
    assert Decimal(str(funds_2025["actual_value"])) == Decimal("150000000") + deal
    assert funds_2025["progress"] == pytest.approx(
        float(Decimal("150000000") + deal) / 100_000_000_000
    )
    z = rows_of(
        published,
        "select fund_amount, bond_amount from marts.enterprise_financing where uscc = ?",
        [Z],
    )[0]
    assert (z["fund_amount"], z["bond_amount"]) == (deal, sgd)


def test_count_targets_by_hand(published):
    # X and Y are in the reserve; Z listed in September.
    assert _target(published, "listing_reserve")["actual_value"] == 2
    # 3 + 2 + 1 家次; hard-tech help reached X and Y (X twice counts once).
    assert _target(published, "enterprise_engagements")["actual_value"] == 6
    assert _target(published, "hard_tech_helped")["actual_value"] == 2
    assert _target(published, "hard_tech_helped", 2027)["actual_value"] is None


def test_enterprise_financing_by_hand(published):
    rows = {r["uscc"]: r for r in rows_of(published, "select * from marts.enterprise_financing")}
    assert set(rows) == {X, Y, Z}
    x = rows[X]
    assert (x["bonds_issued"], x["bond_amount"]) == (1, Decimal("200000000.00"))
    assert (x["fund_deals"], x["fund_amount"]) == (1, Decimal("50000000.00"))
    # 签署IPO协议 50万 + 辅导备案 100万.
    assert (x["ipo_stage_reached"], x["ipo_rewards_due"]) == ("辅导备案", Decimal("1500000.00"))
    assert x["cluster_code"] == "T1" and x["cluster_source"] == "register"
    # The fixture's loans are all to the helper's borrower, which is X.
    assert x["loan_balance"] == Decimal("1500.00")
    assert x["is_whitelisted"] and x["financed_since_whitelisted"] is False
    # 3973 集成电路 maps to the 新星 cluster N01 before 39 电子信息 (longest prefix).
    assert rows[Y]["cluster_code"] == "N01" and rows[Y]["cluster_source"] == "industry_code"
    assert rows[Z]["cluster_code"] == "N11"
    # Z reached 注册 (350万) and listed: the rewards table has no 上市 reward.
    assert rows[Z]["ipo_stage_reached"] == "上市"
    assert rows[Z]["ipo_rewards_due"] == Decimal("3500000.00")


def test_cluster_and_funnel_by_hand(published):
    cluster = rows_of(
        published,
        "select * from marts.cluster_financing where cluster_code = 'P1' and period = ?",
        [date(2024, 12, 31)],
    )[0]
    # C3612 (the helper's industry) falls in 36 → T1, so P1 has no loans; X's bond is T1's.
    assert cluster["loans"] == 0
    auto = rows_of(
        published,
        "select * from marts.cluster_financing where cluster_code = 'T1' and period = ?",
        [date(2024, 12, 31)],
    )[0]
    assert auto["mfg_loans"] == Decimal("1500.00")
    assert auto["mfg_mlt_share"] == pytest.approx(0.8)
    march = rows_of(
        published,
        "select bonds_issued, bond_amount from marts.cluster_financing "
        "where cluster_code = 'T1' and period = ?",
        [date(2024, 3, 31)],
    )[0]
    assert (march["bonds_issued"], march["bond_amount"]) == (1, Decimal("200000000.00"))
    funnel = {
        r["stage"]: r
        for r in rows_of(published, "select * from marts.listing_funnel where year = 2024")
    }
    assert funnel["签署IPO协议"]["reached_by_year_end"] == 2
    assert funnel["辅导备案"]["conversion_from_previous_stage"] == pytest.approx(0.5)
    assert funnel["上市"]["entered_in_year"] == 1
