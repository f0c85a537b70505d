"""The regulator's workbook: every bank ranked with its grade, the city's metrics over time,
plan progress, each bank's data-quality record, and the plan's money (subsidies, bridge
loans, risk sharing, rewards, the white-list pipeline) — for the regulator, so banks are
named."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from exports.formatting import beijing, text
from exports.labels import CODE_WORDS, FILING_STATES, columns
from exports.pack_xlsx import Styles
from exports.printing import column_width, set_up_page, wrapped_lines
from exports.safety import XLSX_OPTIONS
from exports.scorecard import ExportError, read_frame
from warehouse.readonly import connect_published

RANKING = columns(
    "rank_city",
    "bank_code",
    "bank_name",
    "bank_type",
    "peer_group",
    "rank_in_peer_group",
    "composite_score",
    "grade",
    "growth_gap",
    "growth_gap_score",
    "mfg_loan_share",
    "mfg_loan_share_score",
    "mfg_mlt_share_yoy_change",
    "mlt_share_change_score",
    "mfg_credit_share_yoy_change",
    "credit_share_change_score",
    "data_quality_score",
    "is_graded",
    "not_graded_reason",
    "missing_indicators",
    "zeroed_indicators",
    "weights_version",
)
CITY = columns(
    "period",
    "total_loans",
    "mfg_loans",
    "mfg_mlt_loans",
    "mfg_credit_loans",
    "mfg_loan_share",
    "mfg_mlt_share",
    "mfg_credit_share",
    "mfg_loans_yoy_growth",
    "total_loans_yoy_growth",
    "growth_gap",
    "mfg_loans_ytd_increment",
    "mfg_mlt_loans_yoy_growth",
    "mfg_credit_loans_yoy_growth",
    "mfg_loans_ytd_increment_yoy_change",
    "mfg_new_loans",
    "mfg_loans_avg_annual_growth",
    "total_loans_avg_annual_growth",
    "banks_reporting",
    "banks_in_share",
    "banks_in_yoy",
)
QUALITY = columns(
    "bank_code",
    "bank_name",
    "files",
    "accepted",
    "superseded",
    "rejected",
    "duplicate",
    "warnings",
    "rejected_files",
    "resubmissions",
    "late_files",
    "missing_files",
    "data_quality_score",
)
COMPLETENESS = columns(
    "bank_code",
    "bank_name",
    "kind_name",
    "filing_state",
    "due_date",
    "first_received_at",
    "latest_received_at",
    "files_received",
)
CHANGES = columns(
    "period",
    "bank_code",
    "bank_name",
    "frozen_at",
    "frozen_composite_score",
    "live_composite_score",
    "frozen_grade",
    "live_grade",
    "frozen_rank_city",
    "live_rank_city",
    "caused_by_submissions",
)
# The plan's money (四、 and 五、): one sheet per mart, years (or months) up to the period.
MONEY = (
    (
        "贴息",
        "marts.interest_subsidies",
        "select * from marts.interest_subsidies where year <= year(cast(? as date)) "
        "order by year, claim_id",
        "技改专项贷贴息（每个申请一行；同一企业项目每年不超过 1000 万元）",
        columns(
            "year",
            "claim_id",
            "enterprise_name",
            "project_name",
            "bank_name",
            "loan_id",
            "loan_amount",
            "actual_rate",
            "interest_paid",
            "is_eligible",
            "not_eligible_reason",
            "subsidy_rate",
            "computed_subsidy",
            "subsidy_due",
            "binding_limit",
            "project_year_subsidy",
            "rules_version",
        ),
    ),
    (
        "担保费补助",
        "marts.guarantee_fee_subsidies",
        "select * from marts.guarantee_fee_subsidies where year <= year(cast(? as date)) "
        "order by year, guarantor_name",
        "担保费补助（每家担保机构每年一行；费率不超过 1%，补助 50%，每年不超过 100 万元）",
        columns(
            "year",
            "guarantor_name",
            "claims",
            "eligible_claims",
            "not_eligible_claims",
            "fees_paid",
            "eligible_fees_paid",
            "computed_subsidy",
            "subsidy_due",
            "is_capped",
            "rules_version",
        ),
    ),
    (
        "应急转贷",
        "marts.bridge_loans",
        "select * from marts.bridge_loans where year(start_date) <= year(cast(? as date)) "
        "order by start_date, bridge_id",
        "应急转贷（每笔一行；上限 3000 万元，双百企业 8000 万元；专精特新免收使用费）",
        columns(
            "bridge_id",
            "enterprise_name",
            "bank_name",
            "amount",
            "start_date",
            "end_date",
            "days",
            "is_large_private",
            "cap_amount",
            "is_within_cap",
            "amount_over_cap",
            "is_fee_waived",
            "fee_due",
            "fee_charged",
            "fee_overcharged",
            "rules_version",
        ),
    ),
    (
        "风险分担",
        "marts.risk_sharing",
        "select * from marts.risk_sharing where year <= year(cast(? as date)) "
        "order by compensation_date, case_id, party_order",
        "代偿风险分担（每个案件每个分担方一行；直保 : 再担 : 国担基金 : 银行 = 4 : 2 : 2 : 2）",
        columns(
            "year",
            "case_id",
            "compensation_date",
            "bank_name",
            "loan_id",
            "loss_amount",
            "party_name",
            "bearer",
            "share",
            "amount",
            "rules_version",
        ),
    ),
    (
        "分担汇总",
        "marts.risk_sharing_by_year",
        "select * from marts.risk_sharing_by_year where year <= year(cast(? as date)) "
        "order by year, party_order",
        "代偿风险分担汇总（每个分担方每年一行）",
        columns("year", "party_name", "cases", "losses", "amount"),
    ),
    (
        "奖励",
        "marts.policy_rewards",
        "select * from marts.policy_rewards where year <= year(cast(? as date)) "
        "order by year, reward_type, enterprise_name, basis_date",
        "瞪羚、独角兽首次基金融资奖励与上市奖补（每家企业每项奖励一行）",
        columns(
            "year",
            "enterprise_name",
            "reward_type",
            "reward_basis",
            "basis_date",
            "basis_amount",
            "computed_reward",
            "reward_due",
            "is_capped",
            "rewards_version",
        ),
    ),
    (
        "白名单推送",
        "marts.whitelist_pipeline",
        "select * from marts.whitelist_pipeline where pushed_on <= ? order by pushed_on, push_id",
        "融资需求白名单推送进度（每个推送一行：到达各阶段的日期与推送至放款天数）",
        columns(
            "push_id",
            "enterprise_name",
            "bank_name",
            "pushed_on",
            "contacted_on",
            "approved_on",
            "disbursed_on",
            "furthest_stage",
            "disbursed_amount",
            "days_to_loan",
        ),
    ),
    (
        "白名单按银行",
        "marts.whitelist_pipeline_by_bank",
        "select * from marts.whitelist_pipeline_by_bank where period <= ? "
        "order by period desc, bank_code",
        "白名单推送按银行按月汇总（最近月份在前）",
        columns(
            "period",
            "bank_code",
            "bank_name",
            "pushed",
            "contacted",
            "approved",
            "disbursed",
            "median_days_to_loan",
        ),
    ),
)
# A state the regulator acts on first.
STATE_ORDER = {state: n for n, state in enumerate(FILING_STATES)}
STATE_NAMES = {state: zh for state, (zh, _) in FILING_STATES.items()}


def write_regulator_workbook(db: Path, period: date, path: Path) -> Path:
    """Write the workbook for `period` to `path` (complete, or not at all)."""
    con = connect_published(db)
    try:
        ranking = read_frame(
            con,
            "select * from marts.bank_scorecard where period = ? "
            "order by rank_city nulls last, bank_code",
            [period],
        )
        if ranking.is_empty():
            raise ExportError(f"{period:%Y-%m} 没有得分卡数据 / no scorecard for {period:%Y-%m}")
        city = read_frame(
            con, "select * from marts.city_loan_metrics where period <= ? order by period", [period]
        )
        progress = (
            read_frame(con, "select * from marts.plan_target_progress")
            if _has_table(con, "marts.plan_target_progress")
            else None
        )
        quality = read_frame(
            con,
            """
            select
                card.bank_code, card.bank_name,
                count(s.submission_id) as files,
                count(*) filter (where s.status = 'accepted') as accepted,
                count(*) filter (where s.status = 'superseded') as superseded,
                count(*) filter (where s.status = 'rejected') as rejected,
                count(*) filter (where s.status = 'duplicate') as duplicate,
                coalesce(sum(s.warning_count), 0) as warnings,
                card.rejected_files, card.resubmissions, card.late_files,
                card.missing_files, card.data_quality_score
            from marts.bank_scorecard as card
            left join audit.submissions as s
                on s.reporter = card.bank_code and s.period <= card.period
            where card.period = ?
            group by all
            order by card.bank_code""",
            [period],
        )
        completeness = read_frame(
            con,
            "select * from marts.filing_status where period = ? "
            "and (is_expected or files_received > 0)",
            [period],
        )
        changes = read_frame(
            con, "select * from marts.evaluation_changes order by period desc, bank_code"
        )
        money = {
            sheet: read_frame(con, sql, [period]) if _has_table(con, table) else None
            for sheet, table, sql, _, _ in MONEY
        }
        comments = dict(
            con.sql(
                "select column_name, first(comment order by table_name) from duckdb_columns() "
                "where schema_name = 'marts' and comment is not null group by column_name"
            ).fetchall()
        )
    finally:
        con.close()
    completeness = completeness.with_columns(
        pl.col("filing_state").replace_strict(STATE_ORDER).alias("_order"),
        pl.col("filing_state").replace_strict(STATE_NAMES),
    ).sort("_order", "bank_code", "kind")
    staged = path.with_name(f".{path.name}.partial")
    try:
        book = xlsxwriter.Workbook(str(staged), XLSX_OPTIONS)
        styles = Styles(book)
        _table_sheet(
            book.add_worksheet("银行排名"),
            styles,
            ranking,
            RANKING,
            f"{period:%Y-%m} 督导评价排名（全部机构）",
        )
        city_sheet = book.add_worksheet("全市指标")
        _table_sheet(city_sheet, styles, city, CITY, "全市制造业贷款指标（逐月）")
        _city_chart(book, city_sheet, len(city))
        progress_sheet = book.add_worksheet("规划进度")
        if progress is None:
            progress_sheet.write_string(
                0, 0, "规划目标进度（marts.plan_target_progress）尚未建立。"
            )
        else:
            _progress_sheet(progress_sheet, styles, progress)
        _table_sheet(
            book.add_worksheet("数据质量"),
            styles,
            quality,
            QUALITY,
            f"各机构报送数据质量（截至 {period:%Y-%m}）",
        )
        _table_sheet(
            book.add_worksheet("报送完整性"),
            styles,
            completeness,
            COMPLETENESS,
            f"{period:%Y-%m} 应报文件与报送状态（缺报在前；收到时间为数据仓库时钟）",
        )
        _table_sheet(
            book.add_worksheet("评价变更"),
            styles,
            changes,
            CHANGES,
            "冻结评价结果之后的变化（冻结结果不改写）",
        )
        for sheet_name, table, _, title, sheet_columns in MONEY:
            sheet = book.add_worksheet(sheet_name)
            if money[sheet_name] is None:
                sheet.write_string(0, 0, f"{table} 尚未建立。")
            else:
                _table_sheet(sheet, styles, money[sheet_name], sheet_columns, title)
        _notes_sheet(book.add_worksheet("口径说明"), styles, comments)
        book.close()
        os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    return path


def _has_table(con, table: str) -> bool:
    schema, name = table.split(".")
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    return found[0][0] > 0


def _shown(column: str, value):
    """A cell's value as the workbook holds it: times in Beijing time, dates as text,
    booleans as 是/否, the money marts' codes in words; numbers stay numbers."""
    if isinstance(value, datetime):
        return beijing(value, label=False)
    if isinstance(value, date):
        return f"{value:%Y-%m}" if column == "period" else f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if column in CODE_WORDS and value is not None:
        return CODE_WORDS[column].get(value, value)
    return value


