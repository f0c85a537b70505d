"""`zhirong` — the command line. Commands that change data run the Dagster `refresh` job
in-process (the same definitions `dagster dev` serves); `sql` and `status` only read.

Exit codes: 0 success, 1 data rejected or a check failed, 2 usage error."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import math
import os
import sys
import time
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from exports.formatting import BEIJING, beijing
from orchestration.runs import RunOutcome, err, run_refresh
from warehouse.arrivals import SETTLE_SECONDS
from warehouse.home import DEFAULT_HOME, Home

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
TABLE_ROW_LIMIT = 200
# How long a command that writes waits for another run on the same home.
DEFAULT_WAIT_SECONDS = 300.0
# How often `zhirong worker` looks at the inbox.
DEFAULT_POLL_SECONDS = 5.0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `zhirong` console script."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:
        # argparse has said what was wrong (exit 2) or printed the help (exit 0).
        return EXIT_USAGE if done.code not in (0, None) else EXIT_OK
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    home = Home(Path(args.home or os.environ.get("ZHIRONG_HOME") or DEFAULT_HOME).resolve())
    _quiet_libraries()
    try:
        problem = args.check(args, home) if args.check else None
        if problem:
            args.parser.print_usage(sys.stderr)
            err(f"zhirong {args.command}: {problem}")
            return EXIT_USAGE
        return args.run(args, home)
    except KeyboardInterrupt:
        err("已中断 / interrupted")
        return EXIT_REJECTED
    except BrokenPipeError:
        # The reader went away (`zhirong status | head`): nothing left to tell it.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 — so the exit flush cannot fail
        return EXIT_OK


def console() -> None:
    """The `zhirong` console script: `main`, then out at once. The interpreter's teardown
    would free the objects of GX, Dagster, dbt and pandas one by one — ~2.5 s after a
    refresh, for nothing: by then every file is closed, every ledger and run record is
    committed (a SIGKILL at any moment is recovered from; see bench/crash.py)."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # The reader may have gone (`zhirong status | head`): nothing left to tell it.
        with contextlib.suppress(OSError):
            stream.flush()
    logging.shutdown()
    os._exit(code)


class _Help(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; an option's default after its help, unless the
    help already says it or there is none to say."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default in (None, False, argparse.SUPPRESS)
            or not action.option_strings
        ):
            return text
        return f"{text} (default: %(default)s)"


