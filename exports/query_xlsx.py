"""An analyst's query result as a workbook (`zhirong sql --format xlsx`): one sheet of the
rows with typed cells — money as numbers with separators, dates as dates — the header
frozen and repeated on every printed page, and the query itself on a second sheet."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from exports.printing import column_width, set_up_page
from exports.safety import XLSX_OPTIONS

# Enough rows to size a column by; the rest are written without being measured.
MEASURED_ROWS = 2000


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def write_query_xlsx(
    columns: list[str], types: list[str], rows: list[tuple], query: str, path: Path
) -> Path:
    """Write the result to `path` (complete, or not at all); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.partial")
    try:
        book = xlsxwriter.Workbook(str(staged), XLSX_OPTIONS)
        header = book.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet = book.add_worksheet("结果")
        widths = []
        for c, name in enumerate(columns):
            width = column_width(name, (_text(r[c]) for r in rows[:MEASURED_ROWS]))
            widths.append(width)
            sheet.write_string(0, c, name, header)
            sheet.set_column(c, c, width)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, moment)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                else:
                    sheet.write_string(r, c, str(value))
        sheet.freeze_panes(1, 0)
        if columns:
            sheet.autofilter(0, 0, max(1, len(rows)), len(columns) - 1)
        set_up_page(sheet, sum(widths), header_rows=(0, 0))
        about = book.add_worksheet("查询")
        about.set_column(0, 0, 100)
        about.write_string(0, 0, "查询 query", header)
        about.write_string(1, 0, query, book.add_format({"text_wrap": True, "valign": "top"}))
        about.write_string(
            2,
            0,
            "列类型 column types: "
            + ", ".join(f"{c} {t}" for c, t in zip(columns, types, strict=True)),
        )
        set_up_page(about, 100)
        book.close()
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    return path