def _table_sheet(sheet, styles: Styles, frame: pl.DataFrame, columns, title: str) -> None:
    rows = [
        {column: _shown(column, row[column]) for column, _, _ in columns}
        for row in frame.to_dicts()
    ]
    # Every column as wide as its longest value (a bank code or name is never cut), its
    # header wrapped onto two lines at most.
    widths = [
        column_width(
            header, (v if isinstance(v, str) else text(v, unit) for v in (r[column] for r in rows))
        )
        for column, header, unit in columns
    ]
    sheet.write_string(0, 0, title, styles.title)
    styles.header_row(sheet, 1, [header for _, header, _ in columns], widths)
    sheet.set_row(1, 30)
    for r, row in enumerate(rows, start=2):
        for c, (column, _, unit) in enumerate(columns):
            value = row[column]
            if isinstance(value, int) and not unit:
                sheet.write_number(r, c, value)
            else:
                styles.write(sheet, r, c, value, unit)
    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, max(1, len(frame) + 1), len(columns) - 1)
    set_up_page(sheet, sum(widths), header_rows=(0, 1))


PROGRESS = (
    ("description", "目标"),
    ("clause", "条款"),
    ("year", "年份"),
    ("unit", "单位"),
    ("target_value", "目标值"),
    ("actual_value", "实际值"),
    ("as_of_period", "截至"),
    ("progress", "完成度"),
    ("expected_by_now", "按进度应达"),
    ("on_track", "是否达到进度"),
    ("projected_at_deadline", "按趋势推算期末值"),
)
# A target's unit decides how its values read: ratios in %, money in 亿元, counts as is —
# and the 单位 column names it, so 亿元, 家 and % never share a column unlabelled.
VALUE_UNIT = {"ratio": "%", "yuan": "亿元"}
UNIT_NAMES = {"ratio": "%", "yuan": "亿元", "enterprises": "家", "enterprise_visits": "家次"}
PROGRESS_WIDTHS = [50, 14, 6, 6, 12, 12, 9, 9, 12, 12, 16]


