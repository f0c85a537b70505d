"""What a submission kind looks like: its canonical columns, their Chinese names and types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

TEXT, CODE, DATE, PERIOD, AMOUNT, RATE, FLAG = (
    "text",
    "code",
    "date",
    "period",
    "amount",
    "rate",
    "flag",
)
AMOUNT_DTYPE = pl.Decimal(18, 2)


@dataclass(frozen=True)
class Column:
    """One canonical column of a submission kind."""

    name: str
    zh: str
    parse: str
    required: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header text that maps to this column (canonical, Chinese, aliases)."""
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class Kind:
    """A submission kind: its columns and the Polars normalisation to the canonical schema."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    normalise: Callable[[pl.LazyFrame], pl.LazyFrame]
    reporter_column: str = "bank_code"
    period_column: str = "report_period"

    @property
    def required(self) -> tuple[str, ...]:
        """Canonical names of the columns every file of this kind must carry."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        return next(c for c in self.columns if c.name == name)
