"""The submission ledger, `audit.*`: the one module that defines, writes and queries it.

Every file ever received has a row in `audit.submissions` (accepted, rejected, superseded
or duplicate), its findings in `audit.findings` and `audit.finding_counts`, and, once
accepted, its figures in `audit.file_aggregates`. The life of a file is written in three
commits, so that a crash anywhere leaves something the next run can settle:

1. `reserve` — ids are handed out from a committed counter (never `max + 1`, so a crash
   can never hand one out twice) together with a *claim* per file: where it comes from,
   where it will be kept, and how (moved out of the inbox, or copied).
2. `record` — one transaction: the files' ledger rows, findings, counts and aggregates,
   supersession, and the claims released. Only now are the files' raw rows made visible.
3. `release` — claims still held after the commit (a copy whose inbox original is removed
   only now) are let go once their last step is done.

A claim without a ledger row is a file in flight when a run died; `orchestration.recovery`
puts it back where it came from."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from warehouse.received import printable

ACCEPTED, REJECTED, SUPERSEDED, DUPLICATE = "accepted", "rejected", "superseded", "duplicate"
STATUSES = (ACCEPTED, REJECTED, SUPERSEDED, DUPLICATE)
# The ledger's own bookkeeping, not published with the warehouse.
UNPUBLISHED = {("audit", "claims"), ("audit", "id_counter")}

DDL = """
create schema if not exists audit;
create table if not exists audit.submissions (
    submission_id bigint primary key,
    file_name varchar not null,
    stored_path varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    kind varchar,
    reporter varchar,
    period date,
    submitted_at timestamp,
    received_at timestamp not null,
    status varchar not null,
    row_count bigint,
    error_count bigint not null,
    warning_count bigint not null,
    ruleset_version varchar not null,
    duplicate_of bigint,
    superseded_by bigint,
    superseded_at timestamp,
    run_id varchar
);
alter table audit.submissions add column if not exists run_id varchar;
alter table audit.submissions add column if not exists filing_id bigint;
alter table audit.submissions add column if not exists filed_by varchar;
alter table audit.submissions add column if not exists signed_by varchar;
alter table audit.submissions add column if not exists signed_at timestamp;
create table if not exists audit.findings (
    submission_id bigint not null,
    rule_id varchar not null,
    severity varchar not null,
    row_number bigint,
    "column" varchar,
    value varchar,
    message_zh varchar not null,
    message_en varchar not null
);
create table if not exists audit.finding_counts (
    submission_id bigint not null,
    rule_id varchar not null,
    severity varchar not null,
    occurrences bigint not null
);
create table if not exists audit.file_aggregates (
    submission_id bigint not null,
    kind varchar not null,
    bank_code varchar,
    period date,
    corporate_loans double,
    mfg_loans double
);
create table if not exists audit.id_counter (
    next_submission_id bigint not null
);
create table if not exists audit.claims (
    submission_id bigint primary key,
    -- As people read it, and as the file system spells it (a name need not be UTF-8).
    source_path varchar not null,
    source_bytes blob not null,
    stored_path varchar not null,
    how varchar not null,
    claimed_at timestamp not null,
    run_id varchar
);
create table if not exists audit.recoveries (
    recovered_at timestamp not null,
    action varchar not null,
    submission_id bigint,
    path varchar,
    detail varchar not null
);
"""


@dataclass(frozen=True)
class Claim:
    """A file being taken in: its reserved id, where it comes from and where it goes."""

    submission_id: int
    source: Path
    stored: Path
    how: str


@dataclass(frozen=True)
class Rejection:
    """A rejected file of a run (or a resent copy of one) and its first errors."""

    submission_id: int
    file_name: str
    errors: int
    same_bytes_as: int | None
    findings: list[str]
    # Where the judged file is kept (its findings report sits beside it).
    stored: Path | None = None


@dataclass(frozen=True)
class RunOutcome:
    """What one run did to the ledger."""

    accepted: int
    rejected: int
    duplicates: int
    warnings: int
    rejections: list[Rejection]


# The data dictionary of the published ledger tables (contract §5): 中文 / English.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "submissions": {
        "": "收到的每一个文件一行 / One row per file ever received.",
        "submission_id": "报送编号，收到时分配，永不复用 / Submission id, given on receipt, "
        "never reused.",
        "file_name": "文件名（按发送方原样）/ File name as sent.",
        "stored_path": "文件在 received/ 下的保存位置 / Where the file is kept under received/.",
        "sha256": "文件内容的 SHA-256 / SHA-256 of the file's bytes.",
        "size_bytes": "文件大小（字节）/ Size in bytes.",
        "kind": "文件类型（由表头识别）/ Kind, told from the headers.",
        "reporter": "报送主体（银行代码、基金管理人等）/ Reporter: bank code, fund manager, ….",
        "period": "报告期（月末）/ Reporting period (month-end).",
        "submitted_at": "文件修改时间（UTC，由发送方决定，仅供参考）/ The file's modification "
        "time, UTC — set by the sender, for information only.",
        "received_at": "收到时间（UTC，数据仓库时钟：首次在收件箱看到该内容的时间）/ Receipt "
        "time, UTC, by the warehouse's clock: when these bytes were first seen.",
        "status": "状态：accepted 已接收, rejected 已退回, superseded 已被重报替代, duplicate "
        "重复 / Status.",
        "row_count": "数据行数 / Data rows.",
        "error_count": "错误条数 / Errors found.",
        "warning_count": "预警条数 / Warnings found.",
        "ruleset_version": "校验规则版本 / Ruleset version it was checked with.",
        "duplicate_of": "与之字节相同的原报送编号 / The submission with the same bytes.",
        "superseded_by": "替代它的报送编号 / The submission that superseded it.",
        "superseded_at": "被替代时间（UTC）/ When it was superseded, UTC.",
        "run_id": "处理它的运行编号 / The run that took it in.",
        "filing_id": "报送服务中的报送编号（经报送服务提交时）/ The filing service's submission "
        "id, when it came through the service.",
        "filed_by": "上传该文件的报送服务账户 / The filing-service account that uploaded it.",
        "signed_by": "签署该文件的账户（有错误的文件不签署）/ The account that signed it (a file "
        "with errors is not signed).",
        "signed_at": "签署时间（UTC，服务器时钟）/ When it was signed, UTC, by the server's clock.",
    },
    "findings": {
        "": "每条校验发现一行（每个文件每条规则最多 1,000 条示例）/ One row per finding "
        "(up to 1,000 examples per rule and file).",
        "submission_id": "报送编号 / Submission id.",
        "rule_id": "规则编号（见 docs/rules.md）/ Rule id (docs/rules.md).",
        "severity": "严重程度：error 错误（退回）, warning 预警 / Severity.",
        "row_number": "行号（按报送方文件中的行）/ Row number as the bank sees it in its file.",
        "column": "列名（按报送方的表头）/ Column as the bank named it.",
        "value": "报送的取值或计算的依据 / The value sent, or what the rule computed.",
        "message_zh": "说明（中文）/ Message in Chinese.",
        "message_en": "说明（英文）/ Message in English.",
    },
    "finding_counts": {
        "": "每个文件每条触发的规则一行：全部次数 / One row per file × rule that fired: the full "
        "count.",
        "submission_id": "报送编号 / Submission id.",
        "rule_id": "规则编号 / Rule id.",
        "severity": "严重程度 / Severity.",
        "occurrences": "触发次数 / How many times it fired.",
    },
    "file_aggregates": {
        "": "每个被接收文件一行：跨文件核对所用的合计 / One row per accepted file: the totals "
        "cross-file rules compare.",
        "submission_id": "报送编号 / Submission id.",
        "kind": "文件类型 / Kind.",
        "bank_code": "金融机构代码 / Bank code.",
        "period": "报告期 / Reporting period.",
        "corporate_loans": "对公贷款合计（元）/ Corporate loans, in 元.",
        "mfg_loans": "制造业贷款合计（元）/ Manufacturing loans, in 元.",
    },
    "recoveries": {
        "": "崩溃后恢复所做的每一步 / Every step a recovery after a crash took.",
        "recovered_at": "恢复时间（UTC）/ When, UTC.",
        "action": "所做操作 / What was done.",
        "submission_id": "涉及的报送编号 / The submission concerned.",
        "path": "涉及的文件 / The file concerned.",
        "detail": "说明 / Detail.",
    },
}


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ledger's tables (and columns added since) if they are missing, with their
    descriptions."""
    con.execute(DDL)
    described = dict(
        ((t, c), d)
        for t, c, d in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where schema_name = "
            "'audit' and database_name = current_database()"
        ).fetchall()
    )
    described.update(
        ((t, ""), d)
        for t, d in con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'audit' and "
            "database_name = current_database()"
        ).fetchall()
    )
    for table, columns in DESCRIPTIONS.items():
        for column, text in columns.items():
            if described.get((table, column)) == text:
                continue  # a comment is a catalogue write: only when it changed
            quoted = text.replace("'", "''")
            target = f"table audit.{table}" if not column else f'column audit.{table}."{column}"'
            con.execute(f"comment on {target} is '{quoted}'")


