"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.home import Home


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """An empty Zhirong home."""
    return Home(tmp_path / "home").ensure()