def _command(
    commands, name: str, summary: str, description: str, examples: str, run, check=None
) -> argparse.ArgumentParser:
    """A subcommand with its one-line summary (in `zhirong --help`), a bilingual description
    and examples (in `zhirong NAME --help`)."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=description,
        formatter_class=_Help,
        epilog="例 examples:\n" + "\n".join(f"  {line}" for line in examples.splitlines()),
    )
    parser.set_defaults(run=run, check=check, parser=parser)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhirong",
        formatter_class=_Help,
        description="智融 Zhirong — 制造业投融资监测数据仓库 / "
        "manufacturing-finance monitoring warehouse\n\n"
        "退出码 exit codes: 0 成功 success · 1 数据被拒收或检查未通过 data rejected or a check "
        "failed · 2 用法错误 usage error.\n"
        "时间按北京时间显示（存储为 UTC）/ times are shown in Beijing time (stored in UTC).",
        epilog="每个命令的说明与示例 / each command's help and examples: zhirong COMMAND --help",
    )
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="数据目录 the Zhirong home (default: $ZHIRONG_HOME or ./zhirong_home)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = _command(
        commands,
        "demo",
        "generate the built-in sample and run everything / 生成样例并运行全流程",
        "生成内置样例（虚构银行的月度文件与各登记簿），放入收件箱并运行每晚任务：接收、校验、"
        "构建、发布、导出。\nGenerate the built-in sample (fictional banks' monthly files and "
        "the registers) into the inbox, then run the nightly job: ingest, gate, build, "
        "publish, export.",
        "zhirong demo\nzhirong --home /tmp/zr demo --banks 3 --start 2026-01 --end 2026-06",
        cmd_demo,
        _check_sample,
    )
    _sample_options(demo)
    _wait_option(demo)

    generate = _command(
        commands,
        "generate",
        "write the built-in sample files / 写出样例文件",
        "写出内置样例文件（同一 --seed 逐字节相同）；默认写入收件箱。\nWrite the built-in "
        "sample's files (byte-identical for a --seed); into the home's inbox unless --out.",
        "zhirong generate --out ./sample --banks 5\nzhirong generate --start 202501 --end 202512",
        cmd_generate,
        _check_sample,
    )
    generate.add_argument(
        "--out", type=Path, metavar="DIR", help="写入此目录 write here (default: the home's inbox)"
    )
    _sample_options(generate)

    ingest = _command(
        commands,
        "ingest",
        "take in the files named, or the whole inbox / 接收文件",
        "接收所列文件（复制，原文件不动）或收件箱中的全部文件（移走）：留存、登记、校验、"
        "入库。\nTake in the files named (copied, left in place) or everything in the inbox "
        "(moved): keep, ledger, gate, load.",
        "zhirong ingest\nzhirong ingest 对公贷款借据_C1901150100001_202609.csv",
        cmd_ingest,
    )
    ingest.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="要接收的文件 files to take in (default: the whole inbox)",
    )
    _wait_option(ingest)

    build = _command(
        commands,
        "build",
        "build and test the models, then publish / 构建并发布",
        "用 dbt 构建并测试模型，校验数据集市，原子发布只读数据仓库，写出最新季度的得分卡。"
        "\nBuild and test the dbt models, gate the marts, publish the read-only warehouse "
        "atomically, write the latest quarter's packs.",
        "zhirong build\nzhirong build --wait 0",
        cmd_build,
        _check_not_empty,
    )
    _allow_empty_option(build)
    _wait_option(build)

    refresh = _command(
        commands,
        "refresh",
        "the nightly job: ingest the inbox, build, publish / 每晚任务",
        "每晚任务：接收收件箱、构建、发布、写出得分卡与监管工作簿（与 Dagster 调度、传感器运行"
        "同一个任务）。\nThe nightly job: ingest the inbox, build, publish, write the packs "
        "and the regulator workbook (the same job the Dagster schedule and sensor run).",
        "zhirong refresh\nZHIRONG_HOME=/data/zhirong zhirong refresh --wait 600",
        cmd_refresh,
        _check_not_empty,
    )
    _allow_empty_option(refresh)
    _wait_option(refresh)

    worker = _command(
        commands,
        "worker",
        "keep the writer warm: refresh whenever files settle in the inbox / 常驻写入进程",
        "常驻的写入进程：启动时一次性载入 Dagster 定义、dbt 项目与全部 GX 校验规则，之后每当收件箱"
        "中有一批新文件静置完毕，就在本进程内运行每晚任务——补报一家银行的文件只花它自己的文件与构建"
        "的时间。两次运行之间不占写锁；Ctrl-C 或 SIGTERM 在当前运行结束后退出（SIGKILL 立即退出，"
        "下一次运行会收拾它留下的）。\n"
        "A long-lived writer: Dagster's definitions, the dbt project and every GX suite are "
        "loaded once, at start; then each new set of files that settles in the inbox is "
        "refreshed in this process — a bank's resubmission costs only its own files and the "
        "build. It holds no lock between runs; Ctrl-C or SIGTERM stops it after the run in "
        "progress (SIGKILL at once: the next run settles what that left).",
        "zhirong worker\nZHIRONG_HOME=/data/zhirong zhirong worker --settle 60 --poll 10",
        cmd_worker,
    )
    worker.add_argument(
        "--settle",
        type=_seconds,
        default=SETTLE_SECONDS,
        metavar="SECONDS",
        help="文件最后一次改动后需静置的秒数 how long the newest file must have been "
        "unchanged before a run takes the inbox (a copy still in progress is not taken)",
    )
    worker.add_argument(
        "--poll",
        type=_positive_seconds,
        default=DEFAULT_POLL_SECONDS,
        metavar="SECONDS",
        help="查看收件箱的间隔 how often to look at the inbox",
    )
    _wait_option(worker)

    sql = _command(
        commands,
        "sql",
        "one read-only SELECT on the published warehouse / 只读查询",
        "在已发布的数据仓库上运行一条只读 SELECT（加固的连接：不能读写文件、有时限与内存上限）。"
        "table 格式适应终端宽度；csv、json 只输出结果，便于脚本读取；xlsx 写入 --out 文件。\n"
        "Run one read-only SELECT on the published warehouse (hardened: no file access, time "
        "and memory limits). `table` fits the terminal; `csv` and `json` print only the "
        "result, for scripts; `xlsx` writes the --out file.",
        'zhirong sql "select bank_name, mfg_loan_share from marts.bank_loan_metrics '
        "where period = date '2026-09-30'\"\n"
        'zhirong sql "select * from marts.bank_scorecard" --format xlsx --out scorecard.xlsx\n'
        'zhirong sql "select count(*) from audit.submissions" --as-of 2026-11-27T14:00',
        cmd_sql,
        _check_sql,
    )
    sql.add_argument("query", metavar="QUERY", help="一条 SELECT / one SELECT statement")
    sql.add_argument(
        "--format",
        choices=["table", "csv", "json", "xlsx"],
        default="table",
        help="输出格式 output: csv starts with a BOM (Excel reads it as UTF-8) and "
        "writes text that starts like a formula as inert text; xlsx needs --out",
    )
    sql.add_argument(
        "--out",
        type=Path,
        metavar="FILE.xlsx",
        help="--format xlsx 写入的文件 the workbook --format xlsx writes",
    )
    sql.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDS",
        help="查询时限 stop the query after this long",
    )
    sql.add_argument(
        "--max-rows",
        type=_positive_int,
        default=100_000,
        metavar="N",
        help="最多返回行数 return at most N rows, and say so when the result had more",
    )
    sql.add_argument(
        "--memory-limit",
        type=_size,
        default="4GB",
        metavar="SIZE",
        help="内存上限 most memory the query may use, e.g. 2GB or 512MB",
    )
    sql.add_argument(
        "--as-of",
        metavar="TIMESTAMP",
        help="查询该时刻已发布的版本 query the warehouse as published at this time "
        "(ISO 8601; Beijing time unless it carries an offset, e.g. "
        "2026-11-27T14:00 or 2026-11-27T06:00+00:00)",
    )

    validate = _command(
        commands,
        "validate",
        "a bank's self-check before sending / 报送前自查",
        "报送前自查：与生产相同的规则和机构名录，不写入任何内容（除非 --report）。贷款借据与"
        "各项贷款互相核对：只查其中一个时，在本数据目录中查找已接收的另一个；都没有则提示"
        "一起检查。\nA bank's self-check before sending: the production rules and registry; "
        "writes nothing (unless --report). Loans and loan totals are reconciled with each "
        "other: given one, the other is looked up among the files this home has accepted; "
        "if there is none, it says to pass both.",
        "zhirong validate loans_202609.csv loan_totals_202609.csv\n"
        "zhirong validate 对公贷款借据_202609.xlsx --report ./findings",
        cmd_validate,
    )
    validate.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="要检查的文件 files to check"
    )
    validate.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="同时写出每个文件的发现报告 also write each file's findings "
        "report (CSV and XLSX) here",
    )
    validate.add_argument(
        "--examples",
        type=_positive_int,
        default=5,
        metavar="N",
        help="每个文件显示的发现数 findings shown per file",
    )

    scorecard = _command(
        commands,
        "scorecard",
        "督导评价 packs (XLSX, PDF, CSV) / 机构得分卡",
        "从已发布的数据仓库写出督导评价得分卡（XLSX、PDF、CSV），一家、几家或全部机构。\n"
        "Write 督导评价 packs (XLSX, PDF, CSV) from the published warehouse, for one bank, "
        "some, or all.",
        "zhirong scorecard --all\nzhirong scorecard --period 2026-09 --bank C1901150100001 "
        "--format pdf",
        cmd_scorecard,
        _check_banks,
    )
    scorecard.add_argument(
        "--period",
        type=_month_end,
        metavar="YYYY-MM",
        help="月末 month-end, YYYY-MM or YYYYMM (default: the latest quarter-end published)",
    )
    who = scorecard.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--bank",
        action="append",
        metavar="CODE",
        help="机构代码 a bank's 14-character code (repeatable)",
    )
    who.add_argument(
        "--all", action="store_true", help="全部有得分卡的机构 every bank with a scorecard"
    )
    scorecard.add_argument(
        "--format", default="xlsx,pdf,csv", help="格式 comma-separated: xlsx,pdf,csv"
    )
    scorecard.add_argument(
        "--out", type=Path, metavar="DIR", help="输出目录 directory (default: HOME/exports/YYYY-MM)"
    )

    workbook = _command(
        commands,
        "workbook",
        "the regulator workbook / 监管汇总工作簿",
        "监管汇总工作簿：机构排名与评级、全市指标、规划进度、报送完整性、数据质量、评价变更，"
        "以及贴息、担保费补助、应急转贷、风险分担、奖励与白名单推送。\n"
        "The regulator workbook: banks ranked with grades, city metrics by month, plan "
        "progress, filing completeness, data quality, evaluation changes, and the plan's "
        "money: subsidies, bridge loans, risk sharing, rewards and the white-list pipeline.",
        "zhirong workbook\nzhirong workbook --period 202606 --out ./reports",
        cmd_workbook,
    )
    workbook.add_argument(
        "--period",
        type=_month_end,
        metavar="YYYY-MM",
        help="月末 month-end, YYYY-MM or YYYYMM (default: the latest quarter-end published)",
    )
    workbook.add_argument(
        "--out", type=Path, metavar="DIR", help="输出目录 directory (default: HOME/exports/YYYY-MM)"
    )

    rules = _command(
        commands,
        "rules",
        "the rule catalogue, or one rule / 校验规则",
        "打印校验规则目录（Markdown，含生效的容差与文件上限），或只打印一条规则。\n"
        "Print the rule catalogue (Markdown, with the tolerances and file limits in force), "
        "or one rule.",
        "zhirong rules > docs/rules.md\nzhirong rules LN-W-033",
        cmd_rules,
        _check_rule,
    )
    rules.add_argument(
        "rule",
        nargs="?",
        metavar="ID",
        help="规则编号 a rule id such as LN-E-004 (default: every rule)",
    )

    dictionary = _command(
        commands,
        "dictionary",
        "the data dictionary of the published warehouse / 数据字典",
        "打印已发布数据仓库的数据字典（Markdown）：每个表、每一列的类型与中英文说明。\n"
        "Print the published warehouse's data dictionary (Markdown): every table and column "
        "with its type and its 中文 / English description.",
        "zhirong dictionary > docs/data_dictionary.md",
        cmd_dictionary,
    )
    del dictionary

    users = _command(
        commands,
        "users",
        "filing-service accounts / 报送服务账户",
        "管理报送服务的账户：银行（绑定机构代码）、报送方（绑定报送方）、监管（只读全部）、运维。"
        "密码与令牌只以加盐哈希保存，只在创建或重置时显示一次。\n"
        "Manage the filing service's accounts: bank (bound to its bank code), reporter (bound "
        "to its reporter), regulator (reads everything), operator. Passwords and tokens are "
        "kept only as salted hashes and shown once, when made or reset.",
        "zhirong users add cq-bank-a --role bank --reporter C1901150100001\n"
        "zhirong users add analyst --role regulator\nzhirong users list\n"
        "zhirong users reset cq-bank-a\nzhirong users disable cq-bank-a",
        cmd_users,
        _check_users,
    )
    users.add_argument(
        "action",
        choices=["add", "list", "disable", "reset"],
        help="add 新建 · list 列出 · disable 停用 · reset 重置密码与令牌",
    )
    users.add_argument("name", nargs="?", metavar="NAME", help="账户名 the account's name")
    users.add_argument(
        "--role",
        choices=["bank", "reporter", "regulator", "operator"],
        help="角色 the account's role (for add)",
    )
    users.add_argument(
        "--reporter",
        metavar="CODE",
        help="绑定的机构代码或报送方 the bank code or reporter it files for "
        "(bank and reporter roles)",
    )

    serve = _command(
        commands,
        "serve",
        "run the filing service (web pages and API) / 运行报送服务",
        "运行报送服务：银行与报送方上传文件、立即看到校验结果、说明预警并签署；监管查看报送状态"
        "与评价报告。每个数据目录只运行一个服务进程；生产环境请放在启用 TLS 的反向代理之后，并加 "
        "--secure-cookies。\nRun the filing service: banks and reporters upload, see findings at "
        "once, explain warnings and sign; regulators see who has filed and the packs. One "
        "service process per home; in production put it behind a reverse proxy with TLS and "
        "pass --secure-cookies.",
        "zhirong serve\nzhirong --home /srv/zhirong serve --host 127.0.0.1 --port 8080 "
        "--secure-cookies",
        cmd_serve,
    )
    serve.add_argument("--host", default="127.0.0.1", help="监听地址 the address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="端口 the port")
    serve.add_argument(
        "--secure-cookies",
        action="store_true",
        help="仅经 HTTPS 发送会话 cookie（在 TLS 反向代理之后）send cookies over HTTPS only "
        "(behind a TLS proxy)",
    )
    del serve

    evaluate = _command(
        commands,
        "evaluate",
        "freeze a quarter's 督导评价 now / 冻结季度评价",
        "立即冻结一个季度的督导评价（到截止日也会自动冻结）；已冻结的季度不再改写，之后的变化"
        "见 marts.evaluation_changes。\nFreeze a quarter's 督导评价 now (it freezes by itself "
        "at the cut-off after the quarter-end); a frozen quarter is never rewritten, later "
        "changes are in marts.evaluation_changes.",
        "zhirong evaluate --period 2026-09",
        cmd_evaluate,
        _check_not_empty,
    )
    evaluate.add_argument(
        "--period",
        required=True,
        type=_quarter_end,
        metavar="YYYY-MM",
        help="季末月 a quarter-end month: 03, 06, 09 or 12 (YYYY-MM or YYYYMM)",
    )
    _allow_empty_option(evaluate)
    _wait_option(evaluate)

    status = _command(
        commands,
        "status",
        "what has been received and published / 接收与发布状态",
        "数据目录的位置、收到的文件、已发布的版本；加 --period 时列出该月应报机构中缺报、"
        "退回、逾期与按时的。\nThe home's paths, what was received, what is published; with "
        "--period, who owed that month's files and who is missing, rejected, late or on time.",
        "zhirong status\nzhirong status --period 2026-09",
        cmd_status,
    )
    status.add_argument(
        "--period",
        type=_month_end,
        metavar="YYYY-MM",
        help="报送月份 the month whose filings to list (YYYY-MM or YYYYMM)",
    )
    return parser


def _month_end(text: str) -> date:
    """`YYYY-MM` or `YYYYMM` as its month-end date (the packs' own parser); argparse exits 2
    on anything else."""
    from exports.scorecard import month_end

    try:
        return month_end(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month_text(text: str) -> str:
    """A month for the sample (`YYYY-MM` or `YYYYMM`), as `YYYY-MM`."""
    return f"{_month_end(text):%Y-%m}"


def _quarter_end(text: str) -> date:
    """`YYYY-MM` of a quarter-end month, as its month-end date."""
    period = _month_end(text)
    if period.month % 3:
        raise argparse.ArgumentTypeError(
            f"督导评价按季度：应为 03、06、09 或 12 月 / evaluations are quarterly: the month "
            f"must be 03, 06, 09 or 12: {text!r}"
        )
    return period


def _wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help="等待另一个运行结束的最长秒数 if another run is writing this home, wait up to "
        "this long before giving up (0 gives up at once)",
    )


def _allow_empty_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="允许构建从未收到文件的数据目录 build a home that has never received a file "
        "(without it, such a home is refused: usually a mistyped --home)",
    )


def _seconds(text: str, above_zero: bool = False) -> float:
    """A finite number of seconds, zero or more (or above zero); argparse exits 2 on
    anything else."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    bound = "> 0" if above_zero else "≥ 0"
    if not math.isfinite(value) or value < 0 or (above_zero and value == 0):
        raise argparse.ArgumentTypeError(
            f"应为有限的秒数（{bound}）/ not a finite number of seconds {bound}: {text!r}"
        )
    return value


def _positive_seconds(text: str) -> float:
    """A finite number of seconds above zero."""
    return _seconds(text, above_zero=True)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"应为正整数 / not a positive whole number: {text!r}")
    return value


