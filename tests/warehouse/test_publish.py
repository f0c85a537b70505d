"""Publishing: only the published schemas, every version kept, swapped in atomically."""

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse.home import Home
from warehouse.publish import publish


def _build(home: Home, value: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(home.build_db))
    for schema in ("raw", "marts", "audit", "reference"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(f"create or replace table marts.m as select {value} as v")
    con.execute("comment on table marts.m is '测试 / test'")
    con.execute("comment on column marts.m.v is '数值 / value'")
    con.execute("create or replace table raw.loans as select 1 as secret")
    con.execute("create or replace table audit.submissions as select 1 as submission_id")
    con.execute("create or replace table reference.banks as select 'B' as bank_code")
    return con


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "h").ensure()


def test_published_file_holds_marts_reference_and_audit_but_not_raw(home):
    con = _build(home, 1)
    publish(con, home, run_id="r1")
    con.close()
    pub = duckdb.connect(str(home.published_db), read_only=True)
    tables = {
        f"{s}.{t}"
        for s, t in pub.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    }
    assert tables == {"marts.m", "audit.submissions", "reference.banks", "meta.publication"}
    assert pub.execute("select run_id from meta.publication").fetchone() == ("r1",)
    assert pub.execute(
        "select comment from duckdb_columns() where table_name = 'm' and column_name = 'v'"
    ).fetchone() == ("数值 / value",)


def test_every_version_is_kept_and_the_newest_is_current(home):
    con = _build(home, 1)
    first = publish(con, home)
    con.execute("create or replace table marts.m as select 2 as v")
    second = publish(con, home)
    con.close()
    assert sorted(home.history_dir.glob("*.duckdb")) == sorted(
        [first.version_path, second.version_path]
    )
    current = duckdb.connect(str(home.published_db), read_only=True)
    assert current.execute("select v from marts.m").fetchone() == (2,)
    old = duckdb.connect(str(first.version_path), read_only=True)
    assert old.execute("select v from marts.m").fetchone() == (1,)


def test_a_reader_keeps_its_version_while_a_new_one_is_published(home):
    con = _build(home, 1)
    publish(con, home)
    reader = duckdb.connect(str(home.published_db), read_only=True)
    con.execute("create or replace table marts.m as select 2 as v")
    publish(con, home)
    assert reader.execute("select v from marts.m").fetchone() == (1,)
    # A new process opens the new version (within one process DuckDB reuses the open file).
    fresh = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; print(duckdb.connect(sys.argv[1], "
            "read_only=True).execute('select v from marts.m').fetchone()[0])",
            str(home.published_db),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert fresh.stdout.strip() == "2"


@pytest.mark.integration
def test_every_published_column_has_a_bilingual_description(scorecard_home):
    # The data dictionary (README): duckdb_columns() of the published file, 中文 / English.
    con = duckdb.connect(str(scorecard_home.published_db), read_only=True)
    try:
        columns = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name, comment "
            "from duckdb_columns() where schema_name in ('marts', 'audit', 'reference', 'meta')"
        ).fetchall()
        tables = con.execute(
            "select schema_name || '.' || table_name, comment from duckdb_tables() "
            "where schema_name in ('marts', 'audit', 'reference', 'meta')"
        ).fetchall()
    finally:
        con.close()
    assert len(tables) >= 29 and len(columns) >= 300

    def bilingual(text):
        return (
            bool(text) and re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]{3}", text)
        )

    assert [name for name, text in columns if not bilingual(text)] == []
    assert [name for name, text in tables if not bilingual(text)] == []


@pytest.mark.integration  # on the refreshed six-bank home: the real Dagster job
def test_the_data_dictionary_in_docs_is_the_published_warehouses_own(scorecard_home, capsys):
    from orchestration.cli import main

    assert main(["--home", str(scorecard_home.root), "dictionary"]) == 0
    generated = capsys.readouterr().out
    kept = (Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md").read_text()
    assert generated == kept, "regenerate: zhirong dictionary > docs/data_dictionary.md"
    rows = [line for line in generated.splitlines() if line.startswith("| `")]
    assert len(rows) >= 300
    # Every column in both languages, each in its own cell.
    halves = [line.split(" | ")[2:4] for line in rows]
    assert [
        r
        for r, (zh, en) in zip(rows, halves, strict=True)
        if not re.search(r"[\u4e00-\u9fff]", zh) or not re.search(r"[A-Za-z]{3}", en)
    ] == []
    assert "| `growth_gap` | DOUBLE | 增速差" in generated