def _next_free_id(con: duckdb.DuckDBPyConnection) -> int:
    """The counter's value, or — in a ledger from before the counter — one past every id
    the ledger, its claims or the raw store could hold."""
    counter = con.execute("select max(next_submission_id) from audit.id_counter").fetchone()[0]
    used = con.execute(
        """
        select greatest(
            (select coalesce(max(submission_id), 0) from audit.submissions),
            (select coalesce(max(submission_id), 0) from audit.claims)
        ) + 1
        """
    ).fetchone()[0]
    return max(counter or 0, used)


def reserve(
    con: duckdb.DuckDBPyConnection,
    sources: list[tuple[Path, str]],
    place: Callable[[int, Path], Path],
    at: datetime,
    run_id: str | None,
    floor: int = 1,
) -> list[Claim]:
    """Hand out one id per source — (path, how it is kept) — and commit the claims:
    `place(submission_id, path)` says where each is kept. `floor` is the lowest id allowed
    (one past any id the raw store holds). Committed before any file moves; an id is never
    handed out again, whatever happens next."""
    if not sources:
        return []
    con.execute("begin transaction")
    try:
        first = max(_next_free_id(con), floor)
        claims = [
            Claim(first + n, path, place(first + n, path), how)
            for n, (path, how) in enumerate(sources)
        ]
        con.execute("delete from audit.id_counter")
        con.execute("insert into audit.id_counter values (?)", [first + len(claims)])
        con.executemany(
            "insert into audit.claims values (?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    c.submission_id,
                    printable(str(c.source)),
                    os.fsencode(c.source),
                    str(c.stored),
                    c.how,
                    at,
                    run_id,
                ]
                for c in claims
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return claims


