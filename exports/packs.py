"""Write scorecard packs: one bank or all, in the formats asked for, each file complete or
not there at all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from exports.pack_csv import write_pack_csv
from exports.pack_xlsx import write_pack_xlsx
from exports.scorecard import ExportError, Pack, ScorecardSource, latest_quarter_end
from exports.workbook import write_regulator_workbook

FORMATS = ("xlsx", "pdf", "csv")


@dataclass(frozen=True)
class Written:
    """One bank's pack files."""

    bank_code: str
    bank_name: str
    paths: tuple[Path, ...]


def parse_formats(text: str) -> tuple[str, ...]:
    """'xlsx,pdf' → ('xlsx', 'pdf'); ValueError naming what is not a format."""
    asked = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in asked if f not in FORMATS]
    if unknown or not asked:
        raise ValueError(
            f"未知格式 {', '.join(unknown) or '（空）'}，可选 xlsx,pdf,csv / unknown "
            f"format {', '.join(unknown) or '(none)'}; choose from xlsx,pdf,csv"
        )
    return asked


def pack_stem(period: date, bank_code: str, bank_name: str) -> str:
    """'2026-09_C1901150100001_神州工业银行重庆市分行_督导评价' — safe as a file name."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", bank_name)
    return f"{period:%Y-%m}_{bank_code}_{name}_督导评价"


def write_packs(
    source: ScorecardSource,
    out: Path,
    banks: Iterable[str] | None = None,
    formats: tuple[str, ...] = FORMATS,
    progress: Callable[[int, int, Written], None] | None = None,
) -> list[Written]:
    """Write the packs of `banks` (every bank with a scorecard for the source's period when
    None) into `out`."""
    period = source.period
    codes = list(banks) if banks is not None else source.bank_codes
    unknown = [code for code in codes if code not in set(source.bank_codes)]
    if unknown:
        raise ExportError(
            f"{period:%Y-%m} 没有这些机构的得分卡：{', '.join(unknown)} / no "
            f"scorecard in {period:%Y-%m} for: {', '.join(unknown)}"
        )
    out.mkdir(parents=True, exist_ok=True)
    writers: dict[str, Callable[[Pack, Path], None]] = {
        "xlsx": write_pack_xlsx,
        "csv": write_pack_csv,
    }
    if "pdf" in formats:
        # Imported here: the PDF stack costs half a second, and a night whose packs are
        # unchanged never needs it.
        from exports.pack_pdf import font_for, write_pack_pdf

        # One font subset for every bank of the run, made once.
        font = font_for(source.texts())
        writers["pdf"] = partial(write_pack_pdf, font=font)
    written = []
    for number, code in enumerate(codes, start=1):
        pack = source.pack(code)
        stem = pack_stem(period, code, pack.bank_name)
        paths = tuple(_write_whole(writers[fmt], pack, out / f"{stem}.{fmt}") for fmt in formats)
        written.append(Written(code, pack.bank_name, paths))
        if progress:
            progress(number, len(codes), written[-1])
    return written


def _write_whole(writer: Callable[[Pack, Path], None], pack: Pack, path: Path) -> Path:
    # Written beside the target and renamed: a reader never sees half a file, and a failure
    # leaves the previous pack in place.
    staged = path.with_name(f".{path.name}.partial")
    try:
        writer(pack, staged)
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    return path


@dataclass(frozen=True)
class QuarterExports:
    """What the nightly export step did."""

    period: date
    folder: Path
    packs: int  # banks whose packs were written this time
    unchanged: bool  # the packs on disk already showed exactly this data
    workbook: Path


def export_latest_quarter(
    db: Path, exports: Path, progress: Callable[[int, int, Written], None] | None = None
) -> QuarterExports:
    """The nightly step: every bank's pack and the regulator workbook for the latest
    quarter-end, in exports/YYYY-MM/. Packs are rewritten only when what they show changed;
    `progress` hears of each pack written."""
    period = latest_quarter_end(db)
    folder = exports / f"{period:%Y-%m}"
    source = ScorecardSource(db, period)
    stamp = folder / ".packs.sha256"
    fingerprint = source.fingerprint()
    # The file names come from the scorecard rows: building every pack (peer quartiles and
    # all) just to name its files cost ~0.7 s a night.
    expected = [
        folder / f"{pack_stem(period, code, name)}.{fmt}"
        for code, name in source.cards.select("bank_code", "bank_name").rows()
        for fmt in FORMATS
    ]
    unchanged = (
        stamp.is_file()
        and stamp.read_text() == fingerprint
        and all(path.is_file() for path in expected)
    )
    written = [] if unchanged else write_packs(source, folder, progress=progress)
    if not unchanged:
        stamp.write_text(fingerprint)
    workbook = write_regulator_workbook(db, period, folder / workbook_name(period))
    return QuarterExports(period, folder, len(written), unchanged, workbook)


def workbook_name(period: date) -> str:
    """'2026-09_督导评价_监管汇总.xlsx'."""
    return f"{period:%Y-%m}_督导评价_监管汇总.xlsx"