_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1 << 10,
    "MB": 1 << 20,
    "GB": 1 << 30,
    "KIB": 1 << 10,
    "MIB": 1 << 20,
    "GIB": 1 << 30,
}


def _size(text: str) -> int:
    """A size such as 4GB, 512MB or 1073741824, at least 256 MB."""
    number = text.strip().upper()
    digits = number.rstrip("KMGIB ")
    unit = number[len(digits) :].strip()
    try:
        value = int(float(digits) * _SIZE_UNITS[unit])
    except (ValueError, KeyError):
        value = 0
    if value < 256 << 20:
        raise argparse.ArgumentTypeError(
            f"应为不小于 256MB 的大小，如 2GB / not a size of at least 256MB such as 2GB: {text!r}"
        )
    return value


def _sample_options(parser: argparse.ArgumentParser) -> None:
    from sample.config import SampleConfig

    d = SampleConfig()
    parser.add_argument(
        "--seed",
        type=int,
        default=d.seed,
        help="随机种子 random seed (the same seed writes the same bytes)",
    )
    parser.add_argument(
        "--banks",
        type=_positive_int,
        default=d.banks,
        metavar="N",
        help=f"样例银行数 sample banks, 1–{d.banks}",
    )
    parser.add_argument(
        "--start",
        type=_month_text,
        default=d.start,
        metavar="YYYY-MM",
        help="第一个月 first month (YYYY-MM or YYYYMM)",
    )
    parser.add_argument(
        "--end",
        type=_month_text,
        default=d.end,
        metavar="YYYY-MM",
        help="最后一个月 last month (YYYY-MM or YYYYMM)",
    )
    parser.add_argument(
        "--loans-per-bank",
        type=_positive_int,
        default=d.loans_per_bank,
        metavar="N",
        help="每家银行的贷款笔数 loans in each bank's book",
    )
    parser.add_argument(
        "--enterprises",
        type=_positive_int,
        default=d.enterprises,
        metavar="N",
        help="虚构企业数 fictional enterprises",
    )


