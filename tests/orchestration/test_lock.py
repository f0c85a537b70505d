"""One writer per home for a whole run: a second refresh waits for the first or gives up with
the busy message, and the steps of two runs never interleave."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from tests.helpers import other_writer, write_scorecard_quarter
from warehouse.home import Home

pytestmark = pytest.mark.integration


def test_a_refresh_that_finds_another_writer_gives_up_with_the_busy_message(tmp_path, capsys):
    home = Home(tmp_path / "home").ensure()
    write_scorecard_quarter(home.inbox)
    waiting = sorted(home.inbox.iterdir())
    other = other_writer(home, 60)
    try:
        code = main(["--home", str(home.root), "refresh", "--wait", "0.5"])
    finally:
        other.kill()
        other.wait()
    out, err = capsys.readouterr()
    assert code == 1
    assert "另一个进程正在写入构建库" in err and "another process is writing" in err
    assert "waiting up to 0.5 s" in err
    assert "Traceback" not in out + err
    assert sorted(home.inbox.iterdir()) == waiting  # nothing taken, nothing lost
    assert not home.published_db.exists()


def test_two_refreshes_started_together_run_one_after_the_other(tmp_path):
    home = Home(tmp_path / "home").ensure()
    write_scorecard_quarter(home.inbox)
    zhirong = Path(sys.executable).with_name("zhirong")
    runs = [
        subprocess.Popen(
            [str(zhirong), "--home", str(home.root), "refresh", "--wait", "600"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=1200) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    waited = [err for _, err in outputs if "another run is writing this warehouse" in err]
    assert len(waited) == 1
    con = duckdb.connect(str(home.build_db), read_only=True)
    run_ids = con.execute("select distinct run_id from audit.submissions").fetchall()
    con.close()
    # Every file went through the first run's ingest; the second found the inbox empty.
    assert len(run_ids) == 1
    assert "── 接收与校验 ingest and gate · 0 个文件 file(s) ──" in waited[0]
    assert len(list(home.history_dir.glob("*.duckdb"))) == 2
