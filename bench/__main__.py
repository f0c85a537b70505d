"""The benchmark: one command, one run, the same generated data for every contender.

    python -m bench [--rows 10000000] [--history 35] [--work DIR] [--skip naive,xlsx]

Generates a month of loan files for every registered bank (skewed sizes) as CSV and as
Parquet, seeds 35 earlier months of history at the same scale, then runs, each in its own
process (wall time and peak RSS measured by the parent):

- the strong lean reference (`bench.strong`): DuckDB alone with every lever (typed reads,
  checks per distinct value, one scan per file), the floor on this machine — its
  `bank_loan_metrics` must equal the product's cell for cell (`bench.compare`);
- the product: `zhirong refresh` — the real Dagster job with the GX gate, dbt and publish;
- the naive peer (`bench.naive`): pandas → GX pandas → DuckDB → dbt CLI;
- month 36 (history present) against month 1 (empty warehouse);
- one bank resubmitting one month, against a full refresh: through the CLI, and to a warm
  `zhirong worker`;
- XLSX intake rate on a 200,000-row workbook;
- a bank's check of a 256-line file: `zhirong validate` cold, and an upload to a running
  filing service (warm);
- scorecard packs (XLSX, PDF, CSV) for every bank of the history home.

Prints the table and writes it to WORK/results.md. Ratios, never absolute limits."""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bench.compare import metrics_differences

PERIOD = date(2026, 10, 31)


@dataclass
class Measured:
    """One process's wall time, peak resident memory and what it printed."""

    seconds: float
    peak_gib: float
    output: str


