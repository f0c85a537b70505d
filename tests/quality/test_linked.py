"""The link rules: a subsidy claim or a compensation names a loan, and the gate looks it up
in the bank's accepted loans — in the store, or staged in the same intake — naming the loan,
under the sender's own header, when it is missing, no 技改专项贷, another borrower's or of
another size."""

import pytest

from ingest.reference import load_reference
from ingest.subsidy_claims import COLUMNS as CLAIM_COLUMNS
from orchestration.cli import main
from quality.crossfile import GateContext
from quality.gate import Gate, gate_files
from tests.helpers import (
    LOAN_HEADERS,
    TOTAL_HEADERS,
    VALID_USCCS,
    compensation,
    known_loans,
    loan,
    subsidy_claim,
    totals_matching,
    write_csv,
)

TECH = loan(product="技改专项贷")
ZH = {c.name: c.zh for c in CLAIM_COLUMNS}


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(load_reference())


def _findings(gate, path, *lines):
    context = GateContext(loans=known_loans(path.parent / "store", *lines))
    result = gate_files(gate, [(1, path, path.name)], context).result
    return result.verdicts[1], result.findings.to_dicts()


def test_a_missing_loan_is_named_with_bank_and_year_under_the_senders_header(gate, tmp_path):
    claim = subsidy_claim(loan_id="L9999")
    path = write_csv(tmp_path / "申请.csv", [{ZH[k]: v for k, v in claim.items()}])
    verdict, findings = _findings(gate, path, TECH)
    assert not verdict.accepted and verdict.rules == {"SC-E-020": 1}
    (finding,) = findings
    assert finding["column"] == "贷款借据号" and finding["row_number"] == 2
    assert finding["value"] == "L9999（C1901150100001，2026）"
    assert finding["message_zh"].endswith("没有这笔贷款：L9999（C1901150100001，2026）")


def test_a_loan_filed_only_in_another_year_is_not_found(gate, tmp_path):
    path = write_csv(tmp_path / "claims.csv", [subsidy_claim(year="2025")])
    verdict, _ = _findings(gate, path, TECH)
    assert verdict.rules == {"SC-E-020": 1}


def test_another_borrowers_tech_loan_names_that_borrower(gate, tmp_path):
    path = write_csv(tmp_path / "claims.csv", [subsidy_claim(enterprise_uscc=VALID_USCCS[2])])
    verdict, findings = _findings(gate, path, TECH)
    assert verdict.rules == {"SC-E-022": 1}
    assert findings[0]["value"] == f"L0001 → {VALID_USCCS[0]}"


@pytest.mark.parametrize(("claimed", "warned"), [("1040000.00", False), ("1060000.00", True)])
def test_the_claimed_amount_is_held_to_five_percent_of_the_highest_balance(
    gate, tmp_path, claimed, warned
):
    # The loan's balance was 100万 in one month and 90万 in the next: 100万 is its amount.
    later = loan(product="技改专项贷", report_period="2026-11", balance="900000.00", balance_cny="")
    path = write_csv(tmp_path / "claims.csv", [subsidy_claim(loan_amount=claimed)])
    verdict, findings = _findings(gate, path, TECH, later)
    assert verdict.accepted
    assert verdict.rules == ({"SC-W-023": 1} if warned else {})
    if warned:
        assert findings[0]["value"] == "1060000.0 / 1000000.0"
        assert findings[0]["column"] == "loan_amount"


def test_a_compensation_before_the_loans_first_file_finds_no_loan(gate, tmp_path):
    early = write_csv(tmp_path / "gc.csv", [compensation(compensation_date="2026-09-15")])
    assert _findings(gate, early, TECH)[0].rules == {"GC-E-020": 1}
    later = write_csv(tmp_path / "gc2.csv", [compensation(compensation_date="2026-10-31")])
    assert _findings(gate, later, TECH)[0].rules == {}


@pytest.mark.integration
def test_a_loan_in_a_rejected_file_of_the_same_intake_is_never_found(tmp_path, capsys):
    """The claim's loan is in a loans file of the same intake — accepted, the claim passes;
    rejected (a repeated loan id), the claim is rejected too: its loan was never accepted.
    Then `validate` finds the accepted loan in the store."""
    home = tmp_path / "home"
    good = [loan(product="技改专项贷")]
    write_csv(home / "inbox" / "a_loans.csv", good, LOAN_HEADERS)
    write_csv(home / "inbox" / "a_totals.csv", [totals_matching(good)], TOTAL_HEADERS)
    write_csv(home / "inbox" / "a_claims.csv", [subsidy_claim()])
    assert main(["--home", str(home), "ingest"]) == 0
    out = "".join(capsys.readouterr())
    assert "a_claims.csv: 接收" in out

    bad = [loan(loan_id="L0002", product="技改专项贷")] * 2
    write_csv(home / "inbox" / "b_loans.csv", bad, LOAN_HEADERS)
    write_csv(home / "inbox" / "b_claims.csv", [subsidy_claim(claim_id="SC2", loan_id="L0002")])
    assert main(["--home", str(home), "ingest"]) == 1
    out = "".join(capsys.readouterr())
    assert "b_loans.csv: 拒收" in out and "b_claims.csv: 拒收" in out
    assert "SC-E-020" in out

    again = write_csv(tmp_path / "again.csv", [subsidy_claim(claim_id="SC3")])
    assert main(["--home", str(home), "validate", str(again)]) == 0
