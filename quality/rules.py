"""The rule catalogue: every check the gate makes, as data — id, severity, phase, level,
bilingual message, the clause it enforces, and the Great Expectations expectations that
decide it. Suites are built from this list and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest import (
    bonds,
    bridge_loans,
    engagements,
    enterprises,
    fund_investments,
    guarantee_compensations,
    ipos,
    loans,
    subsidy_claims,
    whitelist_pushes,
)
from ingest.kinds import BANK_KINDS, KINDS

RULESET_VERSION = "2026.12.3"

ERROR, WARNING = "error", "warning"
# Phases in the order a regulator's validator applies them (CFPB regtech style).
FILE, SYNTAX, VALIDITY, CONSISTENCY, CROSS = (
    "file/format",
    "column syntax",
    "row validity",
    "within-file consistency",
    "cross-file",
)
MART = "published marts"
# A rule is decided on the one-row-per-file facts frame, on the rows themselves, on rows
# matched with the bank's loans once the whole batch is read, or on a mart before it is
# published.
FILE_LEVEL, ROW_LEVEL, LINK_LEVEL, MART_LEVEL = "file", "row", "link", "mart"
# Computed columns a link-level finding reports (what was wrong with the loan), with the
# file's column whose header the finding names.
LOAN_DETAIL, TECH_DETAIL, BORROWER_DETAIL, AMOUNT_DETAIL = (
    "loan_detail",
    "tech_detail",
    "borrower_detail",
    "amount_detail",
)


@dataclass(frozen=True)
class Check:
    """One Great Expectations expectation: its class name, arguments, and the canonical
    column a finding should name."""

    expectation: str
    kwargs: dict[str, Any]
    column: str | None = None


@dataclass(frozen=True)
class Rule:
    """A validation rule."""

    rule_id: str
    kind: str
    severity: str
    phase: str
    level: str
    checks_zh: str
    checks_en: str
    message_zh: str
    message_en: str
    clause: str
    checks: tuple[Check, ...] = field(default_factory=tuple)


def _not_null(columns: tuple[str, ...]) -> tuple[Check, ...]:
    return tuple(Check("ExpectColumnValuesToNotBeNull", {"column": c}, c) for c in columns)


def _rate_found() -> tuple[Check, ...]:
    """A foreign amount has a month-end rate; the finding names the currency and month."""
    return (
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "fx_rate_found", "value_set": [True]},
            "fx_rate_needed",
        ),
    )


def _at_least_zero(columns: tuple[str, ...]) -> tuple[Check, ...]:
    return tuple(
        Check("ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0}, c) for c in columns
    )


def _a_not_below_b(a: str, b: str, reported: str) -> Check:
    return Check(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": a,
            "column_B": b,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        reported,
    )


def _file_rules() -> list[Rule]:
    """Rules for files whose kind cannot be established: decided from the reader's verdict."""
    reasons = {
        "FL-E-001": (
            "文件无法读取（类型、编码或内容损坏）",
            "file cannot be read (type, encoding or damaged content)",
        ),
        "FL-E-002": ("文件为空", "file is empty"),
        "FL-E-003": (
            "CSV 结构错误（分隔符、引号或截断的行）",
            "malformed CSV (delimiter, quoting or a truncated line)",
        ),
        "FL-E-004": (
            "XLSX 或 Parquet 实际解压后超过上限（逐块解压计数，不信任压缩包头），拒绝解析",
            "XLSX or Parquet that really unpacks beyond the limit (counted while inflating, never from the zip headers), refused before parsing",
        ),
        "FL-E-005": ("找不到表头行", "no header row found"),
        "FL-E-006": ("无法从表头判断报送类型", "submission kind cannot be told from the headers"),
        "FL-E-007": (
            "只接受普通文件：符号链接、目录、管道、设备不读取其内容",
            "only regular files: a symbolic link, directory, pipe or device is refused without reading it",
        ),
        "FL-E-008": ("文件名长度不超过上限", "the file name is within the length limit"),
        "FL-E-009": ("文件大小不超过上限", "the file is within the size limit"),
        "FL-E-010": ("CSV 每行长度不超过上限", "every CSV line is within the length limit"),
        "FL-E-011": (
            "工作表或 Parquet 的单元格数不超过上限（声明的范围与实际单元格位置）",
            "a sheet or Parquet file spans no more cells than the limit (declared range and actual cell positions)",
        ),
        "FL-E-012": (
            "读取文件时不得出现意外错误（错误原文附在说明中）",
            "the file reads without an unexpected error (the error is quoted)",
        ),
    }
    return [
        Rule(
            rule_id,
            "file",
            ERROR,
            FILE,
            FILE_LEVEL,
            zh,
            en,
            "{value}",
            "{value}",
            "contract §3",
            (
                Check(
                    "ExpectColumnValuesToNotBeInSet",
                    {"column": "unreadable_rule", "value_set": [rule_id]},
                ),
            ),
        )
        for rule_id, (zh, en) in reasons.items()
    ]