# The sample registers' first enterprises per cluster need a few dozen firms to draw from.
MIN_SAMPLE_ENTERPRISES = 20


def _check_sample(args: argparse.Namespace, home: Home) -> str | None:
    """What is wrong with the sample options, if anything."""
    from sample.config import SampleConfig

    most = SampleConfig().banks
    if args.banks > most:
        return (
            f"样例只有 {most} 家银行：--banks {args.banks} / the sample has {most} banks: "
            f"--banks must be 1–{most}"
        )
    if args.start > args.end:
        return (
            f"--start {args.start} 晚于 --end {args.end} / --start {args.start} is after "
            f"--end {args.end}"
        )
    if args.enterprises < MIN_SAMPLE_ENTERPRISES:
        return (
            f"--enterprises 至少 {MIN_SAMPLE_ENTERPRISES} / --enterprises must be at least "
            f"{MIN_SAMPLE_ENTERPRISES}"
        )
    return None


def _check_not_empty(args: argparse.Namespace, home: Home) -> str | None:
    """A home that has never received a file is usually a mistyped --home: refuse to build
    and publish an empty warehouse there unless asked to."""
    if args.allow_empty or _has_received(home):
        return None
    return (
        f"此数据目录从未收到文件：{home.root}\n请检查 --home 或 ZHIRONG_HOME；确需构建空仓库"
        f"时加 --allow-empty。\nthis home has never received a file: {home.root}\n"
        "check --home or ZHIRONG_HOME; to build an empty warehouse on purpose, add "
        "--allow-empty."
    )


def _has_received(home: Home) -> bool:
    """Whether any file was ever received (every received file is kept under received/) or
    is waiting in the inbox."""
    return (home.received.is_dir() and any(home.received.iterdir())) or bool(
        home.inbox.is_dir() and _waiting(home)
    )


def _check_sql(args: argparse.Namespace, home: Home) -> str | None:
    if args.format == "xlsx" and args.out is None:
        return "--format xlsx 需要 --out FILE.xlsx / --format xlsx needs --out FILE.xlsx"
    if args.out is not None and args.format != "xlsx":
        return "--out 只用于 --format xlsx / --out is only for --format xlsx"
    return None


def _check_banks(args: argparse.Namespace, home: Home) -> str | None:
    """Every --bank is a registered bank code; a near miss is suggested."""
    if not args.bank:
        return None
    args.bank, problem = _registered_banks(args.bank)
    return problem


