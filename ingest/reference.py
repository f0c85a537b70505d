"""Reference data the gate checks against, read from the dbt seeds so that one registry
serves ingest, the gate and the models."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Reference:
    """Registered banks, ISO 4217 currencies and month-end FX rates."""

    banks: pl.DataFrame
    currencies: frozenset[str]
    fx_rates: pl.DataFrame

    @property
    def bank_codes(self) -> frozenset[str]:
        """Codes of every registered bank."""
        return frozenset(self.banks["bank_code"])


@cache
def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    """Read the bank registry, currencies and FX seeds (every column as text first, so
    codes keep their leading zeros)."""
    banks = pl.read_csv(seeds_dir / "banks.csv", infer_schema=False)
    currencies = pl.read_csv(seeds_dir / "currencies.csv", infer_schema=False)
    fx = pl.read_csv(seeds_dir / "fx_rates.csv", infer_schema=False).with_columns(
        pl.col("period").str.to_date(),
        pl.col("rate_to_cny").cast(pl.Float64),
    )
    return Reference(banks, frozenset(currencies["currency"]), fx)
