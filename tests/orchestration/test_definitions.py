"""The Dagster definitions load and wire one chain from file to published warehouse."""

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.definitions import REFRESH_JOB, build_definitions


@pytest.fixture(scope="module")
def defs(tmp_path_factory) -> dg.Definitions:
    return build_definitions(tmp_path_factory.mktemp("home"))


def _key(path: str) -> dg.AssetKey:
    return dg.AssetKey(path.split("/"))


def test_one_naming_chain_from_raw_file_to_published_warehouse(defs):
    graph = defs.resolve_asset_graph()
    chain = [
        "raw/loans",
        "staging/stg_raw__loans",
        "intermediate/int_loans_classified",
        "intermediate/int_loan_industries_aggregated",
        "intermediate/int_bank_loans_aggregated",
        "intermediate/int_bank_balances_compared",
        "intermediate/int_loan_metrics_computed",
        "marts/bank_loan_metrics",
        "published/warehouse",
    ]
    for parent, child in zip(chain, chain[1:], strict=False):
        assert _key(parent) in graph.get(_key(child)).parent_keys, (parent, child)
    assert _key("raw/loan_totals") in graph.get(_key("staging/stg_raw__loan_totals")).parent_keys
    assert (
        _key("audit/submissions") in graph.get(_key("staging/stg_audit__submissions")).parent_keys
    )
    assert _key("marts/city_loan_metrics") in graph.get(_key("published/warehouse")).parent_keys
    scorecard = [
        "intermediate/int_loan_metrics_computed",
        "intermediate/int_scorecard_indicators_scored",
        "marts/bank_scorecard",
        "published/warehouse",
        "exports/scorecard_packs",
    ]
    for parent, child in zip(scorecard, scorecard[1:], strict=False):
        assert _key(parent) in graph.get(_key(child)).parent_keys, (parent, child)
    assert (
        _key("audit/finding_counts")
        in graph.get(_key("staging/stg_audit__finding_counts")).parent_keys
    )


def test_gx_gates_are_blocking_checks_on_the_raw_tables(defs):
    graph = defs.resolve_asset_graph()
    for kind in ("loans", "loan_totals"):
        key = dg.AssetCheckKey(_key(f"raw/{kind}"), "gx_gate")
        assert key in graph.asset_check_keys
        assert graph.get_check_spec(key).blocking


def test_dbt_tests_become_asset_checks(defs):
    checks = {k.to_user_string() for k in defs.resolve_asset_graph().asset_check_keys}
    assert any(c.startswith("marts/bank_loan_metrics:unique_combination") for c in checks)


def test_refresh_job_schedule_and_sensor(defs):
    job = defs.resolve_job_def(REFRESH_JOB)
    assert {n.name for n in job.nodes} >= {
        "ingest_submissions",
        "dbt_models",
        "published__warehouse",
        "exports__scorecard_packs",
    }
    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert defs.resolve_sensor_def("inbox_sensor").job_name == REFRESH_JOB


def test_writers_share_one_concurrency_pool(defs):
    graph = defs.resolve_asset_graph()
    pools = {
        frozenset(graph.get(_key(k)).pools)
        for k in ("raw/loans", "marts/bank_loan_metrics", "published/warehouse")
    }
    assert pools == {frozenset({"zhirong_build_warehouse"})}


@pytest.mark.integration  # a `dagster` process loads everything: ~10 s
def test_dagster_cli_validates_the_definitions(tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        capture_output=True,
        text=True,
        env={"ZHIRONG_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_inbox_sensor_waits_for_files_to_settle(defs):
    import os
    import time

    from warehouse.arrivals import SETTLE_SECONDS

    sensor = defs.resolve_sensor_def("inbox_sensor")
    resources = {"zhirong": defs.resources["zhirong"]}
    with dg.build_sensor_context(resources=resources) as context:
        assert isinstance(sensor(context), dg.SkipReason)
        arriving = Path(defs.resources["zhirong"].root) / "inbox" / "loans.csv"
        arriving.write_text("x")
        assert isinstance(sensor(context), dg.SkipReason)
        settled = time.time() - SETTLE_SECONDS - 1
        os.utime(arriving, (settled, settled))
        request = sensor(context)
        assert isinstance(request, dg.RunRequest) and request.run_key


@pytest.mark.integration  # a process of its own importing Dagster: ~5 s
def test_importing_the_definitions_does_no_dbt_work(tmp_path):
    # The manifest is parsed into the home when Dagster loads the definitions, never when a
    # module is imported (a CLI command that only reads pays nothing for dbt).
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", "import orchestration.assets, orchestration.definitions"],
        capture_output=True,
        text=True,
        env={"ZHIRONG_HOME": str(home), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert not home.exists()
    build_definitions(home)
    assert (home / "dbt" / "target" / "manifest.json").is_file()
    project = Path(__file__).resolve().parents[2] / "dbt_project"
    assert not (project / "target").exists() and not (project / "logs").exists()
