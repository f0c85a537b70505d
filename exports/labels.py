"""The Chinese label and display unit of every column the exports show: one table, so a
column reads the same in a bank's pack, its CSV and the regulator's workbook. Units: "亿元"
and "万元" (amounts held in 元), "%" (fractions), "pp" (fraction changes, shown in
percentage points), "分" (scores), "" (as is)."""

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
    # The plan's money (amounts in 万元, as the plan states its caps).
    "claim_id": ("申请编号", ""),
    "year": ("年度", ""),
    "enterprise_uscc": ("统一社会信用代码", ""),
    "enterprise_name": ("企业名称", ""),
    "project_name": ("项目名称", ""),
    "loan_id": ("贷款借据号", ""),
    "loan_amount": ("贷款金额（万元）", "万元"),
    "actual_rate": ("实际利率（%）", ""),
    "interest_paid": ("实付利息（万元）", "万元"),
    "is_eligible": ("是否符合条件", ""),
    "not_eligible_reason": ("不符合原因", ""),
    "subsidy_rate": ("贴息比例", "%"),
    "computed_subsidy": ("封顶前金额（万元）", "万元"),
    "subsidy_due": ("应付补助（万元）", "万元"),
    "binding_limit": ("起作用的限额", ""),
    "project_year_subsidy": ("项目年度合计（万元）", "万元"),
    "guarantor_name": ("担保机构", ""),
    "claims": ("申请笔数", ""),
    "eligible_claims": ("符合条件笔数", ""),
    "not_eligible_claims": ("不符合条件笔数", ""),
    "fees_paid": ("实付担保费（万元）", "万元"),
    "eligible_fees_paid": ("符合条件担保费（万元）", "万元"),
    "is_capped": ("是否封顶", ""),
    "bridge_id": ("转贷编号", ""),
    "amount": ("金额（万元）", "万元"),
    "start_date": ("开始日期", ""),
    "end_date": ("结束日期", ""),
    "days": ("天数", ""),
    "is_large_private": ("双百企业", ""),
    "cap_amount": ("适用上限（万元）", "万元"),
    "is_within_cap": ("是否在上限内", ""),
    "amount_over_cap": ("超出上限（万元）", "万元"),
    "is_fee_waived": ("免收使用费", ""),
    "fee_due": ("应收使用费（万元）", "万元"),
    "fee_charged": ("实收使用费（万元）", "万元"),
    "fee_overcharged": ("多收使用费（万元）", "万元"),
    "case_id": ("代偿编号", ""),
    "compensation_date": ("代偿日期", ""),
    "direct_guarantor": ("直保机构", ""),
    "loss_amount": ("代偿损失（万元）", "万元"),
    "party_name": ("分担方", ""),
    "bearer": ("承担机构", ""),
    "share": ("分担比例", "%"),
    "cases": ("代偿案件数", ""),
    "losses": ("代偿损失合计（万元）", "万元"),
    "reward_type": ("奖励类型", ""),
    "reward_basis": ("奖励依据", ""),
    "basis_date": ("依据日期", ""),
    "basis_amount": ("融资金额（万元）", "万元"),
    "computed_reward": ("封顶前奖励（万元）", "万元"),
    "reward_due": ("应付奖励（万元）", "万元"),
    "push_id": ("推送编号", ""),
    "pushed_on": ("推送日期", ""),
    "contacted_on": ("对接日期", ""),
    "approved_on": ("授信日期", ""),
    "disbursed_on": ("放款日期", ""),
    "furthest_stage": ("已到阶段", ""),
    "disbursed_amount": ("放款金额（万元）", "万元"),
    "days_to_loan": ("推送至放款天数", ""),
    "pushed": ("推送数", ""),
    "contacted": ("对接数", ""),
    "approved": ("授信数", ""),
    "disbursed": ("放款数", ""),
    "median_days_to_loan": ("推送至放款天数中位数", ""),
    "rules_version": ("规则版本", ""),
    "rewards_version": ("奖励版本", ""),
}


# The codes the money marts hold, as a reader of the exports sees them.
CODE_WORDS: dict[str, dict[str, str]] = {
    "binding_limit": {
        "half_of_rate": "实际利率的 50%",
        "two_percent_of_loan": "贷款的 2%",
        "project_year_cap": "单个项目每年 1000 万元",
    },
    "not_eligible_reason": {
        "loan_not_in_current_files": "贷款不在本行当年借据中或不是该企业的技改专项贷",
        "not_manufacturing": "借款人不属制造业",
        "no_interest_paid": "当年未付利息",
    },
    "reward_type": {"first_fund_financing": "首次基金融资奖励", "ipo_stage": "上市奖补"},
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
