"""The gate's tolerances and the file limits as the environment sets them, for the Dagster
resources and the bank-side `zhirong validate` alike (the same rules on both sides), how
long a scheduled run waits for another writer, and the day the models take as today."""

from __future__ import annotations

import os
from dataclasses import fields, replace
from datetime import date

from ingest.limits import ReadLimits
from quality.crossfile import GateSettings

ENVIRONMENT = (
    ("reconcile_warning", "ZHIRONG_RECONCILE_WARNING", float),
    ("reconcile_error", "ZHIRONG_RECONCILE_ERROR", float),
    ("mfg_change_bound", "ZHIRONG_MFG_CHANGE_BOUND", float),
    ("loan_amount_tolerance", "ZHIRONG_LOAN_AMOUNT_TOLERANCE", float),
)


def gate_settings_from_environment() -> GateSettings:
    """The defaults of docs/rules.md, unless ZHIRONG_RECONCILE_WARNING,
    ZHIRONG_RECONCILE_ERROR, ZHIRONG_MFG_CHANGE_BOUND or ZHIRONG_LOAN_AMOUNT_TOLERANCE say
    otherwise (the due day is the filing_obligations seed's, which the models use too)."""
    overrides = {
        field: kind(os.environ[variable])
        for field, variable, kind in ENVIRONMENT
        if os.environ.get(variable)
    }
    return replace(GateSettings(), **overrides)


def read_limits_from_environment() -> ReadLimits:
    """The defaults of ingest/limits.py, unless ZHIRONG_<LIMIT> (e.g. ZHIRONG_MAX_FILE_BYTES,
    ZHIRONG_MAX_XLSX_CELLS) says otherwise."""
    overrides = {
        f.name: int(os.environ[f"ZHIRONG_{f.name.upper()}"])
        for f in fields(ReadLimits)
        if os.environ.get(f"ZHIRONG_{f.name.upper()}")
    }
    return replace(ReadLimits(), **overrides)


# A scheduled or sensor run finding another writer waits this long before it fails.
DEFAULT_LOCK_WAIT_SECONDS = 600.0


def lock_wait_from_environment() -> float:
    """Seconds a scheduled run waits for the writer lock (ZHIRONG_LOCK_WAIT_SECONDS)."""
    return float(os.environ.get("ZHIRONG_LOCK_WAIT_SECONDS") or DEFAULT_LOCK_WAIT_SECONDS)


def as_of_from_environment() -> str | None:
    """The Beijing calendar day the models take as today (ZHIRONG_AS_OF, YYYY-MM-DD): which
    filings are due or missing and which quarters freeze. Unset, the warehouse's clock.
    For re-running a past night as it was, and for runs that must not see a midnight pass."""
    value = os.environ.get("ZHIRONG_AS_OF", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(
            f"ZHIRONG_AS_OF 不是日期 / is not a date: {value!r} (YYYY-MM-DD, e.g. 2026-11-30)"
        ) from None