def amend_claims(con: duckdb.DuckDBPyConnection, changed: list[Claim]) -> None:
    """Record how claims were actually carried out (a move that had to become a copy)."""
    for claim in changed:
        con.execute(
            "update audit.claims set how = ? where submission_id = ?",
            [claim.how, claim.submission_id],
        )


def record(
    con: duckdb.DuckDBPyConnection,
    entries: pl.DataFrame,
    findings: pl.DataFrame,
    counts: pl.DataFrame,
    aggregates: pl.DataFrame,
    at: datetime,
    keep_claims: list[int] | None = None,
) -> None:
    """Write a batch's ledger rows, findings, counts and accepted files' aggregates, apply
    supersession and release the batch's claims (all but `keep_claims`) — one
    transaction: all of it or none."""
    accepted = entries.filter(pl.col("status") == ACCEPTED)["submission_id"].to_list()
    con.execute("begin transaction")
    try:
        _append(con, "audit.submissions", entries)
        _append(con, "audit.findings", findings)
        _append(con, "audit.finding_counts", counts)
        if not aggregates.is_empty():
            _append(
                con,
                "audit.file_aggregates",
                aggregates.filter(pl.col("submission_id").is_in(accepted)),
            )
        _supersede(con, at)
        released = sorted(set(entries["submission_id"].to_list()) - set(keep_claims or []))
        con.execute(
            "delete from audit.claims where submission_id in (select unnest(?))", [released]
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def release(con: duckdb.DuckDBPyConnection, submission_ids: list[int]) -> None:
    """Let go of claims whose last step (removing an inbox original) is done."""
    if submission_ids:
        con.execute(
            "delete from audit.claims where submission_id in (select unnest(?))", [submission_ids]
        )


def log_recovery(
    con: duckdb.DuckDBPyConnection,
    at: datetime,
    action: str,
    detail: str,
    submission_id: int | None = None,
    path: Path | None = None,
) -> None:
    """Note what recovery did, for the operator."""
    con.execute(
        "insert into audit.recoveries values (?, ?, ?, ?, ?)",
        [at, action, submission_id, None if path is None else str(path), detail],
    )


def _supersede(con: duckdb.DuckDBPyConnection, at: datetime) -> None:
    """The newest accepted file for a kind, reporter and period replaces earlier accepted ones;
    the earlier ones are kept, marked superseded."""
    con.execute(
        """
        update audit.submissions as earlier
        set status = ?, superseded_by = latest.submission_id, superseded_at = ?
        from (
            select kind, reporter, period, max(submission_id) as submission_id
            from audit.submissions
            where status = ?
            group by kind, reporter, period
            having count(*) > 1
        ) as latest
        where earlier.status = ?
          and earlier.kind = latest.kind
          and earlier.reporter = latest.reporter
          and earlier.period = latest.period
          and earlier.submission_id < latest.submission_id
        """,
        [SUPERSEDED, at, ACCEPTED, ACCEPTED],
    )


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Insert `frame` into `table`, matching columns by name (Arrow hand-off, no copy)."""
    if frame.is_empty():
        return
    # DuckDB reads `frame` from this scope (a replacement scan): nothing to unregister, so
    # a failed insert surfaces as itself, not as an aborted transaction.
    con.execute(f"insert into {table} by name select * from frame")


# ---------------------------------------------------------------- what others ask of it


def claims(con: duckdb.DuckDBPyConnection) -> list[tuple[Claim, bool]]:
    """Every claim still held, and whether the ledger recorded its file."""
    rows = con.execute(
        """
        select c.submission_id, c.source_bytes, c.stored_path, c.how,
               s.submission_id is not null
        from audit.claims as c
        left join audit.submissions as s using (submission_id)
        order by c.submission_id
        """
    ).fetchall()
    return [
        (Claim(sid, Path(os.fsdecode(source)), Path(stored), how), recorded)
        for sid, source, stored, how, recorded in rows
    ]


def current_aggregates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per-file aggregates of every currently accepted file (what cross-file rules compare a
    new file with)."""
    query = """
        select a.submission_id, a.kind, a.bank_code, a.period, a.corporate_loans, a.mfg_loans
        from audit.file_aggregates as a
        inner join audit.submissions as s using (submission_id)
        where s.status = ?
    """
    return pl.from_arrow(con.sql(query, params=[ACCEPTED]).to_arrow_table())


def originals_of(con: duckdb.DuckDBPyConnection, sha256s: list[str]) -> dict[str, int]:
    """For each fingerprint already in the ledger, the submission that first brought it."""
    rows = con.execute(
        """
        select sha256, min(submission_id)
        from audit.submissions
        where sha256 in (select unnest(?::varchar[])) and status <> ?
        group by sha256
        """,
        [sha256s, DUPLICATE],
    ).fetchall()
    return dict(rows)


def statuses(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, str | None]]:
    """Every submission's status and kind."""
    rows = con.execute("select submission_id, status, kind from audit.submissions").fetchall()
    return {sid: (status, kind) for sid, status, kind in rows}


