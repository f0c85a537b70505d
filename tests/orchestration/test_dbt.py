"""The nightly dbt build: views already created from the same SQL are left as they are, and
their tests still run; seeds already loaded are not reloaded, and the tests of the seeds
alone not rerun; the tables and tests that read only kinds of file that did not change
since the last build are left as they are, and the marts equal a full build's."""

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.cli import main
from tests.helpers import LOAN_HEADERS, VALID_USCCS, ipo, loan, write_csv, write_scorecard_quarter
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


def _published(home: Home, mart: str = "bank_loan_metrics") -> list[tuple]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        return con.execute(f"select * from marts.{mart} order by all").fetchall()
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
    metrics = _published(home)

    # (This test is about views and seeds: without the record of what each kind held, no
    # table is left out for its kinds, the next test's subject.)
    (home.build_db.with_name("inputs.json")).unlink()
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
    assert _published(home) == metrics

    # Without the record of which SQL made the views (as after a crash mid-build), every
    # view is created again.
    (home.build_db.with_name("views.sha256")).unlink()
    assert main(["--home", str(home.root), "build"]) == 0
    rebuilt = capfd.readouterr().err
    assert "views have the same SQL" not in rebuilt
    assert _told(rebuilt) == (built - seeds, total - seeds, passed - seed_tests)


def _built(err: str) -> set[str]:
    """The models and seeds a build's progress lines name."""
    return set(re.findall(r"dbt \[ *\d+/\d+\] (\w+) ", err))


def _marts(home: Home) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {n: con.execute(f"select * from marts.{n} order by all").fetchall() for n in names}
    finally:
        con.close()


# The marts of the bond, listing and guarantee registers (contract §4): none reads the loans.
NOT_OF_LOANS = {"listing_funnel", "risk_sharing", "risk_sharing_by_year"}


def test_a_build_leaves_the_tables_of_kinds_that_did_not_change_and_equals_a_full_one(
    tmp_path, capfd, monkeypatch
):
    # One day for every build: filing_status says which day it was computed on.
    monkeypatch.setenv("ZHIRONG_AS_OF", "2026-11-20")
    home = Home(tmp_path / "home").ensure()
    write_scorecard_quarter(home.inbox)
    write_csv(home.inbox / "ipos_2026-09.csv", [ipo(stage="辅导备案", stage_date="2026-09-09")])
    assert main(["--home", str(home.root), "refresh"]) == 0
    first = capfd.readouterr().err
    assert "read none of the kinds that changed" not in first  # nothing to compare with yet
    assert _built(first) >= NOT_OF_LOANS
    before = _marts(home)

    # One bank sends its 2026-09 loans again: 1,201 元 where it had sent 1,200 (within the
    # tolerance of its totals, so accepted).
    write_csv(
        home.inbox / "loans_C1901150100001_2026-09_v2.csv",
        [
            loan(
                bank_code="C1901150100001",
                report_period="2026-09",
                loan_id="a1",
                borrower_uscc=VALID_USCCS[0],
                balance="1201",
                balance_cny="1201",
                guarantee_type="D",
                issue_date="2024-03-01",
                maturity_date="2028-03-01",
            )
        ],
        LOAN_HEADERS,
    )
    assert main(["--home", str(home.root), "refresh"]) == 0
    resent = capfd.readouterr().err
    line = re.search(
        r"(\d+) tables and (\d+) tests read none of the kinds that changed \(([^)]*)\)",
        resent,
    )
    assert line is not None, resent
    assert line.group(3) == "loans"
    assert int(line.group(1)) == len(NOT_OF_LOANS)
    built = _built(resent)
    assert not NOT_OF_LOANS & built
    assert {"bank_loan_metrics", "city_loan_metrics", "bank_scorecard"} <= built
    after = _marts(home)
    assert {n: rows for n, rows in after.items() if n in NOT_OF_LOANS} == {
        n: rows for n, rows in before.items() if n in NOT_OF_LOANS
    }
    assert after["bank_loan_metrics"] != before["bank_loan_metrics"]

    # The oracle: without the record of what each kind held, everything is built again —
    # and every mart comes out exactly as the build that left tables out had it.
    (home.build_db.with_name("inputs.json")).unlink()
    assert main(["--home", str(home.root), "build"]) == 0
    full = capfd.readouterr().err
    assert "read none of the kinds that changed" not in full
    assert _built(full) >= NOT_OF_LOANS
    assert _marts(home) == after
    skipped_tests = int(line.group(2))
    assert skipped_tests > 0
    assert _told(full)[2] == _told(resent)[2] + skipped_tests

    # A new listing event changes the listing funnel, and only the ipos kind is named.
    write_csv(
        home.inbox / "ipos_2026-10.csv",
        [ipo(event_id="E2", enterprise_uscc=VALID_USCCS[1], stage_date="2026-10-15")],
    )
    assert main(["--home", str(home.root), "refresh"]) == 0
    listed = capfd.readouterr().err
    assert "read none of the kinds that changed (ipos)" in listed
    assert "listing_funnel" in _built(listed)
    assert not {"risk_sharing", "risk_sharing_by_year"} & _built(listed)
    assert _marts(home)["listing_funnel"] != after["listing_funnel"]


def test_a_new_home_builds_from_the_parse_another_home_made(tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("ZHIRONG_PARSE_CACHE", str(tmp_path / "parses"))
    monkeypatch.setenv("ZHIRONG_AS_OF", "2026-11-20")
    first = Home(tmp_path / "first").ensure()
    write_scorecard_quarter(first.inbox)
    assert main(["--home", str(first.root), "refresh"]) == 0
    capfd.readouterr()
    parsed = (first.dbt / "target" / "manifest.json").read_bytes()
    assert len(list((tmp_path / "parses").iterdir())) == 1

    # A second home of the same project on the same machine: its manifest is the first
    # home's, byte for byte (a parse of its own would stamp its own invocation and time),
    # and its build from that parse publishes what the first home's did.
    second = Home(tmp_path / "second").ensure()
    write_scorecard_quarter(second.inbox)
    assert main(["--home", str(second.root), "refresh"]) == 0
    capfd.readouterr()
    assert (second.dbt / "target" / "manifest.json").read_bytes() == parsed
    assert str(first.root) not in parsed.decode()
    assert _published(second) == _published(first)
    assert _published(second, "bank_scorecard") == _published(first, "bank_scorecard")
    assert len(_published(second)) > 0

    # A damaged cache entry costs a parse, never a build.
    (entry,) = (tmp_path / "parses").iterdir()
    for damaged in ("partial_parse.msgpack", "manifest.json"):
        kept = (entry / damaged).read_bytes()
        (entry / damaged).write_bytes(b"not a parse")
        third = Home(tmp_path / f"third-{damaged}").ensure()
        write_scorecard_quarter(third.inbox)
        assert main(["--home", str(third.root), "refresh"]) == 0
        capfd.readouterr()
        assert _published(third, "bank_scorecard") == _published(first, "bank_scorecard")
        (entry / damaged).write_bytes(kept)
