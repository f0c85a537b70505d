"""What the quality gate adds on top of ingest for a month of bank files (issue: the gate
must not dominate; aim ≤ 50%). One ingest run of the real intake path; the time spent in
Great Expectations validation (suite building included) is set against everything else —
receive, read, normalise, load — measured in the same run.

    python -m bench.gate_overhead --rows 10000000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.month import write_month
from ingest.reference import load_reference
from orchestration.intake import ingest_files
from quality.gate import Gate
from warehouse.database import connect_build
from warehouse.home import Home


def peak_rss_gib() -> float:
    """Peak resident memory of this process so far, GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)


def run(rows: int, fmt: str, data: Path | None) -> dict[str, float]:
    """Generate (or reuse) the month, ingest it into a fresh home, return the timings."""
    with tempfile.TemporaryDirectory(prefix="zhirong-bench-") as scratch:
        scratch = Path(scratch)
        source = data or scratch / "files"
        paths = sorted(source.glob(f"*.{fmt}")) if data else []
        if not paths:
            started = time.perf_counter()
            paths = write_month(source, date(2026, 10, 31), rows, fmt)
            print(f"generated {len(paths)} files in {time.perf_counter() - started:.1f} s")
        home = Home(scratch / "home").ensure()
        con = connect_build(home)
        started = time.perf_counter()
        report = ingest_files(paths, home, con, lambda: Gate(load_reference()),
                              progress=lambda message: None)
        wall = time.perf_counter() - started
        con.close()
        assert report.count("rejected") == 0, "the benchmark month should pass the gate"
        return {**report.seconds, "wall": wall, "rows": sum(report.rows_loaded.values()),
                "peak_rss_gib": peak_rss_gib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument("--data", type=Path, help="reuse files already generated here")
    args = parser.parse_args()
    t = run(args.rows, args.format, args.data)
    ingest = t["receive"] + t["read"] + t["normalise"] + t["load"]
    print(f"rows {t['rows']:,} ({args.format}), wall {t['wall']:.1f} s, "
          f"peak RSS {t['peak_rss_gib']:.2f} GiB")
    for step in ("receive", "read", "normalise", "gate", "load"):
        print(f"  {step:<10} {t[step]:7.1f} s")
    print(f"gate / ingest = {t['gate']:.1f} / {ingest:.1f} = {t['gate'] / ingest:.2f} "
          "(target ≤ 0.50)")


if __name__ == "__main__":
    main()
