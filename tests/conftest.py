"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.home import Home


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """An empty Zhirong home."""
    return Home(tmp_path / "home").ensure()


@pytest.fixture(scope="session")
def scorecard_home(tmp_path_factory) -> Home:
    """A home refreshed from the six-bank scorecard fixture (tests/helpers.py)."""
    from orchestration.cli import main
    from tests.helpers import write_scorecard_quarter

    home = Home(tmp_path_factory.mktemp("scorecard")).ensure()
    write_scorecard_quarter(home.inbox)
    assert main(["--home", str(home.root), "refresh"]) == 0
    return home
