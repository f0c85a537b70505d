"""The mart gate: each invariant, broken on purpose in a small warehouse, is caught; the
intact warehouse passes."""

from datetime import date

import duckdb
import pytest

from ingest.reference import load_reference
from quality.mart_gate import MartGate
from quality.rules import MART_LEVEL, RULES

P1, P2 = date(2026, 9, 30), date(2026, 10, 31)
# bank, period, total, mfg, mlt, credit, loan-level corporate, reported corporate
BANKS = [
    ("A", P1, 1000, 100, 60, 20, 700, 700),
    ("B", P1, 500, 50, 20, 10, 300, 300),
    ("A", P2, 1100, 120, 70, 30, 750, 750),
    ("B", P2, 600, 40, 10, 5, 320, 320),
]


def _warehouse(path, banks=BANKS, city_extra=0, duplicate=False, city_sql=()):
    con = duckdb.connect(str(path))
    for schema in ("marts", "intermediate", "staging"):
        con.execute(f"create schema {schema}")
    con.execute("""create table marts.bank_loan_metrics (bank_code varchar, period date,
        total_loans decimal(20,2), mfg_loans decimal(20,2), mfg_mlt_loans decimal(20,2),
        mfg_credit_loans decimal(20,2), mfg_loan_share double, mfg_mlt_share double,
        mfg_credit_share double)""")
    con.execute("""create table intermediate.int_bank_loans_aggregated (bank_code varchar,
        period date, corporate_loans_detail decimal(20,2))""")
    con.execute("""create table staging.stg_raw__loan_totals (bank_code varchar, period date,
        corporate_loans decimal(18,2))""")
    rows = banks + ([banks[0]] if duplicate else [])
    for bank, period, t, m, mlt, cr, detail, reported in rows:
        con.execute(
            "insert into marts.bank_loan_metrics values (?,?,?,?,?,?,?,?,?)",
            [bank, period, t, m, mlt, cr, m / t, mlt / m if m else None, cr / m if m else None],
        )
        con.execute(
            "insert into intermediate.int_bank_loans_aggregated values (?,?,?)",
            [bank, period, detail],
        )
        con.execute(
            "insert into staging.stg_raw__loan_totals values (?,?,?)", [bank, period, reported]
        )
    con.execute(f"""create table marts.city_loan_metrics as
        select period, sum(total_loans) + {city_extra} as total_loans,
               sum(mfg_loans) as mfg_loans, sum(mfg_mlt_loans) as mfg_mlt_loans,
               sum(mfg_credit_loans) as mfg_credit_loans,
               sum(mfg_loans) / (sum(total_loans) + {city_extra}) as mfg_loan_share,
               sum(mfg_mlt_loans) / sum(mfg_loans) as mfg_mlt_share,
               sum(mfg_credit_loans) / sum(mfg_loans) as mfg_credit_share
        from (select distinct * from marts.bank_loan_metrics) group by period""")
    for statement in city_sql:
        con.execute(statement)
    return con


def _break(index, **changes):
    banks = [list(b) for b in BANKS]
    names = ["bank", "period", "t", "m", "mlt", "cr", "detail", "reported"]
    for name, value in changes.items():
        banks[index][names.index(name)] = value
    return [tuple(b) for b in banks]


BREAKS = {
    "MB-E-001": dict(banks=_break(2, t=100)),  # share 120 / 100 > 1
    "MB-E-002": dict(banks=_break(2, mlt=130)),  # MLT above manufacturing
    "MB-E-003": dict(banks=_break(3, cr=-5)),
    "MB-E-004": dict(duplicate=True),
    "MB-E-005": dict(banks=_break(0, detail=800)),  # 800 vs 700: +14%
    "MC-E-001": dict(city_sql=["update marts.city_loan_metrics set mfg_mlt_share = 1.5"]),
    "MC-E-002": dict(banks=_break(1, mlt=200)),
    "MC-E-003": dict(banks=_break(1, cr=-100)),
    "MC-E-004": dict(
        city_sql=[
            "insert into marts.city_loan_metrics select * from marts.city_loan_metrics limit 1"
        ]
    ),
    "MC-E-005": dict(city_extra=1),
}


@pytest.fixture(scope="module")
def gate() -> MartGate:
    return MartGate(load_reference())


def _breached(gate, con) -> set[str]:
    return {b.rule.rule_id for found in gate.check(con).values() for b in found}


def test_an_intact_warehouse_passes(gate, tmp_path):
    assert _breached(gate, _warehouse(tmp_path / "w.duckdb")) == set()


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.level == MART_LEVEL], ids=lambda r: r.rule_id
)
def test_each_mart_invariant_is_caught(gate, tmp_path, rule):
    assert rule.rule_id in BREAKS, f"{rule.rule_id} has no breaking case"
    assert rule.rule_id in _breached(
        gate, _warehouse(tmp_path / "w.duckdb", **BREAKS[rule.rule_id])
    )


def test_a_breach_names_the_bank_and_month(gate, tmp_path):
    con = _warehouse(tmp_path / "w.duckdb", banks=_break(2, t=100))
    breach = next(b for b in gate.check(con)["bank_loan_metrics"] if b.rule.rule_id == "MB-E-001")
    assert breach.occurrences == 1
    assert breach.examples == ["A 2026-10-31 mfg_loan_share=1.2"]
