"""Orchestration: the Dagster definitions and the zhirong CLI (the only room importing dagster)."""
