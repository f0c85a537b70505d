"""Header mapping (Chinese and canonical English names → canonical columns) and detection of a
file's kind from its headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.kinds import KINDS
from ingest.schema import Kind

UNIT_FACTORS = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
_UNIT_SUFFIX = re.compile(r"[(（]\s*(元|万元|亿元)\s*[)）]$")
_UNIT_NOTE = re.compile(r"单位\s*[:：]\s*(元|万元|亿元)")


def header_key(text: str) -> str:
    """The comparable form of a header: no BOM, spaces or unit suffix, half-width brackets,
    lower case."""
    key = str(text).replace("\ufeff", "").strip()
    key = _UNIT_SUFFIX.sub("", key)
    key = key.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "")
    return key.lower()


def header_unit(text: str) -> int | None:
    """The 元 factor a header declares with a suffix such as `贷款余额(万元)`, if any."""
    match = _UNIT_SUFFIX.search(str(text).strip())
    return UNIT_FACTORS[match.group(1)] if match else None


def unit_note(text: str) -> int | None:
    """The 元 factor of a note such as `单位：万元` found in a title row, if any."""
    match = _UNIT_NOTE.search(str(text))
    return UNIT_FACTORS[match.group(1)] if match else None


def _lookup(kind: Kind) -> dict[str, str]:
    return {header_key(h): c.name for c in kind.columns for h in c.headers}


LOOKUPS = {name: _lookup(kind) for name, kind in KINDS.items()}
KNOWN_HEADERS = frozenset(k for lookup in LOOKUPS.values() for k in lookup)


@dataclass(frozen=True)
class HeaderMatch:
    """How a file's headers map onto one kind."""

    kind: Kind | None
    canonical: tuple[str | None, ...]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    duplicated: tuple[str, ...]


def match_headers(headers: list[str]) -> HeaderMatch:
    """Detect the kind whose required columns the headers cover best and map each header to
    its canonical column (None for an unknown header)."""
    keys = [header_key(h) for h in headers]
    best: tuple[float, Kind] | None = None
    tie = False
    for kind in KINDS.values():
        found = {LOOKUPS[kind.name].get(k) for k in keys}
        score = sum(c in found for c in kind.required) / len(kind.required)
        if best is None or score > best[0]:
            best, tie = (score, kind), False
        elif score == best[0]:
            tie = True
    if best is None or best[0] < 0.5 or tie:
        return HeaderMatch(None, tuple(None for _ in headers), (), tuple(headers), ())
    kind = best[1]
    lookup = LOOKUPS[kind.name]
    canonical = tuple(lookup.get(k) for k in keys)
    seen: dict[str, int] = {}
    for c in canonical:
        if c is not None:
            seen[c] = seen.get(c, 0) + 1
    return HeaderMatch(
        kind=kind,
        canonical=canonical,
        missing=tuple(c for c in kind.required if c not in seen),
        unknown=tuple(h for h, c in zip(headers, canonical, strict=True) if c is None),
        duplicated=tuple(c for c, n in seen.items() if n > 1),
    )
