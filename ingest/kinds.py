"""The registry of submission kinds, one module per kind."""

from __future__ import annotations

from ingest import bonds, engagements, enterprises, fund_investments, ipos, loan_totals, loans
from ingest.schema import Kind

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        loans.KIND,
        loan_totals.KIND,
        bonds.KIND,
        ipos.KIND,
        fund_investments.KIND,
        engagements.KIND,
        enterprises.KIND,
    )
}
# The kinds a bank files: their reporter is a registered bank, their month is stated.
BANK_KINDS = ("loans", "loan_totals")
