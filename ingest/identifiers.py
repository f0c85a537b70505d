"""Identifier algorithms: USCC (GB 32100-2015), organisation code (GB 11714), PBOC bank
codes (JR/T 0124) and GB/T 4754-2017 industry codes — scalar and as Polars expressions."""

from __future__ import annotations

import re

import polars as pl

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
_USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_SHAPE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
BANK_CODE_PATTERN = r"^[A-Z][0-9]{13}$"

# GB/T 4754-2017 门类 by division range; divisions 01–97 are contiguous.
SECTIONS = (
    ("A", 1, 5),
    ("B", 6, 12),
    ("C", 13, 43),
    ("D", 44, 46),
    ("E", 47, 50),
    ("F", 51, 52),
    ("G", 53, 60),
    ("H", 61, 62),
    ("I", 63, 65),
    ("J", 66, 69),
    ("K", 70, 70),
    ("L", 71, 72),
    ("M", 73, 75),
    ("N", 76, 79),
    ("O", 80, 82),
    ("P", 83, 83),
    ("Q", 84, 85),
    ("R", 86, 90),
    ("S", 91, 96),
    ("T", 97, 97),
)
MANUFACTURING_DIVISIONS = range(13, 44)


def uscc_check_character(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    # The final mod 31 matters: a remainder of 0 gives check value 0, not 31.
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """The 9th character of a GB 11714 organisation code."""
    total = sum(_ORG_VALUES[c] * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def is_valid_uscc(code: str | None) -> bool:
    """True when `code` is a well-formed USCC whose USCC and organisation-code checks pass."""
    if code is None or not _USCC_SHAPE.match(code):
        return False
    if uscc_check_character(code[:17]) != code[17]:
        return False
    return org_code_check_character(code[8:16]) == code[16]


def uscc_is_valid_expr(column: str) -> pl.Expr:
    """Polars expression: the USCC in `column` passes both check characters (null stays null)."""
    code = pl.col(column)
    usc_total = pl.sum_horizontal(
        _char_value(code, i, _USCC_VALUES) * w for i, w in enumerate(USCC_WEIGHTS)
    )
    usc_check = ((31 - usc_total % 31) % 31).replace_strict(
        list(range(31)), list(USCC_ALPHABET), return_dtype=pl.String
    )
    org_total = pl.sum_horizontal(
        _char_value(code, 8 + i, _ORG_VALUES) * w for i, w in enumerate(ORG_WEIGHTS)
    )
    org_check = (11 - org_total % 11).replace_strict(
        list(range(1, 12)), [str(v) for v in range(1, 10)] + ["X", "0"], return_dtype=pl.String
    )
    shape_ok = code.str.contains(_USCC_SHAPE.pattern)
    return (
        pl.when(code.is_null())
        .then(None)
        .when(shape_ok)
        .then((code.str.slice(17, 1) == usc_check) & (code.str.slice(16, 1) == org_check))
        .otherwise(False)
    )


def _char_value(code: pl.Expr, position: int, values: dict[str, int]) -> pl.Expr:
    return code.str.slice(position, 1).replace_strict(values, default=0, return_dtype=pl.Int64)


def section_of_division(division: int) -> str | None:
    """The GB/T 4754 门类 letter of a two-digit division, or None if no such division."""
    for letter, low, high in SECTIONS:
        if low <= division <= high:
            return letter
    return None


_SECTION_BY_DIVISION = {
    f"{d:02d}": letter for letter, low, high in SECTIONS for d in range(low, high + 1)
}


def _industry_parts(column: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(letter as written, digits, section letter of the division) of an industry code."""
    parts = pl.col(column).str.extract_groups(r"^([A-T])?(\d{2,4})$")
    digits = parts.struct.field("2")
    section = digits.str.slice(0, 2).replace_strict(
        _SECTION_BY_DIVISION, default=None, return_dtype=pl.String
    )
    return parts.struct.field("1"), digits, section


def industry_division_expr(column: str) -> pl.Expr:
    """Two-digit GB/T 4754 division of an industry code written `C3612`, `3612`, `36` …,
    or null when the code is not a real division (or the letter contradicts it)."""
    letter, digits, section = _industry_parts(column)
    letter_ok = letter.is_null() | (letter == section)
    return pl.when(section.is_not_null() & letter_ok).then(digits.str.slice(0, 2))


def industry_code_expr(column: str) -> pl.Expr:
    """Canonical industry code `C3612` (section letter + digits), or null when invalid."""
    letter, digits, section = _industry_parts(column)
    letter_ok = letter.is_null() | (letter == section)
    return pl.when(section.is_not_null() & letter_ok).then(pl.concat_str(section, digits))
