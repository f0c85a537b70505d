"""`zhirong` — the command line. Commands that change data run the Dagster `refresh` job
in-process (the same definitions `dagster dev` serves); `sql` and `status` only read.

Exit codes: 0 success, 1 data rejected or a check failed, 2 usage error."""

import argparse
import csv
import json
import logging
import os
import sys
import time
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from warehouse.home import DEFAULT_HOME, Home

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
TABLE_ROW_LIMIT = 200


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `zhirong` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    home = Home(Path(args.home or os.environ.get("ZHIRONG_HOME") or DEFAULT_HOME).resolve())
    _quiet_libraries()
    try:
        return args.run(args, home)
    except KeyboardInterrupt:
        _err("已中断 / interrupted")
        return EXIT_REJECTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhirong",
        description="智融 Zhirong — 制造业投融资监测数据仓库 / "
        "manufacturing-finance monitoring warehouse",
    )
    parser.add_argument("--home", help="Zhirong home (default: $ZHIRONG_HOME or ./zhirong_home)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="generate the built-in sample and run everything")
    _sample_options(demo)
    demo.set_defaults(run=cmd_demo)

    generate = commands.add_parser("generate", help="write the built-in sample files")
    generate.add_argument("--out", type=Path, help="directory (default: the home's inbox)")
    _sample_options(generate)
    generate.set_defaults(run=cmd_generate)

    ingest = commands.add_parser("ingest", help="take in the files named, or the whole inbox")
    ingest.add_argument("files", nargs="*", type=Path)
    ingest.set_defaults(run=cmd_ingest)

    build = commands.add_parser("build", help="build and test the models, then publish")
    build.set_defaults(run=cmd_build)

    refresh = commands.add_parser(
        "refresh", help="the nightly job: ingest the inbox, build, publish"
    )
    refresh.set_defaults(run=cmd_refresh)

    sql = commands.add_parser("sql", help="one read-only SELECT against the published warehouse")
    sql.add_argument("query")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    sql.add_argument("--as-of", metavar="TIMESTAMP",
                     help="query the warehouse as it was published at this time "
                     "(ISO 8601; UTC unless it carries an offset, e.g. 2026-11-27T14:00+08:00)")
    sql.set_defaults(run=cmd_sql)

    validate = commands.add_parser(
        "validate", help="a bank's self-check before sending: the same rules, writes nothing"
    )
    validate.add_argument("files", nargs="+", type=Path)
    validate.add_argument("--report", type=Path, metavar="DIR",
                          help="also write each file's findings report (CSV and XLSX) here")
    validate.add_argument("--examples", type=int, default=5,
                          help="findings shown per file (default 5)")
    validate.set_defaults(run=cmd_validate)

    scorecard = commands.add_parser(
        "scorecard", help="督导评价 packs (XLSX, PDF, CSV) for one bank, some, or all")
    scorecard.add_argument("--period", metavar="YYYY-MM",
                           help="month-end (default: the latest quarter-end published)")
    who = scorecard.add_mutually_exclusive_group(required=True)
    who.add_argument("--bank", action="append", metavar="CODE",
                     help="a bank's 14-character code (repeatable)")
    who.add_argument("--all", action="store_true", help="every bank with a scorecard")
    scorecard.add_argument("--format", default="xlsx,pdf,csv",
                           help="comma-separated: xlsx,pdf,csv (default all three)")
    scorecard.add_argument("--out", type=Path, metavar="DIR",
                           help="directory (default: HOME/exports/YYYY-MM)")
    scorecard.set_defaults(run=cmd_scorecard)

    workbook = commands.add_parser(
        "workbook", help="the regulator workbook: ranking, city metrics, plan progress, "
        "data quality")
    workbook.add_argument("--period", metavar="YYYY-MM",
                          help="month-end (default: the latest quarter-end published)")
    workbook.add_argument("--out", type=Path, metavar="DIR",
                          help="directory (default: HOME/exports/YYYY-MM)")
    workbook.set_defaults(run=cmd_workbook)

    rules = commands.add_parser("rules", help="print the rule catalogue (Markdown)")
    rules.set_defaults(run=cmd_rules)

    status = commands.add_parser("status", help="what has been received and published")
    status.set_defaults(run=cmd_status)
    return parser


def _sample_options(parser: argparse.ArgumentParser) -> None:
    from ingest.sample import SampleConfig

    d = SampleConfig()
    parser.add_argument("--seed", type=int, default=d.seed)
    parser.add_argument("--banks", type=int, default=d.banks)
    parser.add_argument("--start", default=d.start, help="first month, YYYY-MM")
    parser.add_argument("--end", default=d.end, help="last month, YYYY-MM")
    parser.add_argument("--loans-per-bank", type=int, default=d.loans_per_bank)
    parser.add_argument("--enterprises", type=int, default=d.enterprises)


class _ProgressToStderr(logging.Handler):
    """Progress lines on whatever stderr is now (stdout stays clean for results)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


def _quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    progress = logging.getLogger("zhirong.progress")
    if not any(isinstance(h, _ProgressToStderr) for h in progress.handlers):
        progress.addHandler(_ProgressToStderr())
    progress.setLevel(logging.INFO)
    progress.propagate = False


def _err(message: str) -> None:
    print(message, file=sys.stderr)


# ---------------------------------------------------------------- commands that change data


def cmd_generate(args: argparse.Namespace, home: Home) -> int:
    """Write the sample files into --out or the inbox."""
    from ingest.sample import SampleConfig, generate

    out = args.out or home.ensure().inbox
    config = SampleConfig(
        seed=args.seed, banks=args.banks, start=args.start, end=args.end,
        loans_per_bank=args.loans_per_bank, enterprises=args.enterprises,
    )
    progress = logging.getLogger("zhirong.progress")
    try:
        files = generate(out, config, progress=progress.info)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    print(f"已生成 {len(files)} 个样例文件 / wrote {len(files)} sample files to {out}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, home: Home) -> int:
    """Generate the sample into the inbox, then run the refresh job."""
    started = time.monotonic()
    code = cmd_generate(argparse.Namespace(**{**vars(args), "out": None}), home)
    if code != EXIT_OK:
        return code
    code = cmd_refresh(args, home)
    print()
    if code != EXIT_OK:
        _err("演示未完成：见上方原因 / the demo did not finish: see the reason above")
        return code
    print(f"演示完成，用时 {time.monotonic() - started:.0f} 秒 / demo finished in "
          f"{time.monotonic() - started:.0f} s")
    print(f"  已发布数据仓库 published warehouse: {home.published_db}")
    print(f"  构建库 build warehouse:             {home.build_db}")
    print(f"  收到的文件 received files:          {home.received}")
    print("  试试 try: zhirong sql \"select * from marts.bank_loan_metrics "
          "where period = date '2026-10-31'\"")
    return code


def cmd_ingest(args: argparse.Namespace, home: Home) -> int:
    """Run the ingest step of the refresh job on the named files or the inbox."""
    missing = [f for f in args.files if not f.is_file()]
    if missing:
        _err("找不到文件 / no such file: " + ", ".join(map(str, missing)))
        return EXIT_USAGE
    files = [str(f.resolve()) for f in args.files]
    outcome = run_refresh(home, steps="ingest", files=files)
    return outcome.report()


def cmd_build(args: argparse.Namespace, home: Home) -> int:
    """Run the model, check and publish steps of the refresh job."""
    return run_refresh(home, steps="build").report()


def cmd_refresh(args: argparse.Namespace, home: Home) -> int:
    """Run the whole refresh job."""
    return run_refresh(home, steps="all").report()


@dataclass
class RunOutcome:
    """What a run of the refresh job did, told to the user."""

    home: Home
    success: bool
    failures: list[str]
    rejected: list[tuple[str, list[str]]]
    accepted: int
    duplicates: int
    warnings: int
    published: str | None
    seconds: float

    def report(self) -> int:
        """Print the outcome; return the exit code."""
        if self.accepted or self.rejected or self.duplicates:
            print(f"接收 accepted {self.accepted} · 拒收 rejected {len(self.rejected)} · "
                  f"重复 duplicate {self.duplicates} · 预警 warnings {self.warnings}")
        for header, findings in self.rejected:
            print(header)
            for finding in findings:
                print(f"    {finding}")
        if self.published:
            print(f"已发布 published: {self.published}")
        for failure in self.failures:
            _err(f"失败 failed: {failure}")
        if not self.success:
            _err("已发布的数据仓库保持不变 / the published warehouse is unchanged")
        print(f"用时 took {self.seconds:.1f} s")
        return EXIT_OK if self.success and not self.rejected else EXIT_REJECTED


def run_refresh(home: Home, steps: str, files: list[str] | None = None) -> RunOutcome:
    """Execute the Dagster refresh job in-process: all of it, or only its ingest or build
    steps."""
    import dagster as dg

    from orchestration.assets import ingest_submissions
    from orchestration.definitions import REFRESH_JOB, build_definitions

    started = time.monotonic()
    home.ensure()
    defs = build_definitions(home.root)
    job = defs.resolve_job_def(REFRESH_JOB)
    graph = defs.resolve_asset_graph()
    ingest_keys = set(ingest_submissions.keys)
    everything = set(graph.get_all_asset_keys())
    selection = {"ingest": ingest_keys, "build": everything - ingest_keys, "all": everything}[steps]
    run_config = {
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    if steps != "build":
        run_config["ops"] = {"ingest_submissions": {"config": {"files": files or []}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            run_config=run_config,
            instance=instance,
            asset_selection=list(selection),
            raise_on_error=False,
        )
        failures = [
            _failure_text(event) for event in result.all_events
            if event.event_type == dg.DagsterEventType.STEP_FAILURE
        ]
        materialised = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            materialised[materialization.asset_key.to_user_string()] = materialization.metadata
    accepted = sum(
        int(meta["files_accepted"].value) for key, meta in materialised.items()
        if key.startswith("raw/") and "files_accepted" in meta
    )
    ledger = {k: v.value for k, v in materialised.get("audit/submissions", {}).items()}
    duplicates = int(ledger.get("duplicate", 0))
    this_run = (ledger.get("first_submission_id", 0), ledger.get("last_submission_id", 0))
    published = materialised.get("published/warehouse", {}).get("path")
    findings = materialised.get("audit/findings", {})
    return RunOutcome(
        home=home,
        success=result.success,
        failures=failures,
        rejected=_rejections(home, *this_run) if this_run[1] else [],
        accepted=accepted,
        duplicates=duplicates,
        warnings=int(findings["warnings"].value) if "warnings" in findings else 0,
        published=published.value if published else None,
        seconds=time.monotonic() - started,
    )


def _failure_text(event) -> str:
    """The root cause of a failed step, not Dagster's wrapper around it."""
    error = event.event_specific_data.error
    if error is None:
        return f"{event.step_key}: {event.message}"
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    if error.cls_name == "Failure":
        # Our own dg.Failure: its description is the message.
        message = message.removeprefix("dagster._core.definitions.events.Failure: ")
    return f"{event.step_key}: {message}"


def _rejections(home: Home, first: int, last: int) -> list[tuple[str, list[str]]]:
    """Files of this run (submission ids `first`–`last`) that were rejected, or that repeat
    the bytes of a rejected file, each with its first findings."""
    import duckdb

    if not home.build_db.exists():
        return []
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        rows = con.execute(
            """
            -- A resent copy of a rejected file is a duplicate of it, and still rejected.
            with latest as (
                select s.submission_id, s.file_name,
                       coalesce(original.submission_id, s.submission_id) as judged_id
                from audit.submissions as s
                left join audit.submissions as original
                    on original.submission_id = s.duplicate_of
                where s.submission_id between ? and ?
                  and (s.status = 'rejected' or original.status = 'rejected')
            )
            select latest.submission_id, latest.file_name, latest.judged_id, judged.error_count,
                   list(f.rule_id || ' 行 row ' || coalesce(cast(f.row_number as varchar), '-')
                        || ' 列 column ' || coalesce(f."column", '-') || ': '
                        || f.message_zh || ' / ' || f.message_en
                        order by f.row_number nulls first)[1:5]
            from latest
            join audit.submissions as judged on judged.submission_id = latest.judged_id
            left join audit.findings as f
                on f.submission_id = latest.judged_id and f.severity = 'error'
            group by all
            order by latest.submission_id
            """,
            [first, last],
        ).fetchall()
    finally:
        con.close()
    return [
        (
            f"拒收 rejected #{sid} {name}: {errors} 个错误 errors"
            + (f"（与 #{judged} 字节相同 same bytes as #{judged}）" if judged != sid else ""),
            [f for f in findings or [] if f],
        )
        for sid, name, judged, errors, findings in rows
    ]


# ---------------------------------------------------------------- commands that only read


def cmd_validate(args: argparse.Namespace, home: Home) -> int:
    """Check files with the production rules and registry; write nothing (unless --report)."""
    from ingest.reference import load_reference
    from orchestration.settings import gate_settings_from_environment
    from quality.gate import Gate, gate_files
    from quality.report import write_findings_report

    missing = [f for f in args.files if not f.is_file()]
    if missing:
        _err("找不到文件 / no such file: " + ", ".join(map(str, missing)))
        return EXIT_USAGE
    _err(f"检查 {len(args.files)} 个文件 / checking {len(args.files)} file(s) …")
    batch = gate_files(Gate(load_reference(), gate_settings_from_environment()),
                       [(n, path, path.name) for n, path in enumerate(args.files, start=1)])
    result = batch.result
    facts = {} if result.facts is None else {
        r["submission_id"]: r for r in result.facts.iter_rows(named=True)}
    failed = 0
    for candidate in batch.candidates:
        sid = candidate.submission_id
        verdict = result.verdicts[sid]
        failed += not verdict.accepted
        fact = facts.get(sid, {})
        what = " · ".join(str(x) for x in (
            candidate.submission and f"{candidate.submission.kind.zh} {candidate.kind}",
            fact.get("bank_code"),
            fact.get("period") and fact["period"].strftime("%Y-%m"),
            candidate.submission and f"{candidate.submission.row_count} rows",
        ) if x) or "无法识别 unrecognised"
        mark, outcome = ("✔", "通过 passes") if verdict.accepted else ("✘", "不通过 fails")
        print(f"{mark} {candidate.file_name} — {what}: {outcome} "
              f"({verdict.errors} errors, {verdict.warnings} warnings)")
        findings = result.findings.filter(result.findings["submission_id"] == sid).sort(
            ["severity", "rule_id", "row_number"], nulls_last=False)
        for f in findings.head(args.examples).iter_rows(named=True):
            level = "错误 error" if f["severity"] == "error" else "预警 warning"
            where = " ".join(x for x in (
                f["row_number"] and f"行 row {f['row_number']}",
                f["column"] and f"列 column {f['column']}",
                f["value"] is not None and f["value"] not in f["message_zh"]
            and f"值 value {f['value']!r}",
            ) if x)
            print(f"    {level} {f['rule_id']} {where}: {f['message_zh']} / {f['message_en']}")
        hidden = verdict.errors + verdict.warnings - min(args.examples, findings.height)
        if hidden > 0:
            print(f"    … 另有 {hidden} 项 / {hidden} more")
        if args.report and verdict.rules:
            args.report.mkdir(parents=True, exist_ok=True)
            paths = write_findings_report(args.report / candidate.file_name, candidate.file_name,
                                          findings, verdict.rules)
            print(f"    报告 report: {paths[0]}  {paths[1]}")
    print(f"{len(batch.candidates) - failed} 个通过 passed, {failed} 个不通过 failed")
    return EXIT_REJECTED if failed else EXIT_OK


def cmd_sql(args: argparse.Namespace, home: Home) -> int:
    """Run one read-only SELECT on the published warehouse and print only its result."""
    from warehouse.publish import version_at
    from warehouse.readonly import QueryRefused, run_query

    path = home.published_db
    if args.as_of:
        try:
            when = datetime.fromisoformat(args.as_of)
        except ValueError:
            _err(f"无法识别的时间 / not a timestamp: {args.as_of!r} (e.g. 2026-11-27T06:00)")
            return EXIT_USAGE
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        path = version_at(home, when)
        if path is None:
            _err(f"拒绝 refused: {when:%Y-%m-%d %H:%M:%S} UTC 之前没有发布过数据仓库 / "
                 f"nothing had been published by {when:%Y-%m-%d %H:%M:%S} UTC")
            return EXIT_REJECTED
    try:
        result = run_query(path, args.query, timeout_seconds=args.timeout)
    except QueryRefused as refused:
        _err(f"拒绝 refused: {refused.message_zh}\n               {refused.message_en}")
        return EXIT_REJECTED
    out = sys.stdout
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_csv_value(v) for v in row] for row in result.rows)
    elif args.format == "json":
        out.write("[" + ",\n".join(
            "{" + ", ".join(f"{json.dumps(c, ensure_ascii=False)}: {_json_value(v)}"
                            for c, v in zip(result.columns, row, strict=True)) + "}"
            for row in result.rows
        ) + "]\n")
    else:
        _print_table(result.columns, result.rows)
    return EXIT_OK


