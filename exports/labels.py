"""The Chinese label and display unit of every column the exports show: one table, so a
column reads the same in a bank's pack, its CSV and the regulator's workbook. Units: "亿元"
(amounts held in 元), "%" (fractions), "pp" (fraction changes, shown in percentage points),
"分" (scores), "" (as is)."""

from __future__ import annotations

# The states of marts.filing_status, in the order a regulator acts on them: 中文, English.
FILING_STATES: dict[str, tuple[str, str]] = {
    "missing": ("缺报", "missing"),
    "rejected": ("被退回未重报", "rejected, not yet resent"),
    "late": ("逾期", "late"),
    "not_yet_due": ("未到截止日", "not yet due"),
    "on_time": ("按时", "on time"),
}

LABELS: dict[str, tuple[str, str]] = {
    "bank_code": ("机构代码", ""),
    "bank_name": ("机构名称", ""),
    "bank_type": ("机构类型", ""),
    "peer_group": ("同组", ""),
    "period": ("报告期", ""),
    "total_loans": ("各项贷款余额（亿元）", "亿元"),
    "mfg_loans": ("制造业贷款余额（亿元）", "亿元"),
    "mfg_mlt_loans": ("制造业中长期贷款余额（亿元）", "亿元"),
    "mfg_credit_loans": ("制造业信用贷款余额（亿元）", "亿元"),
    "mfg_loans_ytd_increment": ("制造业贷款比年初增加（亿元）", "亿元"),
    "mfg_loan_share": ("制造业贷款占比", "%"),
    "mfg_mlt_share": ("制造业中长期贷款占比", "%"),
    "mfg_credit_share": ("制造业信用贷款占比", "%"),
    "mfg_loans_yoy_growth": ("制造业贷款同比增速", "%"),
    "total_loans_yoy_growth": ("各项贷款同比增速", "%"),
    "growth_gap": ("增速差", "pp"),
    "mfg_mlt_share_yoy_change": ("中长期贷款占比同比变化", "pp"),
    "mfg_credit_share_yoy_change": ("信用贷款占比同比变化", "pp"),
    "composite_score": ("综合得分", "分"),
    "grade": ("等级", ""),
    "rank_city": ("全市排名", ""),
    "rank_in_peer_group": ("同组排名", ""),
    "growth_gap_score": ("增速差得分", "分"),
    "mfg_loan_share_score": ("占比得分", "分"),
    "mlt_share_change_score": ("中长期得分", "分"),
    "credit_share_change_score": ("信用贷款得分", "分"),
    "data_quality_score": ("本期数据质量得分", "分"),
    "missing_indicators": ("缺失指标", ""),
    "weights_version": ("权重版本", ""),
    "files": ("累计收到文件", ""),
    "accepted": ("已接收", ""),
    "superseded": ("已被重报替代", ""),
    "rejected": ("被退回", ""),
    "duplicate": ("重复文件", ""),
    "warnings": ("预警条数", ""),
    "rejected_files": ("本期被退回", ""),
    "resubmissions": ("本期重报", ""),
    "late_files": ("本期逾期", ""),
    "missing_files": ("本期缺报", ""),
    "is_graded": ("是否评级", ""),
    "not_graded_reason": ("未评级原因", ""),
    "zeroed_indicators": ("因本行缺报计0分的指标", ""),
    "mfg_new_loans": ("当月新发放制造业贷款（亿元）", "亿元"),
    "mfg_mlt_loans_yoy_growth": ("制造业中长期贷款同比增速", "%"),
    "mfg_credit_loans_yoy_growth": ("制造业信用贷款同比增速", "%"),
    "mfg_loans_ytd_increment_yoy_change": ("制造业贷款同比多增（亿元）", "亿元"),
    "mfg_loans_avg_annual_growth": ("制造业贷款年均增速（2023年末起）", "%"),
    "total_loans_avg_annual_growth": ("各项贷款年均增速（2023年末起）", "%"),
    "banks_reporting": ("报送借据的机构数", ""),
    "banks_in_share": ("计入占比的机构数", ""),
    "banks_in_yoy": ("计入同比的机构数", ""),
    "kind_name": ("报送类型", ""),
    "due_date": ("截止日", ""),
    "filing_state": ("报送状态", ""),
    "first_received_at": ("首次收到（UTC）", ""),
    "latest_received_at": ("最近收到（UTC）", ""),
    "files_received": ("收到文件数", ""),
    "frozen_at": ("冻结时间（UTC）", ""),
    "frozen_composite_score": ("冻结时综合得分", "分"),
    "live_composite_score": ("当前综合得分", "分"),
    "frozen_grade": ("冻结时等级", ""),
    "live_grade": ("当前等级", ""),
    "frozen_rank_city": ("冻结时全市排名", ""),
    "live_rank_city": ("当前全市排名", ""),
    "caused_by_submissions": ("引起变化的报送编号", ""),
}


def label(column: str) -> str:
    """The column's Chinese label."""
    return LABELS[column][0]


def unit(column: str) -> str:
    """The column's display unit."""
    return LABELS[column][1]


def columns(*names: str) -> tuple[tuple[str, str, str], ...]:
    """(column, label, unit) for each name, in order."""
    return tuple((name, label(name), unit(name)) for name in names)
