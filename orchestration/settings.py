"""The gate's tolerances as the environment sets them, for the Dagster resource and the bank-
side `zhirong validate` alike (the same rules on both sides)."""

from __future__ import annotations

import os
from dataclasses import replace

from quality.crossfile import GateSettings

ENVIRONMENT = (
    ("reconcile_warning", "ZHIRONG_RECONCILE_WARNING", float),
    ("reconcile_error", "ZHIRONG_RECONCILE_ERROR", float),
    ("mfg_change_bound", "ZHIRONG_MFG_CHANGE_BOUND", float),
    ("due_day", "ZHIRONG_DUE_DAY", int),
)


def gate_settings_from_environment() -> GateSettings:
    """The defaults of docs/rules.md, unless ZHIRONG_RECONCILE_WARNING,
    ZHIRONG_RECONCILE_ERROR, ZHIRONG_MFG_CHANGE_BOUND or ZHIRONG_DUE_DAY say otherwise."""
    overrides = {
        field: kind(os.environ[variable])
        for field, variable, kind in ENVIRONMENT
        if os.environ.get(variable)
    }
    return replace(GateSettings(), **overrides)