def cmd_scorecard(args: argparse.Namespace, home: Home) -> int:
    """Write 督导评价 packs from the published warehouse."""
    from exports.fonts import FontMissing
    from exports.packs import parse_formats, write_packs
    from exports.scorecard import ExportError, ScorecardSource
    from warehouse.readonly import QueryRefused

    try:
        formats = parse_formats(args.format)
        period = _export_period(args, home)
    except ValueError as bad:
        _err(str(bad))
        return EXIT_USAGE
    except (ExportError, QueryRefused) as refused:
        _err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    out = args.out or home.exports / f"{period:%Y-%m}"
    started = time.monotonic()

    def shown(number: int, total: int, written) -> None:
        print(f"[{number:>{len(str(total))}}/{total}] {written.bank_code} {written.bank_name}  "
              + " ".join(p.suffix[1:] for p in written.paths), file=sys.stderr)

    try:
        written = write_packs(ScorecardSource(home.published_db, period), out,
                              banks=None if args.all else args.bank, formats=formats,
                              progress=shown)
    except (ExportError, FontMissing, QueryRefused) as refused:
        _err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    print(f"{len(written)} 家机构的得分卡已写入 / packs for {len(written)} banks written to "
          f"{out} ({period:%Y-%m}, {', '.join(formats)}) · 用时 took "
          f"{time.monotonic() - started:.1f} s")
    return EXIT_OK


