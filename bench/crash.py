"""Crash campaign: real refreshes killed with SIGKILL at random moments, then the invariants
checked. Each trial starts a fresh home with the same inbox (a small generated sample, a
file with an error and a byte-identical resend), kills `zhirong refresh` at a random time
within a clean run's duration — sometimes kills the next run too, while it recovers — and
then runs refresh to the end. After every kill and at the end it checks that:

- no file is lost: every file sent is in the inbox or the received store, byte for byte;
- nothing is half-loaded: every file in the raw store belongs to an accepted ledger row;
- the published warehouse opens, as the old version or the new;
- the next run recovers (same exit code as a clean run) and the final marts equal a clean
  run's, every table, every cell; each file is in the ledger once, no claim is left.

    python -m bench.crash --trials 50 [--work DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from exports.formatting import BEIJING
from warehouse import raw
from warehouse.home import Home
from warehouse.received import sha256_of

SAMPLE = [
    "--banks",
    "3",
    "--start",
    "2026-08",
    "--end",
    "2026-10",
    "--loans-per-bank",
    "60",
    "--enterprises",
    "150",
]
ZHIRONG = [sys.executable, "-m", "orchestration.cli"]


@dataclass
class Trial:
    """One trial: where the kills landed and what broke."""

    number: int
    kills: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lost: int = 0


def make_inputs(folder: Path) -> list[Path]:
    """The sample, plus a file the gate rejects and a resend of an accepted file."""
    subprocess.run(
        [*ZHIRONG, "generate", "--out", str(folder), *SAMPLE], check=True, capture_output=True
    )
    loans = sorted(folder.glob("loans_*.csv"))[0]
    lines = loans.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(",")
    fields[3] = "123456789012345678"  # no USCC has this check character
    (folder / "loans_bad.csv").write_text(
        "\n".join([lines[0], ",".join(fields)]) + "\n", encoding="utf-8"
    )
    shutil.copy2(loans, folder / ("resent_" + loans.name))
    return sorted(folder.iterdir())


def fill(home: Home, inputs: list[Path]) -> None:
    """A fresh home whose inbox holds the inputs (their times kept)."""
    home.ensure()
    for path in inputs:
        shutil.copy2(path, home.inbox / path.name)


def refresh(home: Home, kill_after: float | None = None) -> tuple[int, str]:
    """Run `zhirong refresh`; kill it with SIGKILL after `kill_after` seconds if it is still
    running. Returns the exit code (negative: the signal) and what it printed last."""
    run = subprocess.Popen(
        [*ZHIRONG, "--home", str(home.root), "refresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if kill_after is not None:
        try:
            run.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.kill(run.pid, signal.SIGKILL)
    out, _ = run.communicate()
    return run.returncode, out


# The first progress line of each step, in the order a refresh prints them.
_STEPS = (
    ("recovery:", "recovery"),
    ("ingest:", "ingest"),
    ("dbt build:", "dbt build"),
    ("mart gate:", "mart gate"),
    ("publish:", "publish"),
    ("exports:", "exports"),
    ("已发布 published", "finished"),
)


def step_of(output: str) -> str:
    """Which step a run was in when it stopped: the step of the last step line it printed
    (the output is in time order; before any, it was starting: imports, definitions)."""
    step = "start"
    for line in output.splitlines():
        step = next((name for marker, name in _STEPS if line.startswith(marker)), step)
    return step


def kept(home: Home) -> Counter:
    """Fingerprints of every file in the inbox and the received store."""
    found: Counter = Counter()
    for folder in (home.inbox, home.received):
        for path in folder.rglob("*"):
            if (
                path.is_file()
                and not path.is_symlink()
                and ".findings." not in path.name
                and not path.name.endswith(".partial")
            ):
                found[sha256_of(path)] += 1
    return found


def marts(home: Home) -> dict[str, list[tuple]]:
    """Every mart's rows, in order."""
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        # Receipt and freezing times are the warehouse's clock, and submission ids a crash
        # reserved are never reused: both differ between any two runs, crashed or not.
        # Every other value must not.
        clock = {
            (t, c)
            for t, c in con.execute(
                "select table_name, column_name from duckdb_columns() where schema_name = 'marts' "
                "and (data_type like 'TIMESTAMP%' or column_name like '%submission%')"
            ).fetchall()
        }
        rows = {}
        for t in tables:
            dropped = [f'"{c}"' for table, c in clock if table == t]
            columns = f"* exclude ({', '.join(dropped)})" if dropped else "*"
            rows[t] = con.execute(f"select {columns} from marts.{t} order by all").fetchall()
        return rows
    finally:
        con.close()


