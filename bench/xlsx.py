"""XLSX intake rate: one bank's 200,000-line workbook (title block, 单位：万元, Chinese
headers) read, normalised and gated — the per-file work of ingest, with the GX suites
already built as they are in a nightly run. Prints rows per second last.

    python -m bench.xlsx WORK_DIR
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

import numpy as np
import xlsxwriter

from bench.month import month_frame
from ingest.loans import COLUMNS
from ingest.reference import load_reference
from quality.crossfile import GateContext
from quality.gate import Gate, gate_files
from sample.population import make_enterprises

ROWS = 200_000


def workbook(folder: Path, rows: int = ROWS) -> Path:
    """The workbook, written once (constant-memory mode) and reused."""
    path = folder / f"loans_xlsx_{rows}.xlsx"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    frame = month_frame(
        "C1901150100001", date(2026, 10, 31), rows, make_enterprises(rng, 5_000), rng
    ).drop("_mfg")
    zh = {c.name: c.zh for c in COLUMNS}
    partial = path.with_suffix(".partial")
    with xlsxwriter.Workbook(partial, {"constant_memory": True}) as book:
        sheet = book.add_worksheet("明细")
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write(0, 0, "对公贷款借据明细（2026年10月）")
        sheet.write(1, 0, "单位：万元")
        sheet.write_row(2, 0, [zh[c] for c in frame.columns])
        amounts = {"balance", "balance_cny"}
        for r, row in enumerate(frame.iter_rows(), start=3):
            for c, (name, value) in enumerate(zip(frame.columns, row, strict=True)):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, dates)
                elif name in amounts:
                    sheet.write_number(r, c, value / 10_000)
                elif value is not None:
                    sheet.write(r, c, value)
    partial.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("work", type=Path)
    args = parser.parse_args()
    path = workbook(args.work)
    gate = Gate(load_reference())
    gate.warm_up()
    started = time.perf_counter()
    batch = gate_files(gate, [(1, path, path.name)], GateContext())
    seconds = time.perf_counter() - started
    verdict = batch.result.verdicts[1]
    assert verdict.errors == 0, verdict.rules
    rows = batch.candidates[0].submission.row_count
    print(" ".join(f"{k}={v:.2f}s" for k, v in batch.seconds.items()))
    print(f"{rows / seconds:.0f} rows/s ({rows:,} rows in {seconds:.2f} s)")


if __name__ == "__main__":
    main()