def _registered_banks(codes: list[str]) -> tuple[list[str], str | None]:
    """`codes` as registered (upper case, trimmed), or what is wrong with them: each unknown
    code with its nearest registered ones."""
    import difflib

    from ingest.reference import load_reference

    registered = dict(load_reference().banks.select("bank_code", "bank_name").iter_rows())
    cleaned = [code.strip().upper() for code in codes]
    unknown = [code for code in cleaned if code not in registered]
    if not unknown:
        return cleaned, None
    lines = []
    for code in unknown:
        near = difflib.get_close_matches(code, registered, n=3, cutoff=0.6)
        hint = (
            "；是否为 did you mean: " + ", ".join(f"{c} {registered[c]}" for c in near)
            if near
            else ""
        )
        lines.append(f"未登记的机构代码 not a registered bank code: {code!r}{hint}")
    lines.append(
        '登记的机构 registered banks: zhirong sql "select bank_code, bank_name from '
        'reference.banks"'
    )
    return cleaned, "\n".join(lines)


def _check_users(args: argparse.Namespace, home: Home) -> str | None:
    """A name for every action but list; a role for add; a bank account's code registered."""
    if args.action != "list" and not args.name:
        return f"users {args.action} 需要账户名 / users {args.action} needs a NAME"
    if args.action == "add" and not args.role:
        return "users add 需要 --role / users add needs --role"
    if args.action == "add" and args.role == "bank" and args.reporter:
        (args.reporter,), problem = _registered_banks([args.reporter])
        return problem
    return None


def _check_rule(args: argparse.Namespace, home: Home) -> str | None:
    """A rule id names a rule of the catalogue; a near miss is suggested."""
    import difflib

    from quality.rules import RULES_BY_ID

    if args.rule is None or args.rule.strip().upper() in RULES_BY_ID:
        return None
    near = difflib.get_close_matches(args.rule.strip().upper(), RULES_BY_ID, n=3, cutoff=0.6)
    hint = f"；是否为 did you mean: {', '.join(near)}" if near else ""
    return f"没有这条规则 no such rule: {args.rule!r}{hint}\n全部规则 every rule: zhirong rules"


class _ProgressToStderr(logging.Handler):
    """Progress lines on whatever stderr is now (stdout stays clean for results)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage(), file=sys.stderr)


def _quiet_libraries() -> None:
    warnings.filterwarnings("ignore")
    # A library that calls logging.basicConfig() when imported (dbt's snowplow_tracker does)
    # would otherwise put every library's log records on the terminal.
    if not logging.root.handlers:
        logging.root.addHandler(logging.NullHandler())
    progress = logging.getLogger("zhirong.progress")
    if not any(isinstance(h, _ProgressToStderr) for h in progress.handlers):
        progress.addHandler(_ProgressToStderr())
    progress.setLevel(logging.INFO)
    progress.propagate = False


# ---------------------------------------------------------------- commands that change data


def cmd_generate(args: argparse.Namespace, home: Home) -> int:
    """Write the sample files into --out or the inbox."""
    from sample.generate import SampleConfig, generate

    out = args.out or home.ensure().inbox
    config = SampleConfig(
        seed=args.seed,
        banks=args.banks,
        start=args.start,
        end=args.end,
        loans_per_bank=args.loans_per_bank,
        enterprises=args.enterprises,
    )
    progress = logging.getLogger("zhirong.progress")
    try:
        files = generate(out, config, progress=progress.info)
    except ValueError as exc:
        err(str(exc))
        return EXIT_USAGE
    if args.out is None:
        _note_sample_arrivals(home, files)
    print(f"已生成 {len(files)} 个样例文件 / wrote {len(files)} sample files to {out}")
    return EXIT_OK


def _note_sample_arrivals(home: Home, files: list[Path]) -> None:
    """The sample is history: its banks sent each month's files on the day their
    modification time records. Written into this home's inbox, the sample also plays the
    inbox sensor that saw them arrive then (`warehouse.arrivals`); a real file's receipt
    time is only ever the warehouse's own first sighting."""
    from warehouse import arrivals
    from warehouse.received import sha256_of

    for path in files:
        sent = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
        arrivals.note(home, sha256_of(path), min(sent, arrivals.now()))


def cmd_demo(args: argparse.Namespace, home: Home) -> int:
    """Generate the sample into the inbox, then run the refresh job."""
    started = time.monotonic()
    code = cmd_generate(argparse.Namespace(**{**vars(args), "out": None}), home)
    if code != EXIT_OK:
        return code
    code = cmd_refresh(args, home)
    print()
    if code != EXIT_OK:
        err("演示未完成：见上方原因 / the demo did not finish: see the reason above")
        return code
    print(
        f"演示完成，用时 {time.monotonic() - started:.0f} 秒 / demo finished in "
        f"{time.monotonic() - started:.0f} s"
    )
    print(f"  已发布数据仓库 published warehouse: {home.published_db}")
    print(f"  构建库 build warehouse:             {home.build_db}")
    print(f"  收到的文件 received files:          {home.received}")
    last = _month_end(args.end)
    print(
        '  试试 try: zhirong sql "select bank_name, mfg_loan_share, growth_gap from '
        f"marts.bank_loan_metrics where period = date '{last}'\""
    )
    print(
        "  界面 UI:  DAGSTER_HOME="
        f"{home.dagster} ZHIRONG_HOME={home.root} "
        "dagster dev -m orchestration.definitions"
    )
    return code


def cmd_ingest(args: argparse.Namespace, home: Home) -> int:
    """Run the ingest step of the refresh job on the named files or the inbox."""
    missing = [f for f in args.files if not (f.exists() or f.is_symlink())]
    if missing:
        err("找不到文件 / no such file: " + ", ".join(map(str, missing)))
        return EXIT_USAGE
    # Absolute, but a link stays a link: the intake refuses it without reading its target.
    files = [str(f.parent.resolve() / f.name) for f in args.files]
    return _told(run_refresh(home, steps="ingest", files=files, wait_seconds=args.wait))


def cmd_build(args: argparse.Namespace, home: Home) -> int:
    """Run the model, check and publish steps of the refresh job."""
    return _told(run_refresh(home, steps="build", wait_seconds=args.wait))