def _kind_file_rules(kind: str, prefix: str, clause: str) -> list[Rule]:
    def facts(column: str, **kwargs: Any) -> tuple[Check, ...]:
        return (Check("ExpectColumnValuesToBeBetween", {"column": column, **kwargs}),)

    rules = [
        Rule(
            f"{prefix}-E-001",
            kind,
            ERROR,
            FILE,
            FILE_LEVEL,
            "必填列齐全",
            "every required column is present",
            "缺少必填列：{value}",
            "missing required column(s): {value}",
            clause,
            facts("missing_required", min_value=0, max_value=0),
        ),
        Rule(
            f"{prefix}-E-002",
            kind,
            ERROR,
            FILE,
            FILE_LEVEL,
            "同一列不得出现两次",
            "no column appears twice",
            "列重复：{value}",
            "column(s) given more than once: {value}",
            clause,
            facts("duplicated_columns", min_value=0, max_value=0),
        ),
        Rule(
            f"{prefix}-E-003",
            kind,
            ERROR,
            FILE,
            FILE_LEVEL,
            "文件至少有一行数据",
            "the file has at least one data row",
            "文件只有表头，没有数据行",
            "the file has a header but no data rows",
            clause,
            facts("row_count", min_value=1),
        ),
    ]
    if kind in BANK_KINDS:
        rules.append(
            Rule(
                f"{prefix}-E-004",
                kind,
                ERROR,
                CONSISTENCY,
                FILE_LEVEL,
                "每个文件只报送一家机构",
                "one bank per file",
                "文件含多家机构或缺少机构代码：{value}",
                "the file holds several banks or no bank code: {value}",
                clause,
                facts("bank_count", min_value=1, max_value=1),
            )
        )
    elif kind == "fund_investments":
        rules.append(
            Rule(
                f"{prefix}-E-004",
                kind,
                ERROR,
                CONSISTENCY,
                FILE_LEVEL,
                "每个文件只报送一家基金管理人",
                "one fund manager per file",
                "文件含多家基金管理人或缺少管理人：{value}",
                "the file holds several fund managers or none: {value}",
                clause,
                facts("bank_count", min_value=1, max_value=1),
            )
        )
    period_zh, period_en = PERIOD_WORDS.get(kind, ("报告期", "reporting period"))
    rules.append(
        Rule(
            f"{prefix}-E-005",
            kind,
            ERROR,
            CONSISTENCY,
            FILE_LEVEL,
            f"每个文件只报送一个{period_zh}",
            f"one {period_en} per file",
            f"文件含多个{period_zh}或缺少{period_zh}：{{value}}",
            f"the file holds several {period_en}s or none: {{value}}",
            clause,
            facts("period_count", min_value=1, max_value=1),
        )
    )
    if kind in BANK_KINDS:
        rules.append(
            Rule(
                f"{prefix}-E-006",
                kind,
                ERROR,
                CROSS,
                FILE_LEVEL,
                "机构代码已在机构名录登记",
                "the bank code is registered",
                "机构代码“{value}”未在机构名录中登记",
                "bank code '{value}' is not registered",
                "contract §3.1 (registered bank); JR/T 0124",
                (
                    Check(
                        "ExpectColumnValuesToBeInSet",
                        {"column": "bank_code", "value_set": "@banks"},
                        "bank_code",
                    ),
                ),
            )
        )
    rules.append(
        Rule(
            f"{prefix}-W-001",
            kind,
            WARNING,
            FILE,
            FILE_LEVEL,
            "无未知列",
            "no unknown columns",
            "未识别的列已忽略：{value}",
            "unknown column(s) ignored: {value}",
            clause,
            facts("unknown_columns", min_value=0, max_value=0),
        )
    )
    return rules


# A register's period is the month its events fall in (the snapshot date for enterprises).
PERIOD_WORDS = {
    "bonds": ("发行月份", "month of issue"),
    "ipos": ("事件月份", "month of events"),
    "fund_investments": ("投资月份", "month of deals"),
    "engagements": ("活动月份", "month of events"),
    "enterprises": ("名录日期", "register date"),
    "subsidy_claims": ("申请年度", "claim year"),
    "bridge_loans": ("转贷月份", "month of bridges"),
    "guarantee_compensations": ("代偿月份", "month of compensations"),
    "whitelist_pushes": ("状态月份", "month of status changes"),
}


_LOAN_REQUIRED = tuple(c.name for c in loans.COLUMNS if c.required)


def _loan_row_rules() -> list[Rule]:
    clause = "contract §3.1"
    return [
        Rule(
            "LN-E-010",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "必填字段有值且可解析",
            "required values are present and readable",
            "必填字段缺失或无法解析",
            "required value missing or unreadable",
            clause,
            _not_null(_LOAN_REQUIRED),
        ),
        Rule(
            "LN-E-011",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "借款人统一社会信用代码符合 GB 32100-2015（含校验位）",
            "borrower USCC is valid under GB 32100-2015, check characters included",
            "统一社会信用代码无效（格式或校验位错误）",
            "invalid unified social credit code (format or check character)",
            "contract §3.1; GB 32100-2015; GB 11714",
            (
                Check(
                    "ExpectColumnValuesToBeValidUscc", {"column": "borrower_uscc"}, "borrower_uscc"
                ),
            ),
        ),
        Rule(
            "LN-E-012",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "借款人行业为 GB/T 4754-2017 中真实存在的大类",
            "borrower industry is a real GB/T 4754-2017 division",
            "行业代码不是 GB/T 4754-2017 的有效大类",
            "industry code is not a real GB/T 4754-2017 division",
            "contract §3.1; GB/T 4754-2017",
            (
                Check(
                    "ExpectColumnValuesToBeGbt4754Industry",
                    {"column": "industry_code"},
                    "industry_code",
                ),
            ),
        ),
        Rule(
            "LN-E-013",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "企业规模为 大型/中型/小型/微型 或 CS01–CS05",
            "enterprise scale is a known size",
            "企业规模无法识别",
            "unknown enterprise scale",
            clause,
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "enterprise_scale", "value_set": list(loans.SCALES)},
                    "enterprise_scale",
                ),
            ),
        ),
        Rule(
            "LN-E-014",
            "loans",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "发放日期不晚于报告期末",
            "issue date is on or before the period end",
            "贷款发放日期晚于报告期末",
            "issue date is after the end of the reporting period",
            clause,
            (_a_not_below_b("report_period", "issue_date", "issue_date"),),
        ),
        Rule(
            "LN-E-015",
            "loans",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "到期日期晚于发放日期",
            "maturity date is after the issue date",
            "贷款到期日期不晚于发放日期",
            "maturity date is not after the issue date",
            clause,
            (
                Check(
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {
                        "column_A": "maturity_date",
                        "column_B": "issue_date",
                        "ignore_row_if": "either_value_is_missing",
                    },
                    "maturity_date",
                ),
            ),
        ),
        Rule(
            "LN-E-016",
            "loans",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "余额非负",
            "balances are not negative",
            "贷款余额为负数",
            "negative loan balance",
            clause,
            _at_least_zero(("balance", "balance_cny")),
        ),
        Rule(
            "LN-E-017",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "担保方式为 A 质押、B 抵押、C 保证、D 信用、E 组合、Z 其他（可带子码）",
            "guarantee type is A–E or Z (sub-codes allowed), as a code or a word",
            "担保方式无法识别",
            "unknown guarantee type",
            "contract §3.1; PBOC loan-level codes",
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "guarantee_type", "value_set": list(loans.GUARANTEE_TYPES)},
                    "guarantee_type",
                ),
            ),
        ),
        Rule(
            "LN-E-018",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "币种为 ISO 4217 代码",
            "currency is an ISO 4217 code",
            "币种不是 ISO 4217 代码",
            "currency is not an ISO 4217 code",
            "contract §3.1; ISO 4217",
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "currency", "value_set": "@currencies"},
                    "currency",
                ),
            ),
        ),
        Rule(
            "LN-E-019",
            "loans",
            ERROR,
            CROSS,
            ROW_LEVEL,
            "未报折人民币余额的外币贷款在报告期末有汇率",
            "a foreign-currency loan without a CNY balance has a period-end FX rate",
            "缺少折人民币余额，且 {value} 月末没有汇率（fx_rates）",
            "no CNY balance given and no month-end rate for {value} (fx_rates)",
            "contract §3.1, §4",
            _rate_found(),
        ),
        Rule(
            "LN-E-020",
            "loans",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "执行利率在 (0, 36) 百分比之间",
            "interest rate is between 0 and 36 percent, exclusive",
            "执行利率超出 (0%, 36%)",
            "interest rate outside (0%, 36%)",
            clause,
            (
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {
                        "column": "interest_rate",
                        "min_value": 0,
                        "max_value": 36,
                        "strict_min": True,
                        "strict_max": True,
                    },
                    "interest_rate",
                ),
            ),
        ),
        Rule(
            "LN-E-021",
            "loans",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "五级分类为 正常/关注/次级/可疑/损失",
            "five-class grade is a known grade",
            "五级分类无法识别",
            "unknown five-class grade",
            clause,
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "five_class", "value_set": list(loans.FIVE_CLASSES)},
                    "five_class",
                ),
            ),
        ),
        Rule(
            "LN-E-022",
            "loans",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "贷款借据号在文件内唯一",
            "loan id is unique within the file",
            "贷款借据号在文件内重复",
            "loan id repeated within the file",
            clause,
            (
                Check(
                    "ExpectCompoundColumnsToBeDistinct",
                    {"column_list": ["submission_id", "loan_id"]},
                    "loan_id",
                ),
            ),
        ),
    ]