def _progress_sheet(sheet, styles: Styles, progress: pl.DataFrame) -> None:
    sheet.write_string(0, 0, "行动计划目标进度（渝经信规范〔2024〕7号）", styles.title)
    styles.header_row(sheet, 1, [h for _, h in PROGRESS], PROGRESS_WIDTHS)
    values = ("target_value", "actual_value", "expected_by_now", "projected_at_deadline")
    for r, row in enumerate(progress.sort("target_code", "year").to_dicts(), start=2):
        unit = VALUE_UNIT.get(row["unit"], "")
        for c, (column, _) in enumerate(PROGRESS):
            value = row[column]
            if column in values:
                styles.write(sheet, r, c, value, unit)
            elif column == "unit":
                styles.write(sheet, r, c, UNIT_NAMES.get(value, value))
            elif column == "description":
                sheet.write_string(r, c, value, styles.text)
                lines = wrapped_lines(value, PROGRESS_WIDTHS[0])
                if lines > 1:
                    sheet.set_row(r, 15 * lines)
            elif column == "progress":
                styles.write(sheet, r, c, value, "%")
            elif column == "on_track":
                styles.write(sheet, r, c, None if value is None else ("是" if value else "否"))
            elif column == "as_of_period":
                styles.write(sheet, r, c, None if value is None else f"{value:%Y-%m}")
            elif column == "year":
                sheet.write_number(r, c, value)
            else:
                styles.write(sheet, r, c, value)
    sheet.freeze_panes(2, 1)
    set_up_page(sheet, sum(PROGRESS_WIDTHS), header_rows=(0, 1))


