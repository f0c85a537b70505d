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
    """Registered banks, ISO 4217 currencies, month-end FX rates, the GB/T 4754 divisions
    that are manufacturing and the 33618 clusters."""

    banks: pl.DataFrame
    currencies: frozenset[str]
    fx_rates: pl.DataFrame
    manufacturing_divisions: tuple[str, ...]
    clusters: pl.DataFrame
    obligations: pl.DataFrame

    @property
    def due_day(self) -> int:
        """The day of the following month by which a bank's monthly files are due (the
        latest version of the filing_obligations seed)."""
        current = self.obligations.sort("valid_from").tail(1)
        return int(current["due_day"][0])

    @property
    def cluster_names(self) -> frozenset[str]:
        """33618 clusters as a register may name them: by name or by code."""
        return frozenset(self.clusters["cluster_name"]) | frozenset(self.clusters["cluster_code"])

    @property
    def bank_codes(self) -> frozenset[str]:
        """Codes of every registered bank."""
        return frozenset(self.banks["bank_code"])


@cache
def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    """Read the bank registry, currency, FX, division and cluster seeds (every column as text first,
    so codes keep their leading zeros)."""
    banks = pl.read_csv(seeds_dir / "banks.csv", infer_schema=False)
    currencies = pl.read_csv(seeds_dir / "currencies.csv", infer_schema=False)
    fx = pl.read_csv(seeds_dir / "fx_rates.csv", infer_schema=False).with_columns(
        pl.col("period").str.to_date(),
        pl.col("rate_to_cny").cast(pl.Float64),
    )
    divisions = pl.read_csv(seeds_dir / "gbt4754_divisions.csv", infer_schema=False)
    manufacturing = divisions.filter(pl.col("is_manufacturing") == "true")["division_code"]
    clusters = pl.read_csv(seeds_dir / "clusters_33618.csv", infer_schema=False)
    obligations = pl.read_csv(seeds_dir / "filing_obligations.csv", infer_schema=False)
    return Reference(
        banks, frozenset(currencies["currency"]), fx, tuple(manufacturing), clusters, obligations
    )