def _in_set(column: str, values: Any, reported: str | None = None) -> tuple[Check, ...]:
    value_set = values if isinstance(values, str) else list(values)
    return (
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": column, "value_set": value_set},
            reported or column,
        ),
    )


def _is_true(column: str, reported: str) -> tuple[Check, ...]:
    return (
        Check("ExpectColumnValuesToBeInSet", {"column": column, "value_set": [True]}, reported),
    )


def _uscc(column: str) -> tuple[Check, ...]:
    return (Check("ExpectColumnValuesToBeValidUscc", {"column": column}, column),)


def _unique(*columns: str) -> tuple[Check, ...]:
    return (
        Check(
            "ExpectCompoundColumnsToBeDistinct",
            {"column_list": ["submission_id", *columns]},
            columns[0],
        ),
    )


def _required(kind_columns) -> tuple[Check, ...]:
    return _not_null(tuple(c.name for c in kind_columns if c.required))


_USCC_TEXT = (
    "统一社会信用代码符合 GB 32100-2015（含校验位）",
    "the USCC is valid under GB 32100-2015, check characters included",
    "统一社会信用代码无效（格式或校验位错误）",
    "invalid unified social credit code (format or check character)",
)
_REQUIRED_TEXT = (
    "必填字段有值且可解析",
    "required values are present and readable",
    "必填字段缺失或无法解析",
    "required value missing or unreadable",
)


def _common(kind: str, prefix: str, clause: str, columns, uscc: str) -> list[Rule]:
    return [
        Rule(
            f"{prefix}-E-010",
            kind,
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            *_REQUIRED_TEXT,
            clause,
            _required(columns),
        ),
        Rule(
            f"{prefix}-E-011",
            kind,
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            *_USCC_TEXT,
            f"{clause}; GB 32100-2015",
            _uscc(uscc),
        ),
    ]


