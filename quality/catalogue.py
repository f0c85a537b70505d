"""The rule catalogue rendered as a document: every rule with its id, severity, phase, what
it checks, its message in 中文 and English, and the clause it enforces."""

from __future__ import annotations

from dataclasses import fields

from ingest.limits import ReadLimits
from quality.crossfile import GateSettings
from quality.rules import (
    CONSISTENCY,
    CROSS,
    FILE,
    MART,
    RULES,
    RULESET_VERSION,
    SYNTAX,
    VALIDITY,
    Rule,
)

TABLE_HEADER = "| id | severity | phase | checks | 检查内容 | message (中文 / English) | enforces |"
PHASE_ORDER = (FILE, SYNTAX, VALIDITY, CONSISTENCY, CROSS, MART)
KIND_TITLES = {
    "file": "Any file (before its kind is known) / 所有文件",
    "loans": "`loans` — 对公贷款借据 (contract §3.1)",
    "loan_totals": "`loan_totals` — 各项贷款 (contract §3.2)",
    "bonds": "`bonds` — 债券融资 (contract §3.3)",
    "ipos": "`ipos` — 上市培育 (contract §3.3)",
    "fund_investments": "`fund_investments` — 基金投资 (contract §3.3)",
    "engagements": "`engagements` — 对接活动 (contract §3.3)",
    "enterprises": "`enterprises` — 企业名录 (contract §3.3)",
    "subsidy_claims": "`subsidy_claims` — 贴息及担保费补助申请 (contract §3.4)",
    "bridge_loans": "`bridge_loans` — 应急转贷 (contract §3.4)",
    "guarantee_compensations": "`guarantee_compensations` — 担保代偿 (contract §3.4)",
    "whitelist_pushes": "`whitelist_pushes` — 融资需求白名单推送 (contract §3.4)",
    "bank_loan_metrics": "Mart gate: `marts.bank_loan_metrics` (before publish)",
    "city_loan_metrics": "Mart gate: `marts.city_loan_metrics` (before publish)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("{value}", "…")


def _message(rule: Rule) -> str:
    if rule.message_zh == "{value}":
        return "读取时的具体原因 / the reader's specific reason"
    return f"{_cell(rule.message_zh)} / {_cell(rule.message_en)}"


def render_markdown(settings: GateSettings | None = None, limits: ReadLimits | None = None) -> str:
    """The catalogue as Markdown, with the tolerances and file limits in force."""
    settings = settings or GateSettings()
    limits = limits or ReadLimits()
    lines = [
        "# Quality rules / 校验规则",
        "",
        f"Ruleset `{RULESET_VERSION}`. Generated from `quality/rules.py` by "
        "`zhirong rules > docs/rules.md`; do not edit by hand. A clause `contract §N` is "
        "section N of [the warehouse contract](contract.md); facts are in "
        "[domain.md](domain.md).",
        "",
        "An **error** rejects the whole file (or, for the mart gate, blocks publishing); a "
        "**warning** is recorded and reported to the bank. Phases run in the order file/format → column syntax → row validity → "
        "within-file consistency → cross-file. Every rule is decided by a Great Expectations "
        "expectation; cross-file figures are computed in code and asserted through it.",
        "",
        "Tolerances in force: reconciliation warning "
        f"{settings.reconcile_warning:.2%}, error {settings.reconcile_error:.2%}; "
        f"month-on-month manufacturing change {settings.mfg_change_bound:.0%}; a subsidy "
        f"claim's loan amount within {settings.loan_amount_tolerance:.0%} of the loan's "
        "highest balance; files due by "
        f"day {settings.due_day} of the following month.",
        "",
        "File limits in force, checked before any parser opens a file (set each with "
        "`ZHIRONG_<NAME>`, e.g. `ZHIRONG_MAX_FILE_BYTES`): "
        + "; ".join(f"`{f.name}` {getattr(limits, f.name):,}" for f in fields(ReadLimits))
        + ". Sizes are bytes; cells are rows × columns.",
        "",
    ]
    for kind, title in KIND_TITLES.items():
        rules = sorted((r for r in RULES if r.kind == kind), key=_order)
        lines += [f"## {title}", "", TABLE_HEADER, "|---|---|---|---|---|---|---|"]
        lines += [
            f"| {r.rule_id} | {r.severity} | {r.phase} | {_cell(r.checks_en)} | "
            f"{_cell(r.checks_zh)} | {_message(r)} | "
            f"{_cell(r.clause)} |"
            for r in rules
        ]
        lines.append("")
    return "\n".join(lines)


def render_rule(rule: Rule) -> str:
    """One rule as plain text for the terminal (`zhirong rules ID`)."""
    level = (
        "错误 error: 整个文件被拒收 / the whole file is rejected"
        if rule.severity == "error"
        else "预警 warning: 记录并告知报送机构 / recorded and shown to the sender"
    )
    return (
        "\n".join(
            [
                f"{rule.rule_id}  ({rule.kind}, {rule.phase}, {rule.level})",
                f"  级别 severity:  {level}",
                f"  检查 checks:    {rule.checks_zh} / {rule.checks_en}",
                f"  提示 message:   {_message(rule)}",
                f"  依据 clause:    {rule.clause}",
            ]
        )
        + "\n"
    )


def _order(rule: Rule) -> tuple[int, str]:
    return PHASE_ORDER.index(rule.phase), rule.rule_id