def cmd_workbook(args: argparse.Namespace, home: Home) -> int:
    """Write the regulator workbook from the published warehouse."""
    from exports.packs import workbook_name
    from exports.scorecard import ExportError
    from exports.workbook import write_regulator_workbook
    from warehouse.readonly import QueryRefused

    try:
        period = _export_period(args, home)
        out = args.out or home.exports / f"{period:%Y-%m}"
        out.mkdir(parents=True, exist_ok=True)
        path = write_regulator_workbook(home.published_db, period, out / workbook_name(period))
    except ValueError as bad:
        _err(str(bad))
        return EXIT_USAGE
    except (ExportError, QueryRefused) as refused:
        _err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    print(f"监管汇总工作簿 / regulator workbook: {path}")
    return EXIT_OK


def _export_period(args: argparse.Namespace, home: Home) -> date:
    """--period as a month-end, or the latest quarter-end published."""
    from exports.scorecard import latest_quarter_end, month_end

    return month_end(args.period) if args.period else latest_quarter_end(home.published_db)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _json_value(value) -> str:
    if isinstance(value, Decimal):
        # Money stays exact: a JSON number written from the decimal, never through a float.
        return format(value, "f")
    if isinstance(value, date | datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, float) and value != value:
        return "null"
    try:
        return json.dumps(value, ensure_ascii=False)
    except TypeError:
        return json.dumps(str(value), ensure_ascii=False)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    shown = rows[:TABLE_ROW_LIMIT]
    cells = [[("NULL" if v is None else str(v)) for v in row] for row in shown]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    print(line(columns))
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(line(row))
    if len(rows) > len(shown):
        print(f"… 另有 {len(rows) - len(shown)} 行未显示 / {len(rows) - len(shown)} more rows "
              "(use --format csv for all)")
    print(f"({len(rows)} 行 rows)")