def _register_rules() -> list[Rule]:
    """Rules of the bond, IPO, fund, engagement and enterprise registers (contract §3.3)."""
    clause = "contract §3.3"
    bond, ipo, fund, meet, firm = (
        f"{clause} {k}" for k in ("bonds", "ipos", "fund_investments", "engagements", "enterprises")
    )
    return [
        *_common("bonds", "BD", bond, bonds.COLUMNS, "issuer_uscc"),
        Rule(
            "BD-E-012",
            "bonds",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "债券类型为 " + "、".join(bonds.BOND_TYPES) + " 之一",
            "bond type is one of the instrument types",
            "债券类型无法识别",
            "unknown bond type",
            bond,
            _in_set("bond_type_checked", bonds.BOND_TYPES, "bond_type"),
        ),
        Rule(
            "BD-E-013",
            "bonds",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "科技创新、绿色、科创票据是标签，不是债券类型",
            "科技创新, 绿色 and 科创票据 are labels, not bond types",
            "债券类型填写了标签：类型应为中期票据、公司债等，标签填入“债券标签”列",
            "a label was given as the bond type: give the instrument type (中期票据, 公司债 …) "
            "and put the label in the labels column",
            f"{bond}; docs/domain.md (科技创新债券 〔2025〕8号)",
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "type_is_label", "value_set": [False]},
                    "bond_type",
                ),
            ),
        ),
        Rule(
            "BD-E-014",
            "bonds",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "债券标签为 " + "、".join(bonds.LABELS) + " 中的零个或多个",
            "labels are any of 科技创新, 绿色, 科创票据",
            "债券标签无法识别",
            "unknown bond label",
            bond,
            (Check("ExpectColumnValuesToBeNull", {"column": "unknown_labels"}, "labels"),),
        ),
        Rule(
            "BD-E-015",
            "bonds",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "发行市场为 " + "、".join(bonds.MARKETS) + " 之一",
            "market is a known market",
            "发行市场无法识别",
            "unknown market",
            bond,
            _in_set("market", bonds.MARKETS),
        ),
        Rule(
            "BD-E-016",
            "bonds",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "币种为 ISO 4217 代码",
            "currency is an ISO 4217 code",
            "币种不是 ISO 4217 代码",
            "currency is not an ISO 4217 code",
            f"{bond}; ISO 4217",
            _in_set("currency", "@currencies"),
        ),
        Rule(
            "BD-E-017",
            "bonds",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "发行金额为正，期限在 (0, 100] 年",
            "amount is positive, term in (0, 100] years",
            "发行金额或期限超出范围",
            "amount or term out of range",
            bond,
            (
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "amount", "min_value": 0, "strict_min": True},
                    "amount",
                ),
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "term_years", "min_value": 0, "max_value": 100, "strict_min": True},
                    "term_years",
                ),
            ),
        ),
        Rule(
            "BD-E-018",
            "bonds",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "票面利率在 [0, 36) 百分比之间",
            "coupon rate in [0, 36) percent",
            "票面利率超出 [0%, 36%)",
            "coupon rate outside [0%, 36%)",
            bond,
            (
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "coupon_rate", "min_value": 0, "max_value": 36, "strict_max": True},
                    "coupon_rate",
                ),
            ),
        ),
        Rule(
            "BD-E-019",
            "bonds",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "备案编号在文件内唯一",
            "filing id is unique within the file",
            "备案编号在文件内重复",
            "filing id repeated within the file",
            bond,
            _unique("filing_id"),
        ),
        Rule(
            "BD-E-020",
            "bonds",
            ERROR,
            CROSS,
            ROW_LEVEL,
            "外币债券在发行月末有汇率",
            "a foreign-currency bond has a month-end rate for its issue month",
            "{value} 月末没有汇率（fx_rates），无法折算人民币、计入债券融资目标",
            "no month-end rate for {value} (fx_rates): the bond cannot be converted to CNY or "
            "counted toward the bond target",
            f"{bond}; contract §4",
            _rate_found(),
        ),
        *_common("ipos", "IP", ipo, ipos.COLUMNS, "enterprise_uscc"),
        Rule(
            "IP-E-012",
            "ipos",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "上市阶段为 " + "、".join(ipos.STAGES) + " 之一",
            "stage is a known stage",
            "上市阶段无法识别",
            "unknown stage",
            ipo,
            _in_set("stage", ipos.STAGES),
        ),
        Rule(
            "IP-E-013",
            "ipos",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "同一企业的阶段按 签署IPO协议 → 辅导备案 → 申报受理 → 注册 → 上市 的顺序发生",
            "an enterprise's stages happen in the track's order (签署IPO协议 → 辅导备案 → "
            "申报受理 → 注册 → 上市)",
            "阶段顺序错误：较后的阶段日期早于较前的阶段",
            "stages out of order: a later stage is dated before an earlier one",
            f"{ipo}; 渝财规〔2022〕10号",
            _is_true("stage_in_order", "stage_date"),
        ),
        Rule(
            "IP-E-014",
            "ipos",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "上市时填写股票代码，且代码前缀与交易所板块相符（沪主板 600/601/603/605，科创板"
            " 688/689，深主板 000–003，创业板 300–302，北交所 2025-10-09 起 920、此前 4xx/8xx）",
            "at 上市 a stock code is given and its prefix fits the exchange and board (SSE "
            "600/601/603/605, STAR 688/689, SZSE 000–003, ChiNext 300–302, BSE 920 from "
            "2025-10-09, 4xx/8xx before)",
            "股票代码缺失或与板块不符",
            "stock code missing or not of its board",
            f"{ipo}; docs/domain.md (stock codes)",
            _is_true("stock_code_fits", "stock_code"),
        ),
        Rule(
            "IP-E-015",
            "ipos",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "交易所、板块为已知取值",
            "exchange and board are known values",
            "交易所或板块无法识别",
            "unknown exchange or board",
            ipo,
            (*_in_set("exchange", ipos.EXCHANGES), *_in_set("board", ipos.BOARDS)),
        ),
        Rule(
            "IP-E-016",
            "ipos",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "事件编号在文件内唯一",
            "event id is unique within the file",
            "事件编号在文件内重复",
            "event id repeated within the file",
            ipo,
            _unique("event_id"),
        ),
        Rule(
            "IP-E-017",
            "ipos",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "募集资金非负",
            "amount raised is not negative",
            "募集资金为负数",
            "negative amount raised",
            ipo,
            _at_least_zero(("amount_raised",)),
        ),
        *_common("fund_investments", "FI", fund, fund_investments.COLUMNS, "investee_uscc"),
        Rule(
            "FI-E-012",
            "fund_investments",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "基金类型为 " + "、".join(fund_investments.FUND_TYPES) + " 之一",
            "fund type is a known type",
            "基金类型无法识别",
            "unknown fund type",
            fund,
            _in_set("fund_type", fund_investments.FUND_TYPES),
        ),
        Rule(
            "FI-E-013",
            "fund_investments",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "投资金额为正",
            "amount is positive",
            "投资金额不为正",
            "amount is not positive",
            fund,
            (
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "amount", "min_value": 0, "strict_min": True},
                    "amount",
                ),
            ),
        ),
        Rule(
            "FI-E-014",
            "fund_investments",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "投资编号在文件内唯一",
            "deal id is unique within the file",
            "投资编号在文件内重复",
            "deal id repeated within the file",
            fund,
            _unique("deal_id"),
        ),
        Rule(
            "FI-E-015",
            "fund_investments",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "币种（如填写）为 ISO 4217 代码，未填为人民币",
            "currency, when given, is an ISO 4217 code (CNY when absent)",
            "币种不是 ISO 4217 代码",
            "currency is not an ISO 4217 code",
            f"{fund}; ISO 4217",
            _in_set("currency", "@currencies"),
        ),
        Rule(
            "FI-E-016",
            "fund_investments",
            ERROR,
            CROSS,
            ROW_LEVEL,
            "外币投资在投资月末有汇率",
            "a foreign-currency deal has a month-end rate for its month",
            "{value} 月末没有汇率（fx_rates），无法折算人民币、计入基金投资目标",
            "no month-end rate for {value} (fx_rates): the deal cannot be converted to CNY or "
            "counted toward the fund target",
            f"{fund}; contract §4",
            _rate_found(),
        ),
        *_common("engagements", "EG", meet, engagements.COLUMNS, "enterprise_uscc"),
        Rule(
            "EG-E-012",
            "engagements",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "活动类型为 " + "、".join(engagements.EVENT_TYPES) + " 之一",
            "event type is a known type",
            "活动类型无法识别",
            "unknown event type",
            meet,
            _in_set("event_type", engagements.EVENT_TYPES),
        ),
        Rule(
            "EG-E-013",
            "engagements",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "对接结果为 " + "、".join(engagements.OUTCOMES) + " 之一",
            "outcome is one of 无, 意向, 签约, 放款",
            "对接结果无法识别",
            "unknown outcome",
            meet,
            _in_set("outcome", engagements.OUTCOMES),
        ),
        Rule(
            "EG-E-014",
            "engagements",
            ERROR,
            CROSS,
            ROW_LEVEL,
            "填写的金融机构代码已在机构名录登记",
            "a bank code, when given, is registered",
            "金融机构代码未在机构名录中登记",
            "bank code is not registered",
            f"{meet}; JR/T 0124",
            _in_set("bank_code", "@banks"),
        ),
        Rule(
            "EG-E-015",
            "engagements",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "结果为签约或放款时填写金额",
            "a 签约 or 放款 outcome gives its amount",
            "签约或放款未填写金额",
            "签约 or 放款 without an amount",
            meet,
            _is_true("amount_given", "amount"),
        ),
        Rule(
            "EG-E-016",
            "engagements",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "金额非负",
            "amount is not negative",
            "金额为负数",
            "negative amount",
            meet,
            _at_least_zero(("amount",)),
        ),
        Rule(
            "EG-E-017",
            "engagements",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "同一活动同一企业只有一行",
            "one row per event and enterprise",
            "同一活动同一企业出现多行",
            "an enterprise appears twice in one event",
            meet,
            _unique("event_id", "enterprise_uscc"),
        ),
        *_common("enterprises", "EN", firm, enterprises.COLUMNS, "uscc"),
        Rule(
            "EN-E-012",
            "enterprises",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "行业为 GB/T 4754-2017 中真实存在的大类",
            "industry is a real GB/T 4754-2017 division",
            "行业代码不是 GB/T 4754-2017 的有效大类",
            "industry code is not a real GB/T 4754-2017 division",
            f"{firm}; GB/T 4754-2017",
            (
                Check(
                    "ExpectColumnValuesToBeGbt4754Industry",
                    {"column": "industry_code"},
                    "industry_code",
                ),
            ),
        ),
        Rule(
            "EN-E-013",
            "enterprises",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "区县为重庆市 38 个区县或两江新区、重庆高新区、万盛经开区",
            "district is one of Chongqing's 38 districts and counties or a functional zone",
            "区县无法识别",
            "unknown district",
            firm,
            _in_set("district", enterprises.DISTRICTS),
        ),
        Rule(
            "EN-E-014",
            "enterprises",
            ERROR,
            CROSS,
            ROW_LEVEL,
            "33618 产业集群（如填写）为名录中的集群名称或代码",
            "a 33618 cluster, when given, is one of the seed's names or codes",
            "33618 产业集群无法识别",
            "unknown 33618 cluster",
            f"{firm}; 33618",
            _in_set("cluster_33618", "@clusters"),
        ),
        Rule(
            "EN-E-015",
            "enterprises",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "企业称号为 " + "、".join(enterprises.DESIGNATIONS) + " 中的零个或多个",
            "designations are from the vocabulary",
            "企业称号无法识别",
            "unknown designation",
            firm,
            (
                Check(
                    "ExpectColumnValuesToBeNull", {"column": "unknown_designations"}, "designations"
                ),
            ),
        ),
        Rule(
            "EN-E-016",
            "enterprises",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "统一社会信用代码在文件内唯一",
            "USCC is unique within the file",
            "同一企业在名录中出现多次",
            "an enterprise appears twice in the register",
            firm,
            _unique("uscc"),
        ),
    ]