def cmd_refresh(args: argparse.Namespace, home: Home) -> int:
    """Run the whole refresh job."""
    return _told(run_refresh(home, steps="all", wait_seconds=args.wait))


def cmd_worker(args: argparse.Namespace, home: Home) -> int:
    """Warm up, then refresh each new set of settled files until stopped."""
    import signal
    import threading

    from orchestration.worker import Worker

    stop = threading.Event()

    def stopping(signum, frame) -> None:
        if not stop.is_set():
            err("正在停止：当前运行结束后退出 / stopping after the run in progress")
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stopping)
    worker = Worker(home.ensure(), args.settle, args.poll, args.wait)
    err("工作进程预热中 / warming up …")
    seconds = worker.warm_up()
    err(
        f"工作进程就绪（预热 {seconds:.1f} 秒），监视 {home.inbox} / worker ready (warm in "
        f"{seconds:.1f} s), watching {home.inbox}: settle {args.settle:g} s, poll "
        f"{args.poll:g} s"
    )
    worker.serve(stop, told=lambda outcome: outcome.report())
    err("工作进程已停止 / worker stopped")
    return EXIT_OK


def _told(outcome: RunOutcome | None) -> int:
    return EXIT_OK if outcome is not None and outcome.report() else EXIT_REJECTED


def cmd_evaluate(args: argparse.Namespace, home: Home) -> int:
    """Freeze a quarter's evaluation now; a quarter already frozen stays as it was."""
    period = args.period
    frozen = _frozen_evaluation(home, period)
    if frozen:
        rows, at = frozen
        print(
            f"{period:%Y-%m} 已于 {beijing(at)} 冻结（{rows} 家机构），冻结结果"
            f"不再改写；之后的变化见 marts.evaluation_changes / {period:%Y-%m} was frozen at "
            f"{beijing(at)} ({rows} banks) and is never rewritten; later changes "
            "are in marts.evaluation_changes"
        )
        return EXIT_OK
    outcome = run_refresh(
        home, steps="build", wait_seconds=args.wait, freeze_period=period.isoformat()
    )
    code = _told(outcome)
    if code != EXIT_OK:
        return code
    frozen = _frozen_evaluation(home, period)
    if not frozen:
        err(
            f"{period:%Y-%m} 没有评价结果可冻结（尚无该月数据）/ there is no scorecard for "
            f"{period:%Y-%m} to freeze (no data for that month yet)"
        )
        return EXIT_REJECTED
    print(f"已冻结 frozen: {period:%Y-%m}，{frozen[0]} 家机构 banks → marts.evaluation_results")
    return EXIT_OK


def _frozen_evaluation(home: Home, period: date) -> tuple[int, datetime] | None:
    """How many banks' evaluations of `period` are frozen, and when; None if none are."""
    import duckdb

    if not home.build_db.exists():
        return None
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' "
            "and table_name = 'evaluation_results'"
        ).fetchone()[0]
        if not exists:
            return None
        rows, at = con.execute(
            "select count(*), min(frozen_at) from marts.evaluation_results where period = ?",
            [period],
        ).fetchone()
    finally:
        con.close()
    return (rows, at) if rows else None


# ---------------------------------------------------------------- commands that only read


def cmd_validate(args: argparse.Namespace, home: Home) -> int:
    """Check files with the production rules and registry; write nothing (unless --report)."""
    from exports.findings_report import write_findings_report
    from ingest.reference import load_reference
    from orchestration.settings import (
        gate_settings_from_environment,
        read_limits_from_environment,
    )
    from quality.crossfile import GateContext
    from quality.gate import Gate, gate_files

    missing = [f for f in args.files if not (f.exists() or f.is_symlink())]
    if missing:
        err("找不到文件 / no such file: " + ", ".join(map(str, missing)))
        return EXIT_USAGE
    err(f"检查 {len(args.files)} 个文件 / checking {len(args.files)} file(s) …")
    from warehouse.raw import loan_lookup

    known = _accepted_aggregates(home)
    batch = gate_files(
        Gate(load_reference(), gate_settings_from_environment()),
        [(n, path, path.name) for n, path in enumerate(args.files, start=1)],
        # A claim's loan is looked up in the loans the home has accepted.
        GateContext(known=known, loans=loan_lookup(home, known)) if known is not None else None,
        limits=read_limits_from_environment(),
    )
    result = batch.result
    facts = (
        {}
        if result.facts is None
        else {r["submission_id"]: r for r in result.facts.iter_rows(named=True)}
    )
    failed = 0
    for candidate in batch.candidates:
        sid = candidate.submission_id
        verdict = result.verdicts[sid]
        failed += not verdict.accepted
        fact = facts.get(sid, {})
        what = (
            " · ".join(
                str(x)
                for x in (
                    candidate.submission and f"{candidate.submission.kind.zh} {candidate.kind}",
                    fact.get("bank_code"),
                    fact.get("period") and fact["period"].strftime("%Y-%m"),
                    candidate.submission and f"{candidate.submission.row_count} rows",
                )
                if x
            )
            or "无法识别 unrecognised"
        )
        mark, outcome = ("✔", "通过 passes") if verdict.accepted else ("✘", "不通过 fails")
        print(
            f"{mark} {candidate.file_name} — {what}: {outcome} "
            f"({verdict.errors} errors, {verdict.warnings} warnings)"
        )
        findings = result.findings.filter(result.findings["submission_id"] == sid).sort(
            ["severity", "rule_id", "row_number"], nulls_last=False
        )
        for f in findings.head(args.examples).iter_rows(named=True):
            level = "错误 error" if f["severity"] == "error" else "预警 warning"
            where = " ".join(
                x
                for x in (
                    f["row_number"] and f"行 row {f['row_number']}",
                    f["column"] and f"列 column {f['column']}",
                    f["value"] is not None
                    and f["value"] not in f["message_zh"]
                    and f"值 value {f['value']!r}",
                )
                if x
            )
            print(f"    {level} {f['rule_id']} {where}: {f['message_zh']} / {f['message_en']}")
        hidden = verdict.errors + verdict.warnings - min(args.examples, findings.height)
        if hidden > 0:
            print(f"    … 另有 {hidden} 项 / {hidden} more")
        if args.report and verdict.rules:
            args.report.mkdir(parents=True, exist_ok=True)
            paths = write_findings_report(
                args.report / candidate.file_name, candidate.file_name, findings, verdict.rules
            )
            print(f"    报告 report: {paths[0]}  {paths[1]}")
    print(f"{len(batch.candidates) - failed} 个通过 passed, {failed} 个不通过 failed")
    unmatched = set(
        result.findings.filter(result.findings["rule_id"].is_in(list(COUNTERPART_RULES)))[
            "rule_id"
        ].to_list()
    )
    for rule_id in sorted(unmatched):
        where = (
            f"本数据目录 {home.root} 也没有已接收的"
            if known is not None
            else "没有可查的数据目录，也没有"
        )
        print(
            f"提示 hint ({rule_id}): {where}{COUNTERPART_RULES[rule_id][0]}；请把两个文件一起"
            f"检查 / neither this check nor the home has the {COUNTERPART_RULES[rule_id][1]}: "
            "pass both files, e.g. zhirong validate loans.csv loan_totals.csv"
        )
    return EXIT_REJECTED if failed else EXIT_OK


