"""GX is imported with the statistics it never needs for the gate left until first use (and
not loaded by a look at every module's file, as dbt's adapter takes at start-up), and
the validations the gate keeps for naming rows are bounded."""

from __future__ import annotations

import math
import subprocess
import sys

import polars as pl

from ingest.reference import load_reference
from quality import suites
from quality.gate import Gate, gate_files
from tests.helpers import LOAN_HEADERS, TOTAL_HEADERS, loan, totals_matching, write_csv

SCRIPT = """
import sys
from quality.suites import import_gx
gx = import_gx()
print("loaded before use:", "scipy.stats._stats_py" in sys.modules)
import inspect
inspect.stack()  # what dbt's adapter does at start-up: asks every module for its file
print("loaded after inspect:", "scipy.stats._stats_py" in sys.modules)
from scipy import stats
print("entropy:", repr(float(stats.entropy([1, 2], [2, 1]))))
print("loaded after use:", "scipy.stats._stats_py" in sys.modules)
print("suite:", gx.ExpectationSuite("s").name)
"""


def test_scipy_stats_loads_only_when_an_expectation_uses_it_and_then_works():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "loaded before use: False"
    assert out[1] == "loaded after inspect: False"
    out = out[:1] + out[2:]
    # KL divergence of (1/3, 2/3) from (2/3, 1/3): 1/3·ln(1/2) + 2/3·ln 2 = ln(2)/3.
    assert math.isclose(float(out[1].split()[1]), math.log(2) / 3, rel_tol=1e-12)
    assert out[2] == "loaded after use: True"
    assert out[3] == "suite: s"


def test_past_the_bound_on_kept_validations_findings_are_still_named_in_full(monkeypatch, tmp_path):
    """Each new set of failing expectations gets a validation of its own, up to a bound;
    past it the whole suite names the rows, and the findings are the same."""
    monkeypatch.setattr(suites, "_MOST_SUBSETS", 1)
    gate = Gate(load_reference())
    bad_uscc = [loan(), loan(loan_id="L0002", borrower_uscc="91350100M000100Y44")]
    repeated = [loan(), loan(loan_id="L9"), loan()]
    both = [loan(), loan(loan_id="L9", borrower_uscc="91350100M000100Y44"), loan()]
    seen = []
    for n, rows in enumerate((bad_uscc, repeated, both)):
        folder = tmp_path / str(n)
        folder.mkdir()
        loans = write_csv(folder / "loans.csv", rows, LOAN_HEADERS)
        matching = write_csv(folder / "totals.csv", [totals_matching(rows)], TOTAL_HEADERS)
        result = gate_files(gate, [(1, loans, loans.name), (2, matching, matching.name)]).result
        mine = result.findings.filter(pl.col("submission_id") == 1)
        seen.append(sorted(zip(mine["rule_id"], mine["row_number"], strict=True)))
    # Lines count from the header (line 1): the second loan is line 3.
    assert seen == [
        [("LN-E-011", 3)],
        [("LN-E-022", 2), ("LN-E-022", 4)],
        [("LN-E-011", 3), ("LN-E-022", 2), ("LN-E-022", 4)],
    ]
    assert gate.suites._subsets("loans_row") == 1