MONEY_KINDS = ("subsidy_claims", "bridge_loans", "guarantee_compensations", "whitelist_pushes")


def _rule(rule_id: str, kind: str, severity: str, phase: str, level: str, *text, checks) -> Rule:
    """A rule of the plan's money kinds (contract §3.4): text is checks_zh, checks_en,
    message_zh, message_en, clause."""
    return Rule(rule_id, kind, severity, phase, level, *text, checks)


def _between(column: str, low: float | None, high: float | None, **strict: bool) -> Check:
    bounds = {"min_value": low, "max_value": high, **strict}
    return Check(
        "ExpectColumnValuesToBeBetween",
        {"column": column, **{k: v for k, v in bounds.items() if v is not None}},
        column,
    )


def _registered_bank(rule_id: str, kind: str, clause: str) -> Rule:
    return _rule(
        rule_id,
        kind,
        ERROR,
        CROSS,
        ROW_LEVEL,
        "金融机构代码已在机构名录登记",
        "the bank code is registered",
        "金融机构代码未在机构名录中登记",
        "bank code is not registered",
        f"{clause}; JR/T 0124",
        checks=_in_set("bank_code", "@banks"),
    )


def _money_rules() -> list[Rule]:
    """Rules of the plan's money and service kinds (contract §3.4): subsidy claims, bridge
    loans, guarantee compensations and white-list pushes."""
    claim, bridge, case, push = (f"contract §3.4 {k}" for k in MONEY_KINDS)
    sc, bl, gc, wp = MONEY_KINDS
    plan_claim = f"{claim}; plan 四、(一)"
    return [
        *_common(sc, "SC", claim, subsidy_claims.COLUMNS, "enterprise_uscc"),
        _rule(
            "SC-E-012",
            sc,
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "担保机构统一社会信用代码（如填写）符合 GB 32100-2015",
            "the guarantor's USCC, when given, is valid under GB 32100-2015",
            "担保机构统一社会信用代码无效（格式或校验位错误）",
            "invalid guarantor USCC (format or check character)",
            f"{claim}; GB 32100-2015",
            checks=_uscc("guarantor_uscc"),
        ),
        _rule(
            "SC-E-013",
            sc,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "实际贷款利率在 (0, 36) 百分比之间",
            "the actual loan rate is between 0 and 36 percent, exclusive",
            "实际贷款利率超出 (0%, 36%)",
            "actual loan rate outside (0%, 36%)",
            claim,
            checks=(_between("actual_rate", 0, 36, strict_min=True, strict_max=True),),
        ),
        _rule(
            "SC-E-014",
            sc,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "贷款金额为正，利息与担保费非负",
            "the loan amount is positive; interest and guarantee fee are not negative",
            "金额超出范围（贷款金额须为正，利息、担保费不得为负）",
            "amount out of range (the loan amount must be positive, interest and fee not negative)",
            claim,
            checks=(
                _between("loan_amount", 0, None, strict_min=True),
                *_at_least_zero(("interest_paid", "guarantee_fee_paid")),
            ),
        ),
        _rule(
            "SC-E-015",
            sc,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "年化担保费率（如填写）在 [0, 36) 百分比之间",
            "the guarantee fee rate, when given, is in [0, 36) percent",
            "年化担保费率超出 [0%, 36%)",
            "guarantee fee rate outside [0%, 36%)",
            claim,
            checks=(_between("guarantee_fee_rate", 0, 36, strict_max=True),),
        ),
        _rule(
            "SC-E-016",
            sc,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "申请担保费补助时，担保机构代码、担保费率、实付担保费都填写",
            "a guarantee-fee claim gives the guarantor's USCC, the fee rate and the fee paid",
            "担保费补助信息不完整（担保机构代码、费率、实付担保费须同时填写）",
            "incomplete guarantee-fee claim (guarantor USCC, fee rate and fee paid go together)",
            plan_claim,
            checks=_is_true("guarantee_complete", "guarantor_uscc"),
        ),
        _rule(
            "SC-E-017",
            sc,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "申请编号在文件内唯一",
            "claim id is unique within the file",
            "申请编号在文件内重复",
            "claim id repeated within the file",
            claim,
            checks=_unique("claim_id"),
        ),
        _registered_bank("SC-E-018", sc, claim),
        _rule(
            "SC-E-020",
            sc,
            ERROR,
            CROSS,
            LINK_LEVEL,
            "申请的贷款在该银行申请年度已接收的借据中",
            "the claim's loan is in the bank's accepted loans files of the claim year",
            "该行申请年度已接收的借据中没有这笔贷款：{value}",
            "the loan is not in the bank's accepted loans files for the claim year: {value}",
            f"{plan_claim} (技改专项贷)",
            checks=_is_true("loan_found", LOAN_DETAIL),
        ),
        _rule(
            "SC-E-021",
            sc,
            ERROR,
            CROSS,
            LINK_LEVEL,
            "申请的贷款在借据中的贷款产品为技改专项贷",
            "the claim's loan is a 技改专项贷 in the bank's loans file",
            "借据中这笔贷款不是技改专项贷（借据号：贷款产品）：{value}",
            "the loan is not a 技改专项贷 in the bank's loans file (loan: product): {value}",
            f"{plan_claim} (技改专项贷)",
            checks=_is_true("loan_is_tech", TECH_DETAIL),
        ),
        _rule(
            "SC-E-022",
            sc,
            ERROR,
            CROSS,
            LINK_LEVEL,
            "借据中这笔技改专项贷的借款人是申请企业",
            "the 技改专项贷's borrower in the loans file is the claimant",
            "借据中这笔贷款的借款人不是申请企业（借据号 → 借款人）：{value}",
            "the loan's borrower in the loans file is not the claimant (loan → borrower): {value}",
            plan_claim,
            checks=_is_true("borrower_matches", BORROWER_DETAIL),
        ),
        _rule(
            "SC-W-023",
            sc,
            WARNING,
            CROSS,
            LINK_LEVEL,
            "申请的贷款金额与借据中该笔贷款的最高余额差异不超过容差",
            "the claimed loan amount is within the tolerance of the loan's highest balance in "
            "the bank's loans files",
            "申请贷款金额与借据最高余额不符（申请 / 最高余额，元）：{value}",
            "the claimed loan amount differs from the loan's highest balance (claimed / "
            "highest, 元): {value}",
            claim,
            checks=(
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {
                        "column": "amount_gap",
                        "min_value": "@-loan_amount_tolerance",
                        "max_value": "@loan_amount_tolerance",
                    },
                    AMOUNT_DETAIL,
                ),
            ),
        ),
        *_common(bl, "BL", bridge, bridge_loans.COLUMNS, "enterprise_uscc"),
        _rule(
            "BL-E-012",
            bl,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "转贷金额为正，实收使用费非负",
            "the bridge amount is positive and the fee charged not negative",
            "转贷金额不为正或使用费为负数",
            "bridge amount not positive or fee negative",
            bridge,
            checks=(
                _between("amount", 0, None, strict_min=True),
                *_at_least_zero(("fee_charged",)),
            ),
        ),
        _rule(
            "BL-E-013",
            bl,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "转贷结束日期晚于开始日期",
            "the bridge ends after it starts",
            "转贷结束日期不晚于开始日期",
            "the bridge does not end after it starts",
            bridge,
            checks=(
                Check(
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    {
                        "column_A": "end_date",
                        "column_B": "start_date",
                        "ignore_row_if": "either_value_is_missing",
                    },
                    "end_date",
                ),
            ),
        ),
        _rule(
            "BL-E-014",
            bl,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "周转金使用费率在 [0, 36) 百分比之间",
            "the fee rate is in [0, 36) percent",
            "使用费率超出 [0%, 36%)",
            "fee rate outside [0%, 36%)",
            bridge,
            checks=(_between("fee_rate", 0, 36, strict_max=True),),
        ),
        _rule(
            "BL-E-015",
            bl,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "转贷编号在文件内唯一",
            "bridge id is unique within the file",
            "转贷编号在文件内重复",
            "bridge id repeated within the file",
            bridge,
            checks=_unique("bridge_id"),
        ),
        _registered_bank("BL-E-016", bl, bridge),
        *_common(gc, "GC", case, guarantee_compensations.COLUMNS, "enterprise_uscc"),
        _rule(
            "GC-E-012",
            gc,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "代偿损失金额为正",
            "the loss is positive",
            "代偿损失金额不为正",
            "loss is not positive",
            case,
            checks=(_between("loss_amount", 0, None, strict_min=True),),
        ),
        _rule(
            "GC-E-013",
            gc,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "代偿编号在文件内唯一",
            "case id is unique within the file",
            "代偿编号在文件内重复",
            "case id repeated within the file",
            case,
            checks=_unique("case_id"),
        ),
        _registered_bank("GC-E-014", gc, case),
        _rule(
            "GC-E-020",
            gc,
            ERROR,
            CROSS,
            LINK_LEVEL,
            "代偿的贷款在该银行代偿当月及以前已接收的借据中",
            "the compensated loan is in the bank's accepted loans files up to the "
            "compensation's month",
            "该行代偿日前已接收的借据中没有这笔贷款：{value}",
            "the loan is not in the bank's accepted loans files up to the compensation: {value}",
            f"{case}; plan 五、(三)",
            checks=_is_true("loan_found", LOAN_DETAIL),
        ),
        _rule(
            "GC-E-021",
            gc,
            ERROR,
            CROSS,
            LINK_LEVEL,
            "借据中这笔贷款的借款人是代偿所列企业",
            "the loan's borrower in the loans file is the enterprise compensated for",
            "借据中这笔贷款的借款人不是所列企业（借据号 → 借款人）：{value}",
            "the loan's borrower in the loans file is not the enterprise given (loan → "
            "borrower): {value}",
            f"{case}; plan 五、(三)",
            checks=_is_true("borrower_matches", BORROWER_DETAIL),
        ),
        *_common(wp, "WP", push, whitelist_pushes.COLUMNS, "enterprise_uscc"),
        _rule(
            "WP-E-012",
            wp,
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "对接状态为 " + "、".join(whitelist_pushes.STATUSES) + " 之一",
            "status is one of 已推送, 已对接, 已授信, 已放款, 不符合条件",
            "对接状态无法识别",
            "unknown status",
            push,
            checks=_in_set("status", whitelist_pushes.STATUSES),
        ),
        _rule(
            "WP-E-013",
            wp,
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "状态日期不早于推送日期",
            "the status date is on or after the push date",
            "状态日期早于推送日期",
            "status dated before the push",
            push,
            checks=(_a_not_below_b("status_date", "push_date", "status_date"),),
        ),
        _rule(
            "WP-E-014",
            wp,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "已授信、已放款时填写金额，且金额非负",
            "已授信 and 已放款 give their amount, never negative",
            "已授信或已放款未填写金额，或金额为负数",
            "已授信 or 已放款 without an amount, or a negative amount",
            push,
            checks=(*_is_true("amount_given", "amount"), *_at_least_zero(("amount",))),
        ),
        _rule(
            "WP-E-015",
            wp,
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "同一推送的同一状态在文件内只有一行",
            "one row per push and status within the file",
            "同一推送的同一状态出现多行",
            "a push has the same status twice",
            push,
            checks=_unique("push_id", "status"),
        ),
        _registered_bank("WP-E-016", wp, push),
    ]