def measure(
    command: list[str], log: Path, env: dict | None = None, warm: Path | None = None
) -> Measured:
    """Run `command` to completion; its wall time and peak RSS (from wait4). The input
    folder `warm` is read first, so every contender starts with the files in the page cache
    (otherwise whoever runs after the 11 GB of history seeding pays for cold reads)."""
    if warm is not None:
        for path in sorted(warm.iterdir()):
            with open(path, "rb") as handle:
                while handle.read(8 << 20):
                    pass
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    text = log.read_text(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed; see {log}\n{text[-2000:]}")
    return Measured(seconds, usage.ru_maxrss / (1 << 20), text)


def python(*args: str) -> list[str]:
    """A command running this interpreter."""
    return [sys.executable, *args]


def zhirong(home: Path, *args: str) -> list[str]:
    """A `zhirong` command on `home`."""
    return [str(Path(sys.executable).with_name("zhirong")), "--home", str(home), *args]


def deliver(files: list[Path], home: Path) -> None:
    """Put files in a home's inbox as a transfer would (hard links: no copy)."""
    inbox = home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for path in files:
        target = inbox / path.name
        target.unlink(missing_ok=True)
        os.link(path, target)


def generate(work: Path, rows: int) -> dict[str, Path]:
    """The month's files as CSV and Parquet (cached in WORK between runs of the same size)."""
    from bench.month import write_month

    data = {}
    for fmt in ("csv", "parquet"):
        folder = work / "data" / f"{fmt}-{rows}"
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            started = time.perf_counter()
            write_month(folder, PERIOD, rows, fmt)
            (folder / ".complete").touch()
            print(f"  generated {fmt}: {time.perf_counter() - started:.0f} s", flush=True)
        data[fmt] = folder
    return data


def resubmission(csv_folder: Path, target: Path, change: float = 100) -> Path:
    """One mid-sized bank's month again, one balance (and the bank's total) changed by
    `change` 元."""
    import polars as pl

    files = sorted(csv_folder.glob("loans_*.csv"), key=lambda p: p.stat().st_size)
    chosen = files[len(files) // 2]
    frame = pl.read_csv(chosen, infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then((pl.col("balance").cast(pl.Float64) + change).round(2).cast(pl.String))
        .otherwise(pl.col("balance"))
        .alias("balance"),
        pl.when(pl.int_range(pl.len()) == 0)
        .then((pl.col("balance_cny").cast(pl.Float64) + change).round(2).cast(pl.String))
        .otherwise(pl.col("balance_cny"))
        .alias("balance_cny"),
    )
    path = target / chosen.name.replace(".csv", "_resubmitted.csv")
    frame.write_csv(path)
    totals = chosen.with_name(chosen.name.replace("loans_", "loan_totals_"))
    corrected = pl.read_csv(totals, infer_schema=False).with_columns(
        (pl.col("corporate_loans").cast(pl.Float64) + change).round(2).cast(pl.String)
    )
    totals_path = target / totals.name.replace(".csv", "_resubmitted.csv")
    corrected.write_csv(totals_path)
    return path


def warm_resubmission(home: Path, sends: list[list[Path]], log: Path) -> list[float]:
    """Start `zhirong worker` on `home` and let it warm up; then put each set of files of
    `sends` in the inbox in turn and return, for each, the seconds until the worker has told
    its run's outcome."""
    with open(log, "w") as out:
        worker = subprocess.Popen(
            zhirong(home, "worker", "--settle", "0", "--poll", "0.1"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            lines = iter(worker.stdout.readline, "")
            for line in lines:
                out.write(line)
                if "worker ready" in line:
                    break
            else:
                raise RuntimeError(f"zhirong worker never became ready; see {log}")
            taken = []
            for number, files in enumerate(sends):
                # The files of a send appear at once (a hidden folder renamed into the
                # inbox), as a transfer that writes to a temporary name would: one run.
                hidden = home / "inbox" / f".resubmission-{number}"
                hidden.mkdir(parents=True)
                for path in files:
                    os.link(path, hidden / path.name)
                started = time.perf_counter()
                hidden.rename(home / "inbox" / f"resubmission-{number}")
                for line in lines:
                    out.write(line)
                    if line.startswith("用时 took"):
                        taken.append(time.perf_counter() - started)
                        break
                else:
                    raise RuntimeError(f"zhirong worker stopped before the run ended; see {log}")
            return taken
        finally:
            worker.terminate()
            worker.wait(timeout=120)


def table(rows: list[tuple], rows_generated: int) -> str:
    """The results as Markdown."""
    head = [
        f"Benchmark {datetime.now():%Y-%m-%d %H:%M}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{rows_generated:,} loan rows a month, 100 banks.",
        "",
        "| scenario | wall s | peak RSS GiB | measure | target | met |",
        "|---|---:|---:|---|---|---|",
    ]
    body = []
    for name, seconds, peak, measure_text, target, met in rows:
        body.append(f"| {name} | {seconds} | {peak} | {measure_text} | {target} | {met} |")
    return "\n".join(head + body) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--history", type=int, default=35, help="earlier months to seed")
    parser.add_argument("--work", type=Path, default=Path("/tmp/zhirong-bench"))
    parser.add_argument("--skip", default="", help="comma-separated: naive,xlsx,history,validate")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    work = args.work.resolve()
    logs = work / "logs"
    homes = work / "homes"
    shutil.rmtree(homes, ignore_errors=True)
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    started = time.perf_counter()
    print(f"bench: {args.rows:,} rows a month in {work}", flush=True)
    data = generate(work, args.rows)
    results = []

    def fmt(m: Measured) -> tuple[str, str]:
        return f"{m.seconds:.1f}", f"{m.peak_gib:.2f}"

    def verdict(ok: bool) -> str:
        return "yes" if ok else "**no**"

    measured: dict[str, Measured] = {}
    for kind in ("csv", "parquet"):
        print(f"  strong lean {kind} …", flush=True)
        measured[f"lean_{kind}"] = measure(
            python(
                "-m", "bench.strong", str(data[kind]), str(work / f"lean-{kind}"), "--format", kind
            ),
            logs / f"lean_{kind}.log",
            warm=data[kind],
        )
        print(f"  product {kind} …", flush=True)
        home = homes / kind
        deliver(sorted(data[kind].glob("loan*")), home)
        measured[f"product_{kind}"] = measure(
            zhirong(home, "refresh"), logs / f"product_{kind}.log", warm=data[kind]
        )
        differences = metrics_differences(
            work / f"lean-{kind}" / "strong_published.duckdb",
            home / "published" / "zhirong.duckdb",
        )
        if differences:
            raise SystemExit(
                f"the product and the strong reference disagree ({kind}): "
                + "; ".join(differences[:10])
            )
        lean, product = measured[f"lean_{kind}"], measured[f"product_{kind}"]
        ratio = product.seconds / lean.seconds
        results.append(
            (f"strong lean reference, full month {kind.upper()}", *fmt(lean), "baseline", "", "")
        )
        results.append(
            (
                f"product, full month {kind.upper()} (month 1)",
                *fmt(product),
                f"product/strong lean {ratio:.2f}",
                "≤ 1.5 (stretch 1.2)",
                verdict(ratio <= 1.5),
            )
        )
        results.append(
            (
                f"product peak RSS, {kind.upper()}",
                "",
                f"{product.peak_gib:.2f}",
                f"{product.peak_gib:.2f} GiB",
                "≤ 2 GiB",
                verdict(product.peak_gib <= 2.0),
            )
        )
    if "naive" not in skip:
        print("  naive peer …", flush=True)
        naive = measure(
            python("-m", "bench.naive", str(data["csv"]), str(work / "naive")),
            logs / "naive.log",
            warm=data["csv"],
        )
        ratio = naive.seconds / measured["product_csv"].seconds
        results.append(
            (
                "naive peer, full month CSV",
                *fmt(naive),
                f"naive/product {ratio:.2f}",
                "≥ 2",
                verdict(ratio >= 2),
            )
        )
    if "history" not in skip:
        from bench.history import seed_history
        from warehouse.home import Home

        home = homes / "history"
        print(f"  seeding {args.history} months of history …", flush=True)
        clock = time.perf_counter()
        seed_history(Home(home).ensure(), PERIOD, args.history, args.rows)
        # Seeded history is in the ledger and the raw store but was never received as
        # files, so the build is told the home is not a mistyped --home.
        setup = measure(zhirong(home, "build", "--allow-empty"), logs / "history_build.log")
        print(
            f"    seeded in {time.perf_counter() - clock - setup.seconds:.0f} s, first build "
            f"{setup.seconds:.0f} s",
            flush=True,
        )
        print("  month 36 …", flush=True)
        deliver(sorted(data["csv"].glob("loan*")), home)
        month36 = measure(zhirong(home, "refresh"), logs / "month36.log", warm=data["csv"])
        ratio = month36.seconds / measured["product_csv"].seconds
        results.append(
            (
                f"product, month {args.history + 1} (history present)",
                *fmt(month36),
                f"month {args.history + 1}/month 1 {ratio:.2f}",
                "≤ 1.2",
                verdict(ratio <= 1.2),
            )
        )
        print("  one bank resubmits …", flush=True)
        scratch = work / "resubmission"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        resubmission(data["csv"], scratch)
        deliver(sorted(scratch.glob("*.csv")), home)
        resub = measure(zhirong(home, "refresh"), logs / "resubmission.log")
        ratio = resub.seconds / month36.seconds
        results.append(
            (
                "product, one bank resubmits one month, cold CLI",
                *fmt(resub),
                f"resubmission/full refresh {ratio:.2f}",
                "",
                "",
            )
        )
        print("  one bank resubmits again, to a warm worker …", flush=True)
        sends = []
        for number, change in enumerate((200, 300, 400)):
            again = work / f"resubmission-warm-{number}"
            shutil.rmtree(again, ignore_errors=True)
            again.mkdir()
            resubmission(data["csv"], again, change=change)
            sends.append(sorted(again.glob("*.csv")))
        taken = warm_resubmission(home, sends, logs / "worker.log")
        # A worker lives for many runs: the middle of three is its usual cost (the first
        # is shown too; it is the one right after warming up).
        seconds = sorted(taken)[1]
        ratio = seconds / month36.seconds
        results.append(
            (
                "product, one bank resubmits one month, warm `zhirong worker` (median of 3)",
                f"{seconds:.1f}",
                "",
                f"resubmission/full refresh {ratio:.2f} (first run {taken[0]:.1f} s)",
                "≤ 0.2",
                verdict(ratio <= 0.2),
            )
        )
    if "xlsx" not in skip:
        print("  XLSX intake …", flush=True)
        xlsx = measure(python("-m", "bench.xlsx", str(work / "data")), logs / "xlsx.log")
        rate = float(xlsx.output.strip().splitlines()[-1].split()[0])
        results.append(
            (
                "XLSX intake, 200,000-row file",
                *fmt(xlsx),
                f"{rate:,.0f} rows/s",
                "≥ 100,000 rows/s",
                verdict(rate >= 100_000),
            )
        )
    if "validate" not in skip:
        print("  validate, cold CLI and warm service …", flush=True)
        checked = measure(python("-m", "bench.validate", str(work)), logs / "validate.log")
        words = checked.output.strip().splitlines()[-1].split()
        cli, upload = float(words[0]), float(words[4])
        results.append(
            (
                "`zhirong validate`, 256-line file, cold",
                f"{cli:.2f}",
                "",
                f"{cli:.2f} s",
                "< 3 s",
                verdict(cli < 3),
            )
        )
        results.append(
            (
                "upload to the filing service, 256-line file, warm",
                f"{upload:.3f}",
                "",
                f"{upload:.3f} s (median of 7)",
                "< 0.5 s",
                verdict(upload < 0.5),
            )
        )
    if "history" not in skip:
        print("  scorecard packs …", flush=True)
        shutil.rmtree(work / "packs", ignore_errors=True)
        packs = measure(
            zhirong(
                homes / "history",
                "scorecard",
                "--period",
                "2026-09",
                "--all",
                "--out",
                str(work / "packs"),
            ),
            logs / "packs.log",
        )
        banks = len(list((work / "packs").glob("*.pdf")))
        results.append(
            (
                f"scorecard packs, {banks} banks (XLSX + PDF + CSV)",
                *fmt(packs),
                f"{packs.seconds:.1f} s",
                "≤ 30 s",
                verdict(packs.seconds <= 30),
            )
        )
    text = table(results, args.rows)
    text += f"\nWhole benchmark: {(time.perf_counter() - started) / 60:.1f} min. Logs: {logs}\n"
    (work / "results.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
