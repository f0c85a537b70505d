"""Findings reports for banks: one line per finding (file, the row as the bank sees it, the
column as the bank named it, the value, rule, message 中文/English), as CSV (UTF-8 with BOM,
so Excel opens the Chinese correctly) and XLSX with a summary of every rule's total count."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from exports.printing import set_up_page
from exports.safety import XLSX_OPTIONS, inert
from quality.rules import RULES_BY_ID

HEADERS = [
    ("file", "文件 file"),
    ("row_number", "行号 row"),
    ("column", "列 column"),
    ("value", "值 value"),
    ("rule_id", "规则 rule"),
    ("severity", "级别 severity"),
    ("rule_total", "该规则总数 rule total"),
    ("message_zh", "说明"),
    ("message_en", "message"),
]
SUMMARY_HEADERS = [
    "规则 rule",
    "级别 severity",
    "总数 occurrences",
    "示例 examples shown",
    "检查内容",
    "what it checks",
]


def report_lines(file_name: str, findings: pl.DataFrame, counts: dict[str, int]) -> pl.DataFrame:
    """The report's lines: errors first, then by rule and row."""
    return (
        findings.with_columns(
            pl.lit(file_name).alias("file"),
            pl.col("rule_id")
            .replace_strict(counts, default=None, return_dtype=pl.Int64)
            .alias("rule_total"),
        )
        .sort(["severity", "rule_id", "row_number"], nulls_last=False)
        .select([name for name, _ in HEADERS])
    )


def write_findings_report(
    base: Path, file_name: str, findings: pl.DataFrame, counts: dict[str, int]
) -> tuple[Path, Path]:
    """Write `<base>.findings.csv` and `<base>.findings.xlsx`; return both paths."""
    lines = report_lines(file_name, findings, counts)
    csv_path, xlsx_path = report_paths(base)
    # Each written beside its name and renamed: a report that exists is a whole report.
    staged = csv_path.with_name(csv_path.name + ".partial")
    with open(staged, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([label for _, label in HEADERS])
        for row in lines.iter_rows():
            writer.writerow(["" if v is None else inert(v) for v in row])
    staged.replace(csv_path)
    staged = xlsx_path.with_name(xlsx_path.name + ".partial")
    _write_xlsx(staged, lines, counts)
    staged.replace(xlsx_path)
    return csv_path, xlsx_path


def report_paths(base: Path) -> tuple[Path, Path]:
    """Where the findings report of the file kept at `base` goes: CSV and XLSX."""
    return (
        base.with_name(base.name + ".findings.csv"),
        base.with_name(base.name + ".findings.xlsx"),
    )


def _write_xlsx(path: Path, lines: pl.DataFrame, counts: dict[str, int]) -> None:
    import xlsxwriter

    # Assembled in memory: xlsxwriter otherwise writes each of a workbook's parts to a
    # temporary file first, most of the cost of a report of a few lines (one per file with
    # findings, every night).
    with xlsxwriter.Workbook(path, {**XLSX_OPTIONS, "in_memory": True}) as book:
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        summary = book.add_worksheet("汇总 summary")
        summary.write_row(0, 0, SUMMARY_HEADERS, bold)
        shown = lines.group_by("rule_id").len()
        shown = dict(zip(shown["rule_id"], shown["len"], strict=True))
        ordered = sorted(counts, key=lambda r: (RULES_BY_ID[r].severity, r))
        for r, rule_id in enumerate(ordered, start=1):
            rule = RULES_BY_ID[rule_id]
            summary.write_row(
                r,
                0,
                [
                    rule_id,
                    rule.severity,
                    counts[rule_id],
                    shown.get(rule_id, 0),
                    rule.checks_zh,
                    rule.checks_en,
                ],
            )
        summary.freeze_panes(1, 0)
        summary.set_column(0, 1, 12)
        summary.set_column(2, 3, 14)
        summary.set_column(4, 5, 48)
        detail = book.add_worksheet("明细 findings")
        detail.write_row(0, 0, [label for _, label in HEADERS], bold)
        for r, row in enumerate(lines.iter_rows(), start=1):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    detail.write_string(r, c, value)
                elif value is not None:
                    detail.write_number(r, c, value)
        detail.freeze_panes(1, 0)
        detail.set_column(0, 0, 36)
        detail.set_column(1, 2, 14)
        detail.set_column(3, 3, 24)
        detail.set_column(4, 6, 12)
        detail.set_column(7, 8, 48)
        detail.autofilter(0, 0, max(1, lines.height), len(HEADERS) - 1)
        set_up_page(summary, 12 * 2 + 14 * 2 + 48 * 2, header_rows=(0, 0))
        set_up_page(detail, 36 + 14 * 2 + 24 + 12 * 3 + 48 * 2, header_rows=(0, 0))