# The cross-file warnings that fire when a file's counterpart is nowhere to be seen.
COUNTERPART_RULES = {
    "LN-W-033": ("各项贷款文件", "loan totals file"),
    "LT-W-033": ("对公贷款借据文件", "loans file"),
}


def _accepted_aggregates(home: Home):
    """The aggregates of every file the home has accepted (what the gate compares a loans
    file's totals with), or None when the home has no ledger or a run holds it."""
    import duckdb

    from warehouse.ledger import current_aggregates

    if not home.build_db.exists():
        return None
    try:
        con = duckdb.connect(str(home.build_db), read_only=True)
    except duckdb.Error:
        return None
    try:
        return current_aggregates(con)
    except duckdb.Error:
        return None
    finally:
        con.close()


def cmd_sql(args: argparse.Namespace, home: Home) -> int:
    """Run one read-only SELECT on the published warehouse and print only its result."""
    from exports.safety import inert
    from warehouse.publish import version_at
    from warehouse.readonly import QueryLimits, QueryRefused, run_query

    path = home.published_db
    if args.as_of:
        try:
            when = datetime.fromisoformat(args.as_of)
        except ValueError:
            err(f"无法识别的时间 / not a timestamp: {args.as_of!r} (e.g. 2026-11-27T06:00)")
            return EXIT_USAGE
        # Typed by someone in Chongqing: Beijing time unless it says otherwise.
        when = (when if when.tzinfo else when.replace(tzinfo=BEIJING)).astimezone(UTC)
        when = when.replace(tzinfo=None)
        path = version_at(home, when)
        if path is None:
            err(
                f"拒绝 refused: {beijing(when)} 之前没有发布过数据仓库 / "
                f"nothing had been published by {beijing(when)} (Beijing time)"
            )
            return EXIT_REJECTED
    limits = QueryLimits(
        timeout_seconds=args.timeout, max_rows=args.max_rows, memory_limit_bytes=args.memory_limit
    )
    try:
        result = run_query(path, args.query, limits=limits)
    except QueryRefused as refused:
        err(
            f"拒绝 refused: {refused.message_zh} / {refused.message_en}"
            + (f"\n{refused.detail}" if refused.detail else "")
        )
        return EXIT_REJECTED
    out = sys.stdout
    if args.format == "csv":
        # A BOM so Excel reads the Chinese as UTF-8; sent text never becomes a formula.
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([inert(c) for c in result.columns])
        writer.writerows([inert(_csv_value(v)) for v in row] for row in result.rows)
    elif args.format == "json":
        out.write(
            "["
            + ",\n".join(
                "{"
                + ", ".join(
                    f"{json.dumps(c, ensure_ascii=False)}: {_json_value(v)}"
                    for c, v in zip(result.columns, row, strict=True)
                )
                + "}"
                for row in result.rows
            )
            + "]\n"
        )
    elif args.format == "xlsx":
        from exports.query_xlsx import write_query_xlsx

        write_query_xlsx(result.columns, result.types, result.rows, args.query, args.out)
        err(f"已写入 wrote {len(result.rows)} 行 rows → {args.out}")
    else:
        _print_table(result.columns, result.types, result.rows)
    if result.truncated:
        err(
            f"结果超过 {args.max_rows:,} 行，只输出了前 {args.max_rows:,} 行（--max-rows）/ the "
            f"result has more than {args.max_rows:,} rows; only the first {args.max_rows:,} "
            "were written (--max-rows)"
        )
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
        err(str(bad))
        return EXIT_USAGE
    except (ExportError, QueryRefused) as refused:
        err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    out = args.out or home.exports / f"{period:%Y-%m}"
    started = time.monotonic()

    def shown(number: int, total: int, written) -> None:
        print(
            f"[{number:>{len(str(total))}}/{total}] {written.bank_code} {written.bank_name}  "
            + " ".join(p.suffix[1:] for p in written.paths),
            file=sys.stderr,
        )

    try:
        written = write_packs(
            ScorecardSource(home.published_db, period),
            out,
            banks=None if args.all else args.bank,
            formats=formats,
            progress=shown,
        )
    except (ExportError, FontMissing, QueryRefused) as refused:
        err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    print(
        f"{len(written)} 家机构的得分卡已写入 / packs for {len(written)} banks written to "
        f"{out} ({period:%Y-%m}, {', '.join(formats)}) · 用时 took "
        f"{time.monotonic() - started:.1f} s"
    )
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
        err(str(bad))
        return EXIT_USAGE
    except (ExportError, QueryRefused) as refused:
        err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    print(f"监管汇总工作簿 / regulator workbook: {path}")
    return EXIT_OK


def _export_period(args: argparse.Namespace, home: Home) -> date:
    """--period (a month-end already), or the latest quarter-end published."""
    from exports.scorecard import latest_quarter_end

    return args.period or latest_quarter_end(home.published_db)


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


def _print_table(columns: list[str], types: list[str], rows: list[tuple]) -> None:
    """The result fitted to the terminal (the middle columns elided when it is too wide)."""
    import shutil

    from orchestration.terminal import render

    shown = rows[:TABLE_ROW_LIMIT]
    for line in render(columns, types, shown, shutil.get_terminal_size((140, 40)).columns):
        print(line)
    if len(rows) > len(shown):
        print(
            f"… 另有 {len(rows) - len(shown)} 行未显示 / {len(rows) - len(shown)} more rows "
            "(use --format csv or xlsx for all)"
        )
    print(f"({len(rows)} 行 rows)")


