"""How numbers read in every export: amounts in 亿元 (the plan's money in 万元), ratios in %,
changes in percentage points, scores to two decimals; a missing value reads as a dash, never
as 0."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

MISSING = "—"
BEIJING = ZoneInfo("Asia/Shanghai")
YUAN_PER_YI = Decimal(100_000_000)
YUAN_PER_WAN = Decimal(10_000)


def yi(amount: Decimal | float | None) -> float | None:
    """元 → 亿元."""
    if amount is None:
        return None
    return float(Decimal(amount) / YUAN_PER_YI)


def wan(amount: Decimal | float | None) -> float | None:
    """元 → 万元 (the plan's money: subsidies and rewards are counted in 万元)."""
    if amount is None:
        return None
    return float(Decimal(amount) / YUAN_PER_WAN)


def text(value: float | Decimal | None, unit: str) -> str:
    """A value for reading: unit "%" and "pp" take fractions (0.1234 → 12.34% / +12.34 pp),
    "亿元" and "万元" take 元, "分" a score."""
    if value is None:
        return MISSING
    if unit == "%":
        return f"{float(value) * 100:.2f}%"
    if unit == "pp":
        return f"{float(value) * 100:+.2f} pp"
    if unit == "亿元":
        return f"{yi(value):,.2f}"
    if unit == "万元":
        return f"{wan(value):,.2f}"
    return f"{float(value):.2f}"


def sheet_value(value: float | Decimal | None, unit: str) -> float | None:
    """A value as an XLSX cell holds it under `number_format(unit)`."""
    if value is None:
        return None
    if unit == "pp":
        return float(value) * 100
    if unit == "亿元":
        return yi(value)
    if unit == "万元":
        return wan(value)
    return float(value)


def number_format(unit: str) -> str:
    """The Excel number format for a unit."""
    return {
        "%": "0.00%",
        "pp": '+0.00" pp";-0.00" pp";0.00" pp"',
        "亿元": "#,##0.00",
        "万元": "#,##0.00",
        "分": "0.00",
    }.get(unit, "General")


def beijing(at: datetime, label: bool = True) -> str:
    """A stored time (naive UTC, as the ledger keeps it) as Beijing time, to the minute, for
    people in Chongqing; `label` appends 北京时间."""
    shown = f"{at.replace(tzinfo=UTC).astimezone(BEIJING):%Y-%m-%d %H:%M}"
    return f"{shown} 北京时间" if label else shown
