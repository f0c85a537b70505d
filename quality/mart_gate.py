"""The mart gate: Great Expectations suites over the built marts, run before publish. Ratios
lie in [0, 1], parts do not exceed totals, keys are unique, city totals equal the sum over
banks, and loan-level totals reconcile with the banks' own totals."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from ingest.reference import Reference
from quality.crossfile import GateSettings
from quality.rules import MART_LEVEL, Rule, rules_for
from quality.suites import Suites

MART_TABLES = ("bank_loan_metrics", "city_loan_metrics")
AMOUNTS = ("total_loans", "mfg_loans", "mfg_mlt_loans", "mfg_credit_loans")
MAX_EXAMPLES = 10

QUERIES = {
    "bank_loan_metrics": """
        select
            m.bank_code,
            m.period,
            m.mfg_loan_share, m.mfg_mlt_share, m.mfg_credit_share,
            {amounts},
            cast(a.corporate_loans_detail as double)
                / nullif(cast(t.corporate_loans as double), 0) - 1 as corporate_gap
        from marts.bank_loan_metrics as m
        left join intermediate.int_bank_loans_aggregated as a
            on a.bank_code = m.bank_code and a.period = m.period
        left join staging.stg_raw__loan_totals as t
            on t.bank_code = m.bank_code and t.period = m.period
    """,
    "city_loan_metrics": """
        with banks as (
            -- 可比口径: each balance sums the banks that have it (sum skips NULLs).
            select period, {sums}
            from marts.bank_loan_metrics
            group by period
        )
        select
            c.period,
            c.mfg_loan_share, c.mfg_mlt_share, c.mfg_credit_share,
            {amounts},
            {differences}
        from marts.city_loan_metrics as c
        left join banks as b on b.period = c.period
    """,
}
INDEX = {"bank_loan_metrics": ["bank_code", "period"], "city_loan_metrics": ["period"]}


@dataclass
class MartBreach:
    """One rule the marts break: how often, and the first keys where."""

    rule: Rule
    occurrences: int = 0
    examples: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the operator."""
        where = "; ".join(self.examples)
        return (
            f"{self.rule.rule_id} {self.rule.message_zh} / {self.rule.message_en} "
            f"({self.occurrences}×: {where})"
        )


def mart_frame(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """What the mart gate checks for `table`, amounts as doubles."""
    amounts = ", ".join(
        f"cast({'m' if table == MART_TABLES[0] else 'c'}.{a} as double) as {a}" for a in AMOUNTS
    )
    sums = ", ".join(f"sum({a}) as {a}" for a in AMOUNTS)
    differences = ", ".join(f"cast(c.{a} - b.{a} as double) as {a}_minus_banks" for a in AMOUNTS)
    query = QUERIES[table].format(amounts=amounts, sums=sums, differences=differences)
    return pl.from_arrow(con.sql(query).to_arrow_table())


def _text(value) -> str:
    """A key as an analyst writes it (dates without a time of day)."""
    return value.date().isoformat() if hasattr(value, "date") else str(value)


class MartGate:
    """The mart suites, built once."""

    def __init__(self, reference: Reference, settings: GateSettings | None = None):
        groups = {table: rules_for(table, MART_LEVEL) for table in MART_TABLES}
        self._suites = Suites(groups, reference, settings or GateSettings())

    def warm_up(self) -> None:
        """Build every suite now, not at the first check."""
        self._suites.build_all()

    def check(self, con: duckdb.DuckDBPyConnection) -> dict[str, list[MartBreach]]:
        """The breaches per mart table (an empty list when the table passes)."""
        breaches: dict[str, list[MartBreach]] = {}
        for table in MART_TABLES:
            found: dict[str, MartBreach] = {}
            for hit, rule, column in self._suites.run(table, mart_frame(con, table), INDEX[table]):
                breach = found.setdefault(rule.rule_id, MartBreach(rule))
                breach.occurrences += 1
                if len(breach.examples) < MAX_EXAMPLES:
                    key = " ".join(_text(hit[c]) for c in INDEX[table])
                    breach.examples.append(f"{key} {column}={hit.get(column)}")
            breaches[table] = list(found.values())
        return breaches
