"""How GX runs inside the gate: every expectation of every suite reads the same keyword
arguments as GX's own lookups give, and a long-lived gate keeps no validation results."""

from __future__ import annotations

import great_expectations as gx
import polars as pl
import pytest

from ingest.reference import load_reference
from quality import gx_runtime, suites
from quality.gate import Gate, gate_files
from tests.helpers import LOAN_HEADERS, TOTAL_HEADERS, loan, totals_matching, write_csv

RUNTIME_CONFIGURATIONS = (
    None,
    {"result_format": "BOOLEAN_ONLY"},
    {"result_format": {"result_format": "COMPLETE", "unexpected_index_column_names": ["n"]}},
)


@pytest.fixture(scope="module")
def expectations() -> list:
    """Every expectation of every suite a gate builds, reduced-frame variants included."""
    gate = Gate(load_reference(), compact_above_rows=0)
    gate.warm_up()
    built = [suites._BUILT[key] for key in list(suites._BUILT)]
    found = [e for validation in built for e in validation.suite.expectations]
    # Every suite, line by line and on reductions (row conditions): GX's own classes and
    # the gate's identifier expectations.
    assert len(found) > 400 and len({type(e) for e in found}) >= 9
    return found


def test_the_pinned_gx_is_the_release_the_lookups_were_written_from():
    # A GX upgrade turns the lookups off (GX keeps its own); this asks for them to be
    # compared with the new release's code and LOOKUPS_WRITTEN_FOR moved.
    assert gx.__version__ == gx_runtime.LOOKUPS_WRITTEN_FOR
    assert gx_runtime.look_up_kwargs_once()


def test_every_expectation_reads_the_keyword_arguments_gx_itself_gives(expectations):
    own = gx_runtime.GX_OWN_LOOKUPS
    for expectation in expectations:
        assert expectation._get_domain_kwargs() == own["_get_domain_kwargs"](expectation)
        assert expectation._get_success_kwargs() == own["_get_success_kwargs"](expectation)
        for runtime in RUNTIME_CONFIGURATIONS:
            assert expectation._get_runtime_kwargs(runtime) == own["_get_runtime_kwargs"](
                expectation, runtime
            ), (type(expectation).__name__, runtime)


def test_a_long_lived_gate_keeps_no_validation_results(tmp_path):
    gate = Gate(load_reference())
    rows = [loan(), loan(loan_id="L0002", borrower_uscc="91350100M000100Y44")]
    loans = write_csv(tmp_path / "loans.csv", rows, LOAN_HEADERS)
    totals = write_csv(tmp_path / "totals.csv", [totals_matching(rows)], TOTAL_HEADERS)
    for _ in range(5):
        result = gate_files(gate, [(1, loans, loans.name), (2, totals, totals.name)]).result
        # Each run still names the bad check character, on line 3 of the file.
        found = result.findings.filter(pl.col("rule_id") == "LN-E-011")
        assert found["row_number"].to_list() == [3]
    context = suites._context()
    assert context.validation_results_store.list_keys() == []
    assert all(not store.list_keys() for name, store in context.stores.items() if "result" in name)
