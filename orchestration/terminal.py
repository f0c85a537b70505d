"""A query result as a table for the terminal: numbers right-aligned, money with thousands
separators, ratios to six significant digits, and — when the table is wider than the
terminal — the middle columns elided, as DuckDB's own shell does."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from exports.printing import display_width as width

NULL = "NULL"
ELLIDED = "…"
# A cell wider than this is cut (a long text would otherwise take the whole screen).
MAX_CELL = 40
NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
)


def cell(value) -> str:
    """One value as the table shows it."""
    if value is None:
        return NULL
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return f"{value:,.2f}" if abs(value) >= 1e6 else f"{value:.6g}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cut(text: str, most: int = MAX_CELL) -> str:
    if width(text) <= most:
        return text
    out, used = "", 0
    for ch in text:
        used += width(ch)
        if used > most - 1:
            break
        out += ch
    return out + ELLIDED


def render(
    columns: list[str], types: list[str], rows: list[tuple], terminal_width: int
) -> list[str]:
    """The lines of the table, no wider than `terminal_width` when columns can be elided."""
    cells = [[_cut(cell(v)) for v in row] for row in rows]
    heads = [_cut(c) for c in columns]
    widths = [max([width(h)] + [width(r[i]) for r in cells]) for i, h in enumerate(heads)]
    right = [t.split("(")[0].upper() in NUMERIC for t in types]
    shown = _columns_that_fit(widths, terminal_width)

    def line(values: list[str], fill: str = " ", joint: str = " | ") -> str:
        parts = []
        for i in shown:
            if i is None:
                parts.append(ELLIDED if fill == " " else "-")
                continue
            pad = fill * (widths[i] - width(values[i]))
            parts.append(pad + values[i] if right[i] and fill == " " else values[i] + pad)
        return joint.join(parts)

    lines = [line(heads), line(["" for _ in heads], fill="-", joint="-+-")]
    lines += [line(r) for r in cells]
    hidden = len(columns) - sum(1 for i in shown if i is not None)
    if hidden:
        lines.append(
            f"（{hidden} 列未显示 / {hidden} columns not shown: use --format csv, "
            "xlsx, or select fewer columns）"
        )
    return lines


def _columns_that_fit(widths: list[int], most: int) -> list[int | None]:
    """Column indexes to show, left and right taken in turn, with None where the elided
    middle goes; every column when the table fits."""
    total = sum(widths) + 3 * (len(widths) - 1)
    if total <= most or len(widths) <= 2:
        return list(range(len(widths)))
    left, right, used = [], [], width(ELLIDED)
    lo, hi = 0, len(widths) - 1
    take_left = True
    while lo <= hi:
        i = lo if take_left else hi
        if used + widths[i] + 3 > most and (left or right):
            break
        used += widths[i] + 3
        if take_left:
            left.append(i)
            lo += 1
        else:
            right.insert(0, i)
            hi -= 1
        take_left = not take_left
    if lo > hi:
        return left + right
    return [*left, None, *right]
