"""The strong lean reference and the product must agree: `bank_loan_metrics` cell for cell
on the columns both compute (amounts exact, shares to 1e-12)."""

from __future__ import annotations

from pathlib import Path

import duckdb

KEYS = ["bank_code", "period"]
AMOUNTS = ["total_loans", "mfg_loans", "mfg_mlt_loans", "mfg_credit_loans"]
SHARES = ["mfg_loan_share", "mfg_mlt_share", "mfg_credit_share"]


def metrics_differences(strong: Path, product: Path) -> list[str]:
    """Where the two published files disagree (empty when they match everywhere)."""
    con = duckdb.connect()
    con.execute(f"attach '{strong}' as strong (read_only)").fetchall()
    con.execute(f"attach '{product}' as product (read_only)").fetchall()
    columns = ", ".join(KEYS + AMOUNTS + SHARES)
    different = " or ".join(
        [f"s.{c} is distinct from p.{c}" for c in AMOUNTS]
        + [f"(s.{c} is null) <> (p.{c} is null) or abs(s.{c} - p.{c}) > 1e-12" for c in SHARES]
    )
    rows = con.execute(
        f"""
        select coalesce(s.bank_code, p.bank_code), coalesce(s.period, p.period),
            s.bank_code is null as only_product, p.bank_code is null as only_strong
        from (select {columns} from strong.bank_loan_metrics) as s
        full join (select {columns} from product.marts.bank_loan_metrics) as p
            using (bank_code, period)
        where s.bank_code is null or p.bank_code is null or {different}
        order by 1, 2
        """
    ).fetchall()
    con.close()
    return [
        f"{bank} {period:%Y-%m}: "
        + (
            "only in the product"
            if only_product
            else "only in the reference"
            if only_strong
            else "values differ"
        )
        for bank, period, only_product, only_strong in rows
    ]