SHEETS = (
    (
        "银行排名",
        "全部登记机构的督导评价：综合得分、等级、同组与全市排名、各项指标得分；未评级的注明原因。",
        "marts.bank_scorecard",
    ),
    (
        "全市指标",
        "全市制造业贷款逐月指标，可比口径：每个比率只用两端都报送的机构，并列出参与的机构数。",
        "marts.city_loan_metrics",
    ),
    (
        "规划进度",
        "行动计划各项目标的年度完成情况；「单位」列说明目标值与实际值的单位。",
        "marts.plan_target_progress",
    ),
    (
        "数据质量",
        "各机构累计报送记录与本期扣分项（被退回、重报、逾期、缺报）。",
        "audit.submissions, marts.bank_scorecard",
    ),
    (
        "报送完整性",
        "本期应报文件与报送状态，缺报在前；收到时间为数据仓库时钟（北京时间）。",
        "marts.filing_status",
    ),
    (
        "评价变更",
        "季度评价冻结后，迟到或重报文件使实时结果变化的机构；冻结结果不改写。",
        "marts.evaluation_changes",
    ),
    *(
        (sheet, title.split("（")[0] + "：" + title.split("（", 1)[1].rstrip("）") + "。", table)
        for sheet, table, _, title, _ in MONEY
    ),
)
UNITS = (
    "金额单位为亿元，补助、奖励、转贷与代偿为万元（数据仓库中以元存储）；占比与增速为百分比；变化为百分点（pp）；"
    "得分为 0–100 分；时间为北京时间；「—」表示数据缺失，不是 0。"
)
NOTE_WIDTHS = [30, 70, 40]