def in_raw_store(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(submission id, kind) of every file whose rows belong in the raw store."""
    return con.execute(
        "select submission_id, kind from audit.submissions where status in (?, ?) "
        "order by submission_id",
        [ACCEPTED, SUPERSEDED],
    ).fetchall()


def with_findings(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, Path]]:
    """(submission id, name as sent, kept path) of every file that has findings."""
    rows = con.execute(
        """
        select s.submission_id, s.file_name, s.stored_path
        from audit.submissions as s
        where s.status <> ?
          and exists (select 1 from audit.finding_counts as c
                      where c.submission_id = s.submission_id)
        order by s.submission_id
        """,
        [DUPLICATE],
    ).fetchall()
    return [(sid, name, Path(stored)) for sid, name, stored in rows]


def findings_of(
    con: duckdb.DuckDBPyConnection, submission_id: int
) -> tuple[pl.DataFrame, dict[str, int]]:
    """A file's recorded findings and every rule's full count."""
    findings = pl.from_arrow(
        con.sql(
            "select * from audit.findings where submission_id = ?", params=[submission_id]
        ).to_arrow_table()
    )
    counts = dict(
        con.execute(
            "select rule_id, occurrences from audit.finding_counts where submission_id = ?",
            [submission_id],
        ).fetchall()
    )
    return findings, counts


def stray_rows(con: duckdb.DuckDBPyConnection, kinds, submission_ids: list[int]) -> dict[str, int]:
    """Rows in each raw table from `submission_ids` whose file is not (or no longer)
    accepted: must be none."""
    if not submission_ids:
        return {}
    return {
        kind: con.execute(
            f"""
            select count(*)
            from raw.{kind} as r
            left join audit.submissions as s using (submission_id)
            where r.submission_id in (select unnest(?::bigint[]))
              and coalesce(s.status, '') not in (?, ?)
            """,
            [submission_ids, ACCEPTED, SUPERSEDED],
        ).fetchone()[0]
        for kind in kinds
    }


def run_outcome(con: duckdb.DuckDBPyConnection, run_id: str) -> RunOutcome:
    """What run `run_id` did: files by status, warnings, and every rejected file (or resent
    copy of a rejected file) with its first five errors."""
    counts = dict(
        con.execute(
            "select status, count(*) from audit.submissions where run_id = ? group by status",
            [run_id],
        ).fetchall()
    )
    warnings = con.execute(
        "select coalesce(sum(warning_count), 0) from audit.submissions where run_id = ?",
        [run_id],
    ).fetchone()[0]
    rows = con.execute(
        """
        -- A resent copy of a rejected file is a duplicate of it, and still rejected.
        with latest as (
            select s.submission_id, s.file_name,
                   coalesce(original.submission_id, s.submission_id) as judged_id
            from audit.submissions as s
            left join audit.submissions as original
                on original.submission_id = s.duplicate_of
            where s.run_id = ?
              and (s.status = ? or original.status = ?)
        )
        select latest.submission_id, latest.file_name, latest.judged_id, judged.error_count,
               judged.stored_path,
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
        [run_id, REJECTED, REJECTED],
    ).fetchall()
    rejections = [
        Rejection(
            sid,
            name,
            errors,
            judged if judged != sid else None,
            [f for f in findings or [] if f],
            Path(stored),
        )
        for sid, name, judged, errors, stored, findings in rows
    ]
    return RunOutcome(
        accepted=counts.get(ACCEPTED, 0) + counts.get(SUPERSEDED, 0),
        rejected=len(rejections),
        duplicates=counts.get(DUPLICATE, 0),
        warnings=int(warnings),
        rejections=rejections,
    )


def size(con: duckdb.DuckDBPyConnection) -> int:
    """How many files the ledger holds."""
    return con.execute("select count(*) from audit.submissions").fetchone()[0]


def summary(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, int]]:
    """Files and rows by kind and status, for `zhirong status`."""
    return con.execute(
        "select coalesce(kind, '(unreadable)'), status, count(*), coalesce(sum(row_count), 0) "
        "from audit.submissions group by all order by 1, 2"
    ).fetchall()


def latest(con: duckdb.DuckDBPyConnection, limit: int = 5) -> list[tuple]:
    """The newest ledger rows: id, name, status, errors, received_at."""
    return con.execute(
        "select submission_id, file_name, status, error_count, received_at "
        "from audit.submissions order by submission_id desc limit ?",
        [limit],
    ).fetchall()
