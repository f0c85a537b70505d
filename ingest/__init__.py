"""Ingest: read submitted files, map headers, normalise with Polars, identifiers, ledger."""