def _notes_sheet(sheet, styles: Styles, comments: dict[str, str]) -> None:
    """What each sheet shows, the units, and every column's 口径 (the published column
    descriptions, the same text as the data dictionary)."""
    sheet.write_string(0, 0, "填报说明与指标口径", styles.title)
    styles.header_row(sheet, 1, ["工作表", "内容", "来源"], NOTE_WIDTHS)
    row = 2
    for name, about, source in SHEETS:
        sheet.write_string(row, 0, name, styles.label)
        sheet.write_string(row, 1, about, styles.text)
        sheet.write_string(row, 2, source, styles.text)
        sheet.set_row(
            row,
            15 * max(wrapped_lines(about, NOTE_WIDTHS[1]), wrapped_lines(source, NOTE_WIDTHS[2])),
        )
        row += 1
    row += 1
    sheet.write_string(row, 0, "单位", styles.label)
    styles.wrapped(sheet, row, 1, 2, UNITS, sum(NOTE_WIDTHS[1:]))
    row += 2
    styles.header_row(sheet, row, ["列", "口径", "字段"])
    seen: set[str] = set()
    money_columns = [c for *_, sheet_columns in MONEY for c in sheet_columns]
    for column, header, _ in (*RANKING, *CITY, *QUALITY, *COMPLETENESS, *CHANGES, *money_columns):
        if column in seen or column not in comments:
            continue
        seen.add(column)
        row += 1
        sheet.write_string(row, 0, header, styles.text)
        sheet.write_string(row, 1, comments[column], styles.text)
        sheet.write_string(row, 2, column)
        lines = max(
            wrapped_lines(comments[column], NOTE_WIDTHS[1]), wrapped_lines(header, NOTE_WIDTHS[0])
        )
        if lines > 1:
            sheet.set_row(row, 15 * lines)
    sheet.freeze_panes(2, 0)
    set_up_page(sheet, sum(NOTE_WIDTHS), header_rows=(1, 1))


def _city_chart(book, sheet, rows: int) -> None:
    if rows == 0:
        return
    chart = book.add_chart({"type": "line"})
    for column in ("mfg_loans_yoy_growth", "total_loans_yoy_growth", "mfg_loan_share"):
        c = next(i for i, (name, _, _) in enumerate(CITY) if name == column)
        chart.add_series(
            {
                "name": ["全市指标", 1, c],
                "categories": ["全市指标", 2, 0, rows + 1, 0],
                "values": ["全市指标", 2, c, rows + 1, c],
            }
        )
    chart.set_title({"name": "全市制造业贷款增速与占比"})
    chart.set_y_axis({"num_format": "0%"})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 760, "height": 340})
    # Under the table, not beside it: the sheet prints one page wide.
    sheet.insert_chart(rows + 3, 0, chart)
