"""Text that can never become a live formula when a spreadsheet opens it (OWASP CSV
injection): a cell starting with =, +, -, @, a tab or a carriage return is made inert."""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# xlsxwriter options: strings stay strings, never formulas or links.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def inert(value: object) -> object:
    """`value` as a CSV cell: text starting with a formula trigger gets a leading
    apostrophe, which spreadsheets show as text; other values pass through."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
