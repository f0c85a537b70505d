"""USCC, organisation-code and GB/T 4754 checks, scalar and as Polars expressions."""

import polars as pl
import pytest

from ingest.identifiers import (
    industry_code_expr,
    industry_division_expr,
    is_valid_uscc,
    org_code_check_character,
    uscc_check_character,
    uscc_is_valid_expr,
)
from tests.helpers import VALID_USCCS


@pytest.mark.parametrize("code", [*VALID_USCCS, "531000005000160090"])
def test_real_codes_from_the_standard_and_registrations_are_valid(code):
    assert is_valid_uscc(code)


def test_check_character_of_the_standards_example():
    # GB 32100-2015's example 91350100M000100Y43: check character 3, org code check 4.
    assert uscc_check_character("91350100M000100Y4") == "3"
    assert org_code_check_character("M000100Y") == "4"


def test_a_remainder_of_zero_gives_check_character_zero():
    # 531000005000160090 ends in 0: (31 - 0) mod 31 = 0, not 31.
    assert uscc_check_character("53100000500016009") == "0"


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong USCC check character
        "123456789012345678",  # passes the USCC check by accident, fails GB 11714
        "91350100M000100Y4",  # 17 characters
        "91350100M000100I43",  # I is not in the USCC alphabet
        "91350100m000100y43",  # lower case is not the standard's form
        "",
    ],
)
def test_malformed_or_miscomputed_codes_are_invalid(code):
    assert not is_valid_uscc(code)


def test_polars_expression_agrees_with_the_scalar_check():
    codes = [*VALID_USCCS, "91350100M000100Y44", "123456789012345678", "SHORT", None]
    frame = pl.DataFrame({"uscc": codes}).with_columns(ok=uscc_is_valid_expr("uscc"))
    assert frame["ok"].to_list() == [True, True, True, True, False, False, False, None]


@pytest.mark.parametrize(
    ("written", "division", "canonical"),
    [
        ("C3612", "36", "C3612"),
        ("3612", "36", "C3612"),
        ("C36", "36", "C36"),
        ("36", "36", "C36"),
        ("0111", "01", "A0111"),  # leading zero kept: agriculture, not division 11
        ("A01", "01", "A01"),
        ("F5121", "51", "F5121"),
        ("T97", "97", "T97"),
        ("F36", None, None),  # letter contradicts the division
        ("98", None, None),  # no division 98
        ("C1", None, None),
        ("X36", None, None),
    ],
)
def test_industry_codes_map_to_real_divisions(written, division, canonical):
    frame = pl.DataFrame({"code": [written]}).with_columns(
        division=industry_division_expr("code"), canonical=industry_code_expr("code")
    )
    assert frame.row(0, named=True) == {
        "code": written,
        "division": division,
        "canonical": canonical,
    }