def cmd_rules(args: argparse.Namespace, home: Home) -> int:
    """Print the rule catalogue."""
    from orchestration.settings import (
        gate_settings_from_environment,
        read_limits_from_environment,
    )
    from quality.catalogue import render_markdown, render_rule
    from quality.rules import RULES_BY_ID

    if args.rule:
        print(render_rule(RULES_BY_ID[args.rule.strip().upper()]), end="")
        return EXIT_OK
    print(render_markdown(gate_settings_from_environment(), read_limits_from_environment()), end="")
    return EXIT_OK


def cmd_dictionary(args: argparse.Namespace, home: Home) -> int:
    """Print the data dictionary of the published warehouse."""
    from warehouse.dictionary import render_markdown
    from warehouse.readonly import QueryRefused

    try:
        print(render_markdown(home.published_db), end="")
    except QueryRefused as refused:
        err(f"拒绝 refused: {refused}")
        return EXIT_REJECTED
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, home: Home) -> int:
    """Run the filing service on `home` until interrupted; one process per home."""
    import fcntl

    import uvicorn

    from service.app import ServiceSettings, create_app

    home.service.mkdir(parents=True, exist_ok=True)
    lock = open(home.service / "serve.lock", "w")  # noqa: SIM115 — held for the process's life
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        err(
            f"拒绝 refused: 数据目录 {home.root} 已有报送服务在运行 / a filing service is "
            f"already running on {home.root}"
        )
        return EXIT_REJECTED
    err("准备校验规则 / building the gate …")
    clock = time.perf_counter()
    app = create_app(home, ServiceSettings(secure_cookies=args.secure_cookies))
    err(
        f"就绪 ready in {time.perf_counter() - clock:.1f} s: http://{args.host}:{args.port}/ "
        f"(API http://{args.host}:{args.port}/api/v1, 文档 docs /docs)"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=True)
    return EXIT_OK


def cmd_users(args: argparse.Namespace, home: Home) -> int:
    """Add, list, disable or reset filing-service accounts."""
    from service.accounts import AccountError, Accounts

    accounts = Accounts(home.accounts_db)
    try:
        if args.action == "list":
            for a in accounts.all():
                state = "停用 disabled" if a.disabled else "启用 enabled"
                print(
                    f"{a.name:<24} {a.role:<10} {a.reporter or '-':<24} {state}  "
                    f"{beijing(a.created_at)}"
                )
            return EXIT_OK
        if args.action == "disable":
            accounts.disable(args.name)
            print(f"已停用 disabled: {args.name}")
            return EXIT_OK
        made = (
            accounts.add(args.name, args.role, args.reporter)
            if args.action == "add"
            else accounts.reset(args.name)
        )
    except AccountError as refused:
        err(f"拒绝 refused: {refused}")
        return EXIT_USAGE
    print(f"账户 account: {made.name}")
    print(f"密码 password (网页 web pages): {made.password}")
    print(f"令牌 token (API, Authorization: Bearer): {made.token}")
    err(
        "只显示这一次，请妥善交给账户持有人 / shown this once only: hand it to the account's "
        "holder safely"
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace, home: Home) -> int:
    """Where the home is, what was received, and what is published; with --period, who
    owed that month's files and where each stands."""
    import duckdb

    from warehouse import ledger

    if args.period:
        return _filing_status(home, args.period)

    print(f"home:       {home.root}")
    print(f"inbox:      {home.inbox} ({len(_waiting(home))} 个文件等待 files waiting)")
    pending = "" if home.published_db.exists() else " (尚未发布 not yet)"
    print(f"published:  {home.published_db}{pending}")
    if home.published_db.exists():
        con = duckdb.connect(str(home.published_db), read_only=True)
        try:
            when = con.execute("select max(published_at) from meta.publication").fetchone()[0]
            print(f"            发布于 published at {beijing(when)}")
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
        for kind, status, files, rows in ledger.summary(con):
            print(f"  {kind:<16} {status:<11} {files:>6} files {rows:>12,} rows")
        print("latest 最近:")
        for sid, name, status, errors, at in ledger.latest(con):
            print(f"  #{sid} {name} {status} ({errors} errors) {beijing(at)}")
    finally:
        con.close()
    return EXIT_OK


def _filing_status(home: Home, period: date) -> int:
    """Print marts.filing_status for one month: the banks missing or late first."""
    import duckdb

    from exports.labels import FILING_STATES

    if not home.published_db.exists():
        err("尚未发布，无报送状态 / nothing is published yet: run zhirong refresh")
        return EXIT_REJECTED
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        rows = con.execute(
            "select filing_state, bank_code, coalesce(bank_name, ''), kind, due_date, "
            "first_received_at, is_expected, as_of from marts.filing_status where period = ? "
            "order by bank_code, kind",
            [period],
        ).fetchall()
    finally:
        con.close()
    if not rows:
        err(f"{period:%Y-%m} 没有应报或收到的文件 / no filing owed or received for {period:%Y-%m}")
        return EXIT_REJECTED
    expected = sum(1 for r in rows if r[6])
    print(
        f"{period:%Y-%m} 报送状态 filing status (as of {rows[0][7]:%Y-%m-%d}, "
        f"截止 due {rows[0][4]:%Y-%m-%d}): 应报 {expected} files owed"
    )
    for state, (zh, en) in FILING_STATES.items():
        label = f"{zh} {en}"
        chosen = [r for r in rows if r[0] == state]
        print(f"  {label}: {len(chosen)}")
        if state == "on_time":
            continue
        banks: dict[tuple[str, str], list[str]] = {}
        for _, bank, name, kind, _, first, is_expected, _ in chosen:
            when = f" 收到 received {beijing(first)}" if first else ""
            extra = "" if is_expected else " (未登记为应报 not an expected filer)"
            banks.setdefault((bank, name), []).append(f"{kind}{when}{extra}")
        for (bank, name), kinds in banks.items():
            print(f"    {bank} {name}: {'; '.join(kinds)}")
    return EXIT_OK


def _waiting(home: Home) -> list[Path]:
    from orchestration.intake import inbox_files

    return inbox_files(home)


if __name__ == "__main__":
    console()
