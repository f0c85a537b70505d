"""What the quality gate adds on top of ingest for a month of bank files (the gate must not
dominate; aim ≤ 50%). The same intake runs twice on fresh homes: once with the real gate,
once with a pass-through that accepts every file without validating anything. Reading the
next chunk overlaps the gate on a second thread, so the gate's cost is the difference in
wall time, not the sum of its own step timings.

    python -m bench.gate_overhead --data DIR_OF_MONTH_FILES [--format parquet]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from bench.month import write_month
from ingest.reference import load_reference
from orchestration.intake import ingest_files
from quality.crossfile import GateContext
from quality.gate import Gate, GateResult, Verdict, file_facts
from warehouse.database import connect_build
from warehouse.home import Home


class PassThrough:
    """Accepts every file without validating anything: the ingest-only baseline."""

    def start(self, context: GateContext, limits=None) -> PassThrough:
        self._facts, self._ids = [], []
        return self

    def add(self, candidates, frames) -> None:
        self._facts.append(file_facts(candidates, frames))
        self._ids += [c.submission_id for c in candidates]

    def finish(self) -> GateResult:
        facts = pl.concat(self._facts, how="vertical_relaxed")
        return GateResult({sid: Verdict(sid) for sid in self._ids}, pl.DataFrame(), facts)


def ingest_once(paths: list[Path], scratch: Path, make_gate) -> tuple[float, dict]:
    """Wall seconds and step timings of one ingest of `paths` into a fresh home."""
    home = Home(scratch / f"home-{time.monotonic_ns()}").ensure()
    con = connect_build(home)
    started = time.perf_counter()
    report = ingest_files(paths, home, con, make_gate, progress=lambda message: None)
    wall = time.perf_counter() - started
    con.close()
    assert report.count("rejected") == 0, "the benchmark month should pass the gate"
    return wall, report.seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--data", type=Path, help="reuse files already generated here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhirong-gate-") as scratch:
        scratch = Path(scratch)
        paths = sorted(args.data.glob(f"*.{args.format}")) if args.data else []
        if not paths:
            paths = write_month(scratch / "files", date(2026, 10, 31), args.rows, args.format)
        baseline, steps = ingest_once(paths, scratch, PassThrough)
        gate = Gate(load_reference())  # built before the clock: GX import is per process
        gated, gated_steps = ingest_once(paths, scratch, lambda: gate)
    print(f"{len(paths)} files ({args.format})")
    print(
        f"  ingest without the gate {baseline:6.1f} s  "
        + " ".join(f"{k}={v:.1f}" for k, v in steps.items())
    )
    print(
        f"  ingest with the gate    {gated:6.1f} s  "
        + " ".join(f"{k}={v:.1f}" for k, v in gated_steps.items())
    )
    added = gated - baseline
    print(f"the gate adds {added:.1f} s = {added / baseline:.2f} of ingest (target ≤ 0.50)")


if __name__ == "__main__":
    main()
