"""The registry of submission kinds, one module per kind."""

from __future__ import annotations

from ingest import loan_totals, loans
from ingest.schema import Kind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (loans.KIND, loan_totals.KIND)}
