"""The Great Expectations gate: each rule rejects the file it should, names the row, column
and rule, and leaves clean files alone."""

from pathlib import Path

import pytest

from ingest.reference import load_reference
from quality.gate import Gate, gate_files
from quality.rules import RULES, RULES_BY_ID
from tests.helpers import (
    BANK_A,
    BANK_B,
    LOAN_HEADERS,
    TOTAL_HEADERS,
    loan,
    totals,
    totals_matching,
    write_csv,
)


@pytest.fixture(scope="module")
def gate() -> Gate:
    return Gate(load_reference())


def _judge(gate: Gate, *paths: Path):
    batch = gate_files(gate, [(i + 1, p, p.name) for i, p in enumerate(paths)])
    return batch.result


def _loans(tmp_path: Path, *rows, name="loans.csv", headers=LOAN_HEADERS) -> Path:
    return write_csv(tmp_path / name, list(rows), headers)


def _judge_loans(gate: Gate, tmp_path: Path, *rows):
    """Gate a loans file (submission 1) together with the bank's matching totals (2)."""
    loans = _loans(tmp_path, *rows)
    matching = write_csv(tmp_path / "totals.csv", [totals_matching(list(rows))], TOTAL_HEADERS)
    return _judge(gate, loans, matching)


def test_gate_runs_one_great_expectations_suite_per_kind_and_level(gate):
    assert gate.suite_names() == [
        "file_file", "loan_totals_file", "loan_totals_row", "loans_file", "loans_row"]


def test_a_clean_loans_file_is_accepted_without_findings(gate, tmp_path):
    result = _judge_loans(gate, tmp_path, loan(),
                          loan(loan_id="L0002", borrower_uscc="91100000100003962T"))
    assert result.verdicts[1].accepted and result.verdicts[2].accepted
    assert result.findings.is_empty()


def test_a_totals_file_alone_is_accepted_with_a_warning_that_loans_are_missing(gate, tmp_path):
    path = write_csv(tmp_path / "t.csv", [totals()], TOTAL_HEADERS)
    result = _judge(gate, path)
    assert result.verdicts[1].accepted
    assert result.verdicts[1].rules == {"LT-W-033": 1}


def test_one_bad_uscc_rejects_the_whole_file_and_names_row_column_and_rule(gate, tmp_path):
    result = _judge_loans(gate, tmp_path, loan(),
                          loan(loan_id="L0002", borrower_uscc="91350100M000100Y44"),
                          loan(loan_id="L0003"))
    assert not result.verdicts[1].accepted
    assert result.verdicts[1].errors == 1
    finding = result.findings.row(0, named=True)
    assert finding["rule_id"] == "LN-E-011"
    assert finding["row_number"] == 3  # header is line 1; the second loan is line 3
    assert finding["column"] == "borrower_uscc"
    assert finding["value"] == "91350100M000100Y44"
    assert "统一社会信用代码" in finding["message_zh"]
    assert "check character" in finding["message_en"]


def test_findings_name_the_column_as_the_bank_wrote_it(gate, tmp_path):
    rows = [{"金融机构代码": BANK_A, "报告期": "2026-10", "贷款借据号": "L1",
             "借款人统一社会信用代码": "91350100M000100Y43", "借款人名称": "甲",
             "借款人行业": "C36", "企业规模": "中型", "贷款发放日期": "2025-01-01",
             "贷款到期日期": "2026-01-01", "担保方式": "信用", "币种": "CNY",
             "贷款余额": "-1", "执行利率(%)": "3", "五级分类": "正常"}]
    result = _judge(gate, write_csv(tmp_path / "zh.csv", rows))
    errors = result.findings.filter(result.findings["severity"] == "error")
    finding = errors.row(0, named=True)
    found = (finding["rule_id"], finding["column"], finding["value"])
    assert found == ("LN-E-016", "贷款余额", "-1")


# Each case: a rule, and a loans file that breaks only that rule.
ROW_CASES = {
    "LN-E-010": loan(borrower_name=""),
    "LN-E-011": loan(borrower_uscc="123456789012345678"),
    "LN-E-012": loan(industry_code="F36"),
    "LN-E-013": loan(enterprise_scale="巨型"),
    "LN-E-014": loan(issue_date="2026-11-01", maturity_date="2027-11-01"),
    "LN-E-015": loan(maturity_date="2025-01-15"),
    "LN-E-016": loan(balance="-0.01", balance_cny=""),
    "LN-E-017": loan(guarantee_type="X"),
    "LN-E-018": loan(currency="XYZ", balance_cny="100.00"),
    "LN-E-019": loan(currency="AUD", balance_cny=""),
    "LN-E-020": loan(interest_rate="36"),
    "LN-E-021": loan(five_class="良好"),
}