_TOTAL_AMOUNTS = (
    "total_loans",
    "total_mlt_loans",
    "total_credit_loans",
    "corporate_loans",
    "mfg_loans_reported",
)


def _loan_total_row_rules() -> list[Rule]:
    clause = "contract §3.2"
    return [
        Rule(
            "LT-E-010",
            "loan_totals",
            ERROR,
            SYNTAX,
            ROW_LEVEL,
            "各项金额有值且可解析",
            "every amount is present and readable",
            "金额缺失或无法解析",
            "amount missing or unreadable",
            clause,
            _not_null(("bank_code", "report_period", *_TOTAL_AMOUNTS)),
        ),
        Rule(
            "LT-E-011",
            "loan_totals",
            ERROR,
            VALIDITY,
            ROW_LEVEL,
            "金额非负",
            "amounts are not negative",
            "金额为负数",
            "negative amount",
            clause,
            _at_least_zero(_TOTAL_AMOUNTS),
        ),
        Rule(
            "LT-E-012",
            "loan_totals",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "分项不超过合计（中长期、信用、企事业单位 ≤ 各项；制造业 ≤ 企事业单位）",
            "parts do not exceed their total (MLT, credit, corporate ≤ all loans; "
            "manufacturing ≤ corporate)",
            "分项金额大于合计",
            "a part exceeds its total",
            clause,
            (
                _a_not_below_b("total_loans", "total_mlt_loans", "total_mlt_loans"),
                _a_not_below_b("total_loans", "total_credit_loans", "total_credit_loans"),
                _a_not_below_b("total_loans", "corporate_loans", "corporate_loans"),
                _a_not_below_b("corporate_loans", "mfg_loans_reported", "mfg_loans_reported"),
            ),
        ),
        Rule(
            "LT-E-013",
            "loan_totals",
            ERROR,
            CONSISTENCY,
            ROW_LEVEL,
            "每个机构每个报告期只有一行",
            "one row per bank and period",
            "同一机构同一报告期出现多行",
            "more than one row for the same bank and period",
            clause,
            (
                Check(
                    "ExpectCompoundColumnsToBeDistinct",
                    {"column_list": ["submission_id", "bank_code", "report_period"]},
                    "bank_code",
                ),
            ),
        ),
    ]


