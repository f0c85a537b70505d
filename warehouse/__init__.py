"""Warehouse: home layout, build database, atomic publish, hardened read-only access."""
