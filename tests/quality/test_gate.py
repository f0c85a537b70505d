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
    kinds = [
        "bonds",
        "engagements",
        "enterprises",
        "fund_investments",
        "ipos",
        "loan_totals",
        "loans",
        "subsidy_claims",
        "bridge_loans",
        "guarantee_compensations",
        "whitelist_pushes",
    ]
    # The claims and compensations also get a suite for the loans they name.
    linked = ["subsidy_claims_link", "guarantee_compensations_link"]
    # Each kind's row rules also run over its rows' reductions (quality/compact.py).
    levels = ("file", "row", "compact")
    assert gate.suite_names() == sorted(
        ["file_file", *(f"{k}_{level}" for k in kinds for level in levels), *linked]
    )


def test_a_clean_loans_file_is_accepted_without_findings(gate, tmp_path):
    result = _judge_loans(
        gate, tmp_path, loan(), loan(loan_id="L0002", borrower_uscc="91100000100003962T")
    )
    assert result.verdicts[1].accepted and result.verdicts[2].accepted
    assert result.findings.is_empty()


def test_a_totals_file_alone_is_accepted_with_a_warning_that_loans_are_missing(gate, tmp_path):
    path = write_csv(tmp_path / "t.csv", [totals()], TOTAL_HEADERS)
    result = _judge(gate, path)
    assert result.verdicts[1].accepted
    assert result.verdicts[1].rules == {"LT-W-033": 1}


def test_one_bad_uscc_rejects_the_whole_file_and_names_row_column_and_rule(gate, tmp_path):
    result = _judge_loans(
        gate,
        tmp_path,
        loan(),
        loan(loan_id="L0002", borrower_uscc="91350100M000100Y44"),
        loan(loan_id="L0003"),
    )
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
    rows = [
        {
            "金融机构代码": BANK_A,
            "报告期": "2026-10",
            "贷款借据号": "L1",
            "借款人统一社会信用代码": "91350100M000100Y43",
            "借款人名称": "甲",
            "借款人行业": "C36",
            "企业规模": "中型",
            "贷款发放日期": "2025-01-01",
            "贷款到期日期": "2026-01-01",
            "担保方式": "信用",
            "币种": "CNY",
            "贷款余额": "-1",
            "执行利率(%)": "3",
            "五级分类": "正常",
        }
    ]
    result = _judge(gate, write_csv(tmp_path / "zh.csv", rows))
    errors = result.findings.filter(result.findings["severity"] == "error")
    finding = errors.row(0, named=True)
    found = (finding["rule_id"], finding["column"], finding["value"])
    assert found == ("LN-E-016", "贷款余额", "-1")


def test_duplicate_loan_ids_name_every_repeated_row(gate, tmp_path):
    result = _judge_loans(gate, tmp_path, loan(), loan(loan_id="L9"), loan())
    assert set(result.verdicts[1].rules) == {"LN-E-022"}
    assert sorted(result.findings["row_number"].to_list()) == [2, 4]


def test_a_loan_id_may_repeat_across_files(gate, tmp_path):
    a = _loans(tmp_path, loan(), name="a.csv")
    b = _loans(tmp_path, loan(bank_code=BANK_B), name="b.csv")
    result = _judge(gate, a, b)
    assert result.verdicts[1].accepted and result.verdicts[2].accepted


def _header_only(path: Path) -> Path:
    path.write_text(",".join(LOAN_HEADERS) + "\n", encoding="utf-8")
    return path


def test_missing_column_message_names_the_column(gate, tmp_path):
    path = write_csv(tmp_path / "f.csv", [loan()], [h for h in LOAN_HEADERS if h != "loan_id"])
    result = _judge(gate, path)
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


def test_every_rule_has_an_id_severity_phase_and_bilingual_message():
    assert len(RULES) == len(RULES_BY_ID)
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.rule_id.split("-")[1] == {"error": "E", "warning": "W"}[rule.severity]
        assert rule.message_zh and rule.message_en and rule.clause and rule.checks


def test_a_large_bad_file_keeps_every_count_but_only_the_first_examples(gate, tmp_path):
    from quality.gate import MAX_EXAMPLES_PER_RULE

    rows = [loan(loan_id=f"L{i:05d}", five_class="良好") for i in range(1200)]
    result = _judge_loans(gate, tmp_path, *rows)
    assert result.verdicts[1].rules["LN-E-021"] == 1200
    shown = result.findings.filter(result.findings["rule_id"] == "LN-E-021")
    assert shown.height == MAX_EXAMPLES_PER_RULE == 1000
    assert shown["row_number"].min() == 2
