"""Row rules judged on reductions (quality/compact.py) decide exactly what line-by-line
validation decides: every row rule's triggering file is caught, with the same findings
(rule, row, column, the bank's text), and a clean file is accepted."""

import polars as pl
import pytest

from ingest.reference import load_reference
from quality.crossfile import GateContext
from quality.gate import Gate, gate_files
from quality.rules import ROW_LEVEL, RULES
from tests.helpers import (
    LOAN_HEADERS,
    TOTAL_HEADERS,
    VALID_USCCS,
    every_rule,
    loan,
    totals_matching,
    write_csv,
)
from tests.quality.test_rules import CLEAN_REGISTERS, ON_TIME, TRIGGERS, _known_loans, _register


@pytest.fixture(scope="module")
def gates() -> tuple[Gate, Gate]:
    """One gate that reduces every chunk's rows first, one that never does."""
    reference = load_reference()
    return Gate(reference, compact_above_rows=0), Gate(reference, compact_above_rows=10**12)


def _gated(gate, built):
    paths, context = built if isinstance(built, tuple) else (built, None)
    context = context or GateContext(received_at=ON_TIME)
    files = [(n, p, p.name) for n, p in enumerate(paths, start=1)]
    return gate_files(gate, files, context).result


def _same_outcome(compacting, line_by_line):
    assert {s: v.rules for s, v in compacting.verdicts.items()} == {
        s: v.rules for s, v in line_by_line.verdicts.items()
    }
    order = ["submission_id", "rule_id", "row_number", "column"]
    assert compacting.findings.sort(order).equals(line_by_line.findings.sort(order))


ROW_RULES = [r for r in RULES if r.level == ROW_LEVEL]


@pytest.mark.parametrize("rule", every_rule(ROW_RULES))
def test_every_row_rule_is_caught_on_reductions_with_the_same_findings(gates, tmp_path, rule):
    compacting, line_by_line = gates
    built = TRIGGERS[rule.rule_id](tmp_path)
    result = _gated(compacting, built)
    assert rule.rule_id in result.verdicts[1].rules
    _same_outcome(result, _gated(line_by_line, built))


@pytest.mark.parametrize("kind", list(CLEAN_REGISTERS))
def test_a_clean_register_passes_on_reductions(gates, tmp_path, kind):
    built = (_register(tmp_path, kind, *CLEAN_REGISTERS[kind]), _known_loans(tmp_path))
    assert _gated(gates[0], built).verdicts[1].rules == {}


def _big_loans_file(tmp_path, bad: dict[int, dict[str, str]]):
    """3,000 loans to three borrowers over a year of issue dates; `bad` replaces lines."""
    rows = [
        loan(
            loan_id=f"L{n:05d}",
            borrower_uscc=VALID_USCCS[n % 3],
            issue_date=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
            balance=f"{1000 + n}.00",
            balance_cny=f"{1000 + n}.00",
        )
        for n in range(3000)
    ]
    for index, overrides in bad.items():
        rows[index] = {**rows[index], **overrides}
    return [
        write_csv(tmp_path / "loans.csv", rows, LOAN_HEADERS),
        write_csv(tmp_path / "totals.csv", [totals_matching(rows)], TOTAL_HEADERS),
    ]


def test_a_big_clean_file_passes_and_breaks_deep_inside_are_named_by_row(gates, tmp_path):
    compacting, line_by_line = gates
    assert _gated(compacting, _big_loans_file(tmp_path / "clean", {})).verdicts[1].rules == {}
    # Line 2 is the first loan: index 1500 is line 1502, and so on.
    bad = {
        1500: {"balance": "-5.00"},
        2100: {"maturity_date": "2025-01-01", "issue_date": "2025-06-01"},
        2999: {"loan_id": "L00007"},
        10: {"enterprise_scale": "CS09"},
        11: {"enterprise_scale": "CS09"},
    }
    built = _big_loans_file(tmp_path / "bad", bad)
    result = _gated(compacting, built)
    assert result.verdicts[1].rules == {
        "LN-E-016": 1,
        "LN-E-015": 1,
        "LN-E-022": 2,
        "LN-E-013": 2,
    }
    rows = {
        rule: sorted(group["row_number"].to_list())
        for (rule,), group in result.findings.group_by("rule_id")
    }
    assert rows == {
        "LN-E-016": [1502],
        "LN-E-015": [2102],
        "LN-E-022": [9, 3001],
        "LN-E-013": [12, 13],
    }
    value = result.findings.filter(pl.col("rule_id") == "LN-E-016")["value"].item()
    assert value == "-5.00"
    _same_outcome(result, _gated(line_by_line, built))