@pytest.mark.parametrize("rule_id", sorted(ROW_CASES))
def test_each_row_rule_rejects_its_file(gate, tmp_path, rule_id):
    result = _judge_loans(gate, tmp_path, ROW_CASES[rule_id])
    assert set(result.verdicts[1].rules) == {rule_id}
    assert not result.verdicts[1].accepted
    assert result.findings["row_number"].to_list() == [2]


def test_duplicate_loan_ids_name_every_repeated_row(gate, tmp_path):
    result = _judge_loans(gate, tmp_path, loan(), loan(loan_id="L9"), loan())
    assert set(result.verdicts[1].rules) == {"LN-E-022"}
    assert sorted(result.findings["row_number"].to_list()) == [2, 4]


def test_a_loan_id_may_repeat_across_files(gate, tmp_path):
    a = _loans(tmp_path, loan(), name="a.csv")
    b = _loans(tmp_path, loan(bank_code=BANK_B), name="b.csv")
    result = _judge(gate, a, b)
    assert result.verdicts[1].accepted and result.verdicts[2].accepted


FILE_CASES = {
    "LN-E-001": lambda p: write_csv(p, [loan()], [h for h in LOAN_HEADERS if h != "loan_id"]),
    "LN-E-003": lambda p: _header_only(p),
    "LN-E-004": lambda p: write_csv(p, [loan(), loan(loan_id="L2", bank_code=BANK_B)],
                                    LOAN_HEADERS),
    "LN-E-005": lambda p: write_csv(p, [loan(), loan(loan_id="L2", report_period="2026-09")],
                                    LOAN_HEADERS),
    "LN-E-006": lambda p: write_csv(p, [loan(bank_code="C9999999999999")], LOAN_HEADERS),
}


def _header_only(path: Path) -> Path:
    path.write_text(",".join(LOAN_HEADERS) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rule_id", sorted(FILE_CASES))
def test_each_file_rule_rejects_its_file(gate, tmp_path, rule_id):
    result = _judge(gate, FILE_CASES[rule_id](tmp_path / "f.csv"))
    assert rule_id in result.verdicts[1].rules
    assert not result.verdicts[1].accepted
    finding = result.findings.filter(result.findings["rule_id"] == rule_id).row(0, named=True)
    assert finding["row_number"] is None
    assert finding["message_zh"] and finding["message_en"]


def test_missing_column_message_names_the_column(gate, tmp_path):
    result = _judge(gate, FILE_CASES["LN-E-001"](tmp_path / "f.csv"))
    message = result.findings.filter(result.findings["rule_id"] == "LN-E-001")["message_zh"][0]
    assert "贷款借据号(loan_id)" in message


def test_unknown_extra_column_is_only_a_warning(gate, tmp_path):
    path = write_csv(tmp_path / "extra.csv", [{**loan(), "备注": "x"}], [*LOAN_HEADERS, "备注"])
    matching = write_csv(tmp_path / "t.csv", [totals_matching([loan()])], TOTAL_HEADERS)
    result = _judge(gate, path, matching)
    verdict = result.verdicts[1]
    assert verdict.accepted and verdict.warnings == 1 and verdict.rules == {"LN-W-001": 1}


def test_unreadable_file_is_rejected_through_the_files_suite(gate, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    result = _judge(gate, junk)
    assert result.verdicts[1].rules == {"FL-E-001": 1}
    finding = result.findings.row(0, named=True)
    assert finding["message_zh"] == "文件不是文本格式的 CSV（含二进制内容）"
    assert finding["message_en"] == "the file is not a text CSV (it holds binary content)"


TOTAL_CASES = {
    "LT-E-010": totals(total_loans=""),
    "LT-E-011": totals(total_credit_loans="-1"),
    "LT-E-012": totals(total_mlt_loans="10000000.01"),
}


@pytest.mark.parametrize("rule_id", sorted(TOTAL_CASES))
def test_each_totals_rule_rejects_its_file(gate, tmp_path, rule_id):
    result = _judge(gate, write_csv(tmp_path / "t.csv", [TOTAL_CASES[rule_id]], TOTAL_HEADERS))
    assert set(result.verdicts[1].rules) - {"LT-W-033"} == {rule_id}


def test_two_rows_for_one_bank_and_period_are_rejected(gate, tmp_path):
    result = _judge(gate, write_csv(tmp_path / "t.csv", [totals(), totals()], TOTAL_HEADERS))
    assert set(result.verdicts[1].rules) - {"LT-W-033"} == {"LT-E-013"}


def test_every_rule_has_an_id_severity_phase_and_bilingual_message():
    assert len(RULES) == len(RULES_BY_ID)
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.rule_id.split("-")[1] == {"error": "E", "warning": "W"}[rule.severity]
        assert rule.message_zh and rule.message_en and rule.clause and rule.checks
