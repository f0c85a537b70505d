"""The built-in sample, deterministic for a seed: the banks' files and the registers'
(`zhirong generate`, `zhirong demo`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ingest.reference import load_reference
from sample.banks import bank_profiles, loan_book, write_month
from sample.config import SampleConfig
from sample.money import BankBook, generate_money
from sample.population import make_enterprises, months_between
from sample.registers import generate_registers, register_of

log = logging.getLogger(__name__)


def generate(
    out_dir: Path,
    config: SampleConfig | None = None,
    progress: Callable[[str], None] = log.info,
) -> list[Path]:
    """Write the sample's files into `out_dir` (the default sample unless `config`); return
    their paths."""
    config = config or SampleConfig()
    rng = np.random.default_rng(config.seed)
    enterprises = make_enterprises(rng, config.enterprises)
    months = months_between(config.start, config.end)
    reference = load_reference()
    fx = reference.fx_rates.select("currency", "period", "rate_to_cny")
    written: list[Path] = []
    profiles = bank_profiles(config, rng)
    books: list[BankBook] = []
    for n, profile in enumerate(profiles, start=1):
        bank_rng = np.random.default_rng([config.seed, n])
        book = loan_book(profile, enterprises, months, bank_rng)
        books.append(BankBook(profile, book))
        for period in months:
            # A bank that joined the registry later files from its first active month; its
            # book (and the random draws) run from the start all the same.
            files = write_month(out_dir, profile, book, enterprises, period, fx, bank_rng)
            if profile.active_from is None or period >= profile.active_from:
                written.extend(files)
            else:
                for path in files:
                    path.unlink()
        progress(f"[{n}/{len(profiles)}] {profile.name}: {len(months)} months ({profile.format})")
    registers = list(generate_registers(out_dir, enterprises, months[0], months[-1], config.seed))
    progress(f"registers: {len(registers)} files (enterprises, bonds, IPOs, funds, engagements)")
    # The same register the register files carry (its generator's first draws).
    register = register_of(enterprises, np.random.default_rng([config.seed, 33618]))
    money = list(generate_money(out_dir, books, enterprises, register, months, config.seed))
    progress(
        f"plan's money: {len(money)} files (subsidy claims, bridge loans, compensations, "
        "white-list pushes)"
    )
    return written + registers + money