def check_after_kill(home: Home, sent: Counter, trial: Trial) -> None:
    """What must hold the moment a run dies."""
    missing = [sha for sha in sent if kept(home)[sha] == 0]
    trial.lost += len(missing)
    if missing:
        trial.failures.append(f"{len(missing)} file(s) lost")
    if home.published_db.exists():
        try:
            con = duckdb.connect(str(home.published_db), read_only=True)
            con.execute("select count(*) from meta.publication").fetchall()
            con.close()
        except duckdb.Error as exc:
            trial.failures.append(f"published file does not open: {exc}")
    if home.build_db.exists():
        try:
            con = duckdb.connect(str(home.build_db), read_only=True)
            owners = set(
                con.execute(
                    "select kind, submission_id from audit.submissions "
                    "where status in ('accepted', 'superseded')"
                ).fetchall()
            )
            con.close()
        except duckdb.Error as exc:
            trial.failures.append(f"build warehouse does not open: {exc}")
            return
        strays = [(k, s) for k, s, _ in raw.stored_files(home) if (k, s) not in owners]
        if strays:
            trial.failures.append(f"half-load: rows of unaccepted files in the store {strays}")


def check_final(
    home: Home,
    sent: Counter,
    distinct: int,
    clean_code: int,
    code: int,
    expected: dict,
    trial: Trial,
) -> None:
    """What must hold once a run has finished after the crash(es)."""
    if code not in (clean_code, 0):
        trial.failures.append(f"recovery run exited {code}")
    if list(home.inbox.iterdir()):
        trial.failures.append("inbox not empty")
    missing = [sha for sha in sent if kept(home)[sha] == 0]
    trial.lost += len(missing)
    con = duckdb.connect(str(home.build_db), read_only=True)
    rows = con.execute(
        "select count(distinct sha256), count(*) filter (status <> 'duplicate'),"
        " (select count(*) from audit.claims) from audit.submissions"
    ).fetchone()
    con.close()
    if rows != (distinct, distinct, 0):
        trial.failures.append(
            f"ledger holds {rows[1]} files for {distinct} sent, {rows[2]} claims left"
        )
    if raw.staged_files(home):
        trial.failures.append("rows left in raw/.incoming")
    if marts(home) != expected:
        trial.failures.append("marts differ from a clean run's")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--work", type=Path, help="keep homes here (default: a temp folder)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # Every refresh of the campaign takes the day it started as today: a Beijing midnight
    # during it would move filing_status for reasons that are not a crash.
    os.environ.setdefault("ZHIRONG_AS_OF", datetime.now(BEIJING).date().isoformat())
    work = args.work or Path(tempfile.mkdtemp(prefix="zhirong-crash-"))
    work.mkdir(parents=True, exist_ok=True)
    inputs = make_inputs(work / "inputs")
    sent = Counter(sha256_of(p) for p in inputs)
    clean = Home(work / "clean")
    fill(clean, inputs)
    started = time.monotonic()
    clean_code, _ = refresh(clean)
    duration = time.monotonic() - started
    expected = marts(clean)
    shutil.rmtree(clean.root)
    print(
        f"{len(inputs)} files; a clean refresh takes {duration:.1f} s and exits {clean_code}",
        flush=True,
    )
    trials = []
    for number in range(1, args.trials + 1):
        trial = Trial(number)
        home = Home(work / f"trial-{number}")
        fill(home, inputs)
        # Sometimes the run after the crash is killed too, while it settles and redoes.
        for _ in range(2 if rng.random() < 0.3 else 1):
            code, output = refresh(home, kill_after=rng.uniform(0.5, duration * 0.95))
            # A run that finished before its moment came was not killed: it still counts as
            # a trial of the run that follows.
            trial.kills.append(step_of(output) if code < 0 else "not killed (done)")
            check_after_kill(home, sent, trial)
        code, _ = refresh(home)
        check_final(home, sent, len(sent), clean_code, code, expected, trial)
        trials.append(trial)
        verdict = "ok" if not trial.failures else "; ".join(trial.failures)
        print(f"trial {number:>3}: killed in {', '.join(trial.kills):<34} {verdict}", flush=True)
        shutil.rmtree(home.root)
    steps = Counter(kill for t in trials for kill in t.kills)
    failures = sum(1 for t in trials if t.failures)
    lost = sum(t.lost for t in trials)
    print()
    landed = sum(1 for t in trials for kill in t.kills if not kill.startswith("not killed"))
    print("| trials | kills landed | failures | files lost |")
    print("|---:|---:|---:|---:|")
    print(f"| {len(trials)} | {landed} | {failures} | {lost} |")
    print()
    print("| killed in | times |")
    print("|---|---:|")
    for step, times in steps.most_common():
        print(f"| {step} | {times} |")
    sys.exit(1 if failures or lost else 0)


if __name__ == "__main__":
    main()