def cmd_rules(args: argparse.Namespace, home: Home) -> int:
    """Print the rule catalogue."""
    from orchestration.settings import gate_settings_from_environment
    from quality.catalogue import render_markdown

    print(render_markdown(gate_settings_from_environment()), end="")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, home: Home) -> int:
    """Where the home is, what was received, and what is published."""
    import duckdb

    print(f"home:       {home.root}")
    print(f"inbox:      {home.inbox} ({len(_waiting(home))} 个文件等待 files waiting)")
    pending = "" if home.published_db.exists() else " (尚未发布 not yet)"
    print(f"published:  {home.published_db}{pending}")
    if home.published_db.exists():
        con = duckdb.connect(str(home.published_db), read_only=True)
        try:
            when = con.execute("select max(published_at) from meta.publication").fetchone()[0]
            print(f"            发布于 published at {when} UTC")
        finally:
            con.close()
    if not home.build_db.exists():
        return EXIT_OK
    try:
        con = duckdb.connect(str(home.build_db), read_only=True)
    except duckdb.IOException:
        print("build:      正在刷新，构建库被占用 / a refresh is running (build warehouse busy)")
        return EXIT_OK
    try:
        print("submissions 报送:")
        for kind, status, files, rows in con.execute(
            "select coalesce(kind, '(unreadable)'), status, count(*), sum(row_count) "
            "from audit.submissions group by all order by 1, 2"
        ).fetchall():
            print(f"  {kind:<16} {status:<11} {files:>6} files {rows or 0:>12,} rows")
        latest = con.execute(
            "select submission_id, file_name, status, error_count, received_at "
            "from audit.submissions order by submission_id desc limit 5"
        ).fetchall()
        print("latest 最近:")
        for sid, name, status, errors, at in latest:
            print(f"  #{sid} {name} {status} ({errors} errors) {at:%Y-%m-%d %H:%M} UTC")
    finally:
        con.close()
    return EXIT_OK


def _waiting(home: Home) -> list[Path]:
    from orchestration.intake import inbox_files

    return inbox_files(home)


if __name__ == "__main__":
    sys.exit(main())