def _band(column: str, limit: str) -> tuple[Check, ...]:
    """|column| ≤ the named setting (resolved from GateSettings when suites are built)."""
    return (
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": column, "min_value": f"@-{limit}", "max_value": f"@{limit}"},
        ),
    )


def _cross_rules(kind: str, prefix: str) -> list[Rule]:
    """Cross-file and plausibility rules; the loans file and the bank's loan_totals for the
    same month check each other, whichever arrives second."""
    other_zh, other_en = (
        ("各项贷款报表", "loan_totals") if kind == "loans" else ("对公贷款借据", "loans file")
    )
    clause = "contract §8 (loan-level totals reconcile with loan_totals)"
    return [
        Rule(
            f"{prefix}-E-030",
            kind,
            ERROR,
            CROSS,
            FILE_LEVEL,
            "借据层面企事业单位贷款合计与各项贷款报表的差异不超过错误容差",
            "loan-level corporate total within the error tolerance of loan_totals.corporate_loans",
            "企事业单位贷款与本行报表差异过大：{value}",
            "corporate loans differ too much from the bank's own totals: {value}",
            clause,
            _band("corporate_gap", "reconcile_error"),
        ),
        Rule(
            f"{prefix}-W-030",
            kind,
            WARNING,
            CROSS,
            FILE_LEVEL,
            "借据层面企事业单位贷款合计与报表的差异不超过预警容差",
            "loan-level corporate total within the warning tolerance of loan_totals",
            "企事业单位贷款与本行报表存在差异：{value}",
            "corporate loans differ from the bank's own totals: {value}",
            clause,
            _band("corporate_gap_warn", "reconcile_warning"),
        ),
        Rule(
            f"{prefix}-E-031",
            kind,
            ERROR,
            CROSS,
            FILE_LEVEL,
            "借据层面制造业贷款与报表制造业贷款的差异不超过错误容差",
            "loan-level manufacturing total within the error tolerance of mfg_loans_reported",
            "制造业贷款与本行报表差异过大：{value}",
            "manufacturing loans differ too much from the bank's own figure: {value}",
            clause,
            _band("mfg_gap", "reconcile_error"),
        ),
        Rule(
            f"{prefix}-W-031",
            kind,
            WARNING,
            CROSS,
            FILE_LEVEL,
            "借据层面制造业贷款与报表的差异不超过预警容差",
            "loan-level manufacturing total within the warning tolerance of mfg_loans_reported",
            "制造业贷款与本行报表存在差异：{value}",
            "manufacturing loans differ from the bank's own figure: {value}",
            clause,
            _band("mfg_gap_warn", "reconcile_warning"),
        ),
        Rule(
            f"{prefix}-W-033",
            kind,
            WARNING,
            CROSS,
            FILE_LEVEL,
            f"同一机构同一月份的{other_zh}已收到",
            f"the {other_en} for the same bank and month has arrived",
            f"尚未收到该机构该月的{other_zh}；相关指标暂为空，收齐后自动补算",
            f"no {other_en} yet for this bank and month; the metrics that need it stay "
            "empty until it arrives",
            "contract §4 (a metric whose inputs are missing is NULL)",
            (
                Check(
                    "ExpectColumnValuesToBeInSet",
                    {"column": "counterpart_present", "value_set": [True]},
                ),
            ),
        ),
        Rule(
            f"{prefix}-W-034",
            kind,
            WARNING,
            CROSS,
            FILE_LEVEL,
            "在次月截止日前报送",
            "sent by the due day of the following month",
            "逾期报送：{value}",
            "sent late: {value}",
            "plan 五、(五) (督导评价 data quality)",
            (Check("ExpectColumnValuesToBeBetween", {"column": "days_late", "max_value": 0}),),
        ),
    ]


