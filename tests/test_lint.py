"""Lint is part of the test command: the code as ruff formats and checks it, the dbt models as
sqlfluff lints them (settings in pyproject.toml). A failure names the files to fix."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_finds_nothing():
    done = _run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout[-4000:]


def test_every_python_file_is_formatted():
    done = _run("ruff", "format", "--check", ".")
    assert done.returncode == 0, "run `ruff format .`:\n" + done.stdout[-4000:]


@pytest.mark.integration  # sqlfluff parses every model: ~15 CPU-seconds
def test_the_dbt_sql_passes_sqlfluff():
    done = _run(
        "sqlfluff",
        "lint",
        "dbt_project/models",
        "dbt_project/macros",
        "dbt_project/tests",
        "--disable-progress-bar",
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_the_lint_catches_an_unformatted_file_and_bad_sql(tmp_path):
    # The checks above cannot pass vacuously: each tool does flag a file written badly.
    bad = tmp_path / "bad.py"
    bad.write_text("x = {  'a':1 }\n")
    assert (
        subprocess.run(
            [str(BIN / "ruff"), "format", "--check", str(bad)], capture_output=True
        ).returncode
        == 1
    )
    sql = tmp_path / "bad.sql"
    sql.write_text("SELECT a,b FROM t\n")
    assert (
        subprocess.run(
            [str(BIN / "sqlfluff"), "lint", "--dialect", "duckdb", str(sql)],
            capture_output=True,
            cwd=tmp_path,
        ).returncode
        == 1
    )
