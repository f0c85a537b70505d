"""The Dagster UI shows what the CLI ran: `zhirong demo` is recorded in the home's own
instance, and the webserver, started on that home, answers with the run, its
materializations and its checks (the rejected file's findings and report included)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.cli import main
from tests.helpers import loan, write_csv
from warehouse.home import Home

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    """A demo home with one bad file, and dagster-webserver serving it."""
    home = Home(tmp_path_factory.mktemp("ui") / "home").ensure()
    # Two loans with one id: LN-E-022, the file is rejected whole.
    write_csv(
        home.inbox / "bad_loans.csv",
        [loan(loan_id="L1"), loan(loan_id="L1", borrower_uscc="91100000100003962T")],
    )
    code = main(
        [
            "--home",
            str(home.root),
            "demo",
            "--banks",
            "2",
            "--start",
            "2026-08",
            "--end",
            "2026-09",
            "--loans-per-bank",
            "20",
            "--enterprises",
            "60",
        ]
    )
    assert code == 1  # the bad file is rejected; everything else went through
    port = _free_port()
    env = {**os.environ, "ZHIRONG_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster-webserver")),
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=home.root,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                data = _graphql(
                    port,
                    "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }",
                )
                if all(
                    e["loadStatus"] == "LOADED" for e in data["workspaceOrError"]["locationEntries"]
                ):
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the webserver did not come up"
            time.sleep(1)
        yield port, home
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_the_ui_lists_the_demo_run(webserver):
    port, _ = webserver
    runs = _graphql(
        port, "{ runsOrError { ... on Runs { results { jobName status tags { key value } } } } }"
    )["runsOrError"]["results"]
    assert [r["jobName"] for r in runs] == ["refresh"]
    # A rejected file does not fail the run: the gate did its job.
    assert runs[0]["status"] == "SUCCESS"


@pytest.mark.parametrize(
    "key",
    [
        ["raw", "loans"],
        ["marts", "bank_loan_metrics"],
        ["reference", "banks"],
        ["published", "warehouse"],
        ["exports", "scorecard_packs"],
    ],
)
def test_every_asset_of_the_run_shows_materialized(webserver, key):
    port, _ = webserver
    data = _graphql(
        port,
        "query ($path: [String!]!) { assetOrError(assetKey: {path: $path}) "
        "{ ... on Asset { assetMaterializations(limit: 1) { runId } } } }",
        {"path": key},
    )
    assert len(data["assetOrError"]["assetMaterializations"]) == 1, key


def test_the_gate_check_shows_the_rejected_file_its_findings_and_report(webserver):
    port, home = webserver
    data = _graphql(
        port,
        '{ assetCheckExecutions(assetKey: {path: ["raw", "loans"]}, '
        'checkName: "gx_gate", limit: 1) { status evaluation { success '
        "metadataEntries { label ... on MarkdownMetadataEntry { mdStr } "
        "... on PathMetadataEntry { path } } } } }",
    )
    execution = data["assetCheckExecutions"][0]
    assert execution["evaluation"]["success"] is False
    entries = {e["label"]: e for e in execution["evaluation"]["metadataEntries"]}
    shown = next(e["mdStr"] for label, e in entries.items() if label.startswith("rejected #"))
    assert "bad_loans.csv" in shown
    assert "LN-E-022 行 row 2 列 column loan_id" in shown
    report = next(e["path"] for label, e in entries.items() if label.startswith("report #"))
    assert Path(report).is_file()
    assert Path(report).is_relative_to(home.received)
    assert report.endswith("bad_loans.csv.findings.xlsx")
