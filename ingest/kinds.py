"""The registry of submission kinds, one module per kind."""

from __future__ import annotations

from ingest import (
    bonds,
    bridge_loans,
    engagements,
    enterprises,
    fund_investments,
    guarantee_compensations,
    ipos,
    loan_totals,
    loans,
    subsidy_claims,
    whitelist_pushes,
)
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
        subsidy_claims.KIND,
        bridge_loans.KIND,
        guarantee_compensations.KIND,
        whitelist_pushes.KIND,
    )
}
# The kinds a bank files: their reporter is a registered bank, their month is stated.
BANK_KINDS = ("loans", "loan_totals")
# The kinds whose rows name a bank's loan: checked against the bank's accepted loans files
# once every file of the batch has been read (quality.linked).
LINKED_KINDS = ("subsidy_claims", "guarantee_compensations")
