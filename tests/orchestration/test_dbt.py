"""The nightly dbt build: views already created from the same SQL are left as they are, and
their tests still run; seeds already loaded are not reloaded, and the tests of the seeds
alone not rerun."""

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.cli import main
from tests.helpers import write_scorecard_quarter
from warehouse.home import Home

pytestmark = pytest.mark.integration
SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def _told(err: str) -> tuple[int, int, int]:
    """(models and seeds built, the progress lines' total, tests passed) from a build's
    progress on stderr."""
    built, passed = map(
        int,
        re.search(r"dbt: (\d+) 个模型与种子 models and seeds, 测试 tests (\d+) 通过", err).groups(),
    )
    totals = {int(m) for m in re.findall(r"dbt \[ *\d+/(\d+)\]", err)}
    assert len(totals) == 1
    return built, totals.pop(), passed


def _seed_tests() -> int:
    """The data tests _seeds.yml declares: on a seed's rows and on its columns."""
    declared = yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))
    return sum(
        len(seed.get("data_tests", []))
        + sum(len(column.get("data_tests", [])) for column in seed.get("columns", []))
        for seed in declared["seeds"]
    )


def _views(home: Home) -> int:
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        return con.execute(
            "select count(*) from information_schema.tables where table_type = 'VIEW' "
            "and table_schema in ('staging', 'intermediate')"
        ).fetchone()[0]
    finally:
        con.close()


def _metrics(home: Home) -> list[tuple]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return con.execute("select * from marts.bank_loan_metrics order by all").fetchall()
    finally:
        con.close()


def test_a_build_leaves_views_with_the_same_sql_and_still_runs_their_tests(tmp_path, capfd):
    home = Home(tmp_path / "home").ensure()
    write_scorecard_quarter(home.inbox)
    assert main(["--home", str(home.root), "refresh"]) == 0
    first = capfd.readouterr().err
    built, total, passed = _told(first)
    assert "views have the same SQL" not in first  # a new warehouse: every view created
    views = _views(home)
    assert views >= 15  # staging (one per source) and the intermediate views
    metrics = _metrics(home)

    assert main(["--home", str(home.root), "build"]) == 0
    again = capfd.readouterr().err
    assert f"{views} views have the same SQL, not recreated" in again
    # Every view and (already loaded) seed left out of the count of models; of the tests,
    # only those of the seeds alone (they passed on exactly these tables).
    seeds = len(list(SEEDS.glob("*.csv")))
    seed_tests = _seed_tests()
    assert seed_tests >= 30
    assert f"{seeds} reference seeds unchanged, not reloaded, their {seed_tests} tests" in again
    assert _told(again) == (built - views - seeds, total - views - seeds, passed - seed_tests)
    assert _views(home) == views
    assert _metrics(home) == metrics

    # Without the record of which SQL made the views (as after a crash mid-build), every
    # view is created again.
    (home.build_db.with_name("views.sha256")).unlink()
    assert main(["--home", str(home.root), "build"]) == 0
    rebuilt = capfd.readouterr().err
    assert "views have the same SQL" not in rebuilt
    assert _told(rebuilt) == (built - seeds, total - seeds, passed - seed_tests)