_MFG_CHANGE_RULE = Rule(
    "LN-W-032",
    "loans",
    WARNING,
    CROSS,
    FILE_LEVEL,
    "制造业贷款余额环比变动不超过设定幅度",
    "manufacturing balance moves within the set bound from the month before",
    "制造业贷款余额环比变动异常：{value}",
    "manufacturing balance changed unusually from the month before: {value}",
    "plausibility (contract §8)",
    _band("mfg_change", "mfg_change_bound"),
)


def _mart_rules() -> list[Rule]:
    """The mart gate: invariants checked on the built marts before they are published."""
    clause = "contract §8 (marts are gated before publish)"
    ratios = ("mfg_loan_share", "mfg_mlt_share", "mfg_credit_share")
    amounts = ("total_loans", "mfg_loans", "mfg_mlt_loans", "mfg_credit_loans")
    parts = (
        ("total_loans", "mfg_loans"),
        ("mfg_loans", "mfg_mlt_loans"),
        ("mfg_loans", "mfg_credit_loans"),
    )
    rules = []
    for table, prefix in (("bank_loan_metrics", "MB"), ("city_loan_metrics", "MC")):
        rules += [
            Rule(
                f"{prefix}-E-001",
                table,
                ERROR,
                MART,
                MART_LEVEL,
                "比率在 [0, 1] 之间",
                "ratios lie in [0, 1]",
                "比率超出 [0, 1]",
                "a ratio is outside [0, 1]",
                clause,
                tuple(
                    Check(
                        "ExpectColumnValuesToBeBetween",
                        {"column": c, "min_value": 0, "max_value": 1},
                        c,
                    )
                    for c in ratios
                ),
            ),
            Rule(
                f"{prefix}-E-002",
                table,
                ERROR,
                MART,
                MART_LEVEL,
                "分项不超过合计（制造业 ≤ 各项；中长期、信用 ≤ 制造业）",
                "parts do not exceed totals (manufacturing ≤ all loans; MLT, credit ≤ "
                "manufacturing)",
                "分项大于合计",
                "a part exceeds its total",
                clause,
                tuple(_a_not_below_b(whole, part, part) for whole, part in parts),
            ),
            Rule(
                f"{prefix}-E-003",
                table,
                ERROR,
                MART,
                MART_LEVEL,
                "金额非负",
                "amounts are not negative",
                "金额为负数",
                "negative amount",
                clause,
                _at_least_zero(amounts),
            ),
        ]
    rules += [
        Rule(
            "MB-E-004",
            "bank_loan_metrics",
            ERROR,
            MART,
            MART_LEVEL,
            "每家银行每个月只有一行",
            "one row per bank and month",
            "同一银行同一月份有多行",
            "more than one row for a bank and month",
            clause,
            (
                Check(
                    "ExpectCompoundColumnsToBeDistinct",
                    {"column_list": ["bank_code", "period"]},
                    "bank_code",
                ),
            ),
        ),
        Rule(
            "MB-E-005",
            "bank_loan_metrics",
            ERROR,
            MART,
            MART_LEVEL,
            "借据层面对公贷款与各项贷款报表的差异在错误容差内",
            "loan-level corporate total reconciles with loan_totals within the error tolerance",
            "借据层面对公贷款与报表不符",
            "loan-level corporate total does not reconcile",
            clause,
            _band("corporate_gap", "reconcile_error"),
        ),
        Rule(
            "MC-E-004",
            "city_loan_metrics",
            ERROR,
            MART,
            MART_LEVEL,
            "每个月只有一行",
            "one row per month",
            "同一月份有多行",
            "more than one row for a month",
            clause,
            (Check("ExpectColumnValuesToBeUnique", {"column": "period"}, "period"),),
        ),
        Rule(
            "MC-E-005",
            "city_loan_metrics",
            ERROR,
            MART,
            MART_LEVEL,
            "全市各项余额等于报送该文件的银行之和",
            "each city balance equals the sum over the banks whose file for it was accepted",
            "全市合计与各银行之和不符",
            "city total differs from the sum over banks",
            clause,
            tuple(
                Check(
                    "ExpectColumnValuesToBeBetween",
                    {"column": f"{c}_minus_banks", "min_value": 0, "max_value": 0},
                    c,
                )
                for c in amounts
            ),
        ),
    ]
    return rules


PREFIXES = {
    "loans": "LN",
    "loan_totals": "LT",
    "bonds": "BD",
    "ipos": "IP",
    "fund_investments": "FI",
    "engagements": "EG",
    "enterprises": "EN",
    "subsidy_claims": "SC",
    "bridge_loans": "BL",
    "guarantee_compensations": "GC",
    "whitelist_pushes": "WP",
}
CLAUSES = {
    "loans": "contract §3.1",
    "loan_totals": "contract §3.2",
    **{k: f"contract §3.3 {k}" for k in ("bonds", "ipos", "fund_investments", "engagements")},
    "enterprises": "contract §3.3 enterprises",
    **{k: f"contract §3.4 {k}" for k in MONEY_KINDS},
}

RULES: tuple[Rule, ...] = tuple(
    [
        *_file_rules(),
        *(r for k in KINDS for r in _kind_file_rules(k, PREFIXES[k], CLAUSES[k])),
        *_loan_row_rules(),
        *_loan_total_row_rules(),
        *_register_rules(),
        *_money_rules(),
        *_cross_rules("loans", "LN"),
        _MFG_CHANGE_RULE,
        *_cross_rules("loan_totals", "LT"),
        *_mart_rules(),
    ]
)
RULES_BY_ID = {r.rule_id: r for r in RULES}


def rules_for(kind: str, level: str) -> tuple[Rule, ...]:
    """The rules of one kind decided at one level."""
    return tuple(r for r in RULES if r.kind == kind and r.level == level)
