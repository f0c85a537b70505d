"""What the sample generator writes: how many banks, months, loans and enterprises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleConfig:
    """What to generate."""

    seed: int = 20240221
    banks: int = 26
    start: str = "2023-01"
    end: str = "2026-10"
    loans_per_bank: int = 400
    enterprises: int = 1500
