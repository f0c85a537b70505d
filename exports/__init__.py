"""Exports: scorecard packs and the regulator workbook."""
