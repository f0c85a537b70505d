"""GX is imported with the statistics it never needs for the gate left until first use."""

from __future__ import annotations

import math
import subprocess
import sys

SCRIPT = """
import sys
from quality.suites import import_gx
gx = import_gx()
print("loaded before use:", "scipy.stats._stats_py" in sys.modules)
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
    # KL divergence of (1/3, 2/3) from (2/3, 1/3): 1/3·ln(1/2) + 2/3·ln 2 = ln(2)/3.
    assert math.isclose(float(out[1].split()[1]), math.log(2) / 3, rel_tol=1e-12)
    assert out[2] == "loaded after use: True"
    assert out[3] == "suite: s"
