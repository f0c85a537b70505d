"""The CLI explains itself: bilingual help with defaults and examples, argument errors that
exit 2 with a message and never a traceback, a mistyped home refused, query results that fit
the terminal, times in Beijing time, and a self-check that finds a file's counterpart."""

import re
import unicodedata
from datetime import timedelta

import duckdb
import openpyxl
import pytest

from orchestration.cli import main
from tests.helpers import write_scorecard_quarter
from warehouse.home import Home

pytestmark = pytest.mark.integration

COMMANDS = [
    "demo",
    "generate",
    "ingest",
    "build",
    "refresh",
    "sql",
    "validate",
    "scorecard",
    "workbook",
    "rules",
    "dictionary",
    "evaluate",
    "status",
    "users",
    "serve",
]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_bilingual_description_and_examples(command, capsys):
    assert main([command, "--help"]) == 0
    page = capsys.readouterr().out
    assert re.search(r"[\u4e00-\u9fff]{4}", page), command  # Chinese
    assert re.search(r"\b(the|a|an)\b", page), command  # English
    assert "例 examples:" in page and f"zhirong {command}" in page.split("例 examples:")[1]


def test_option_defaults_are_shown(capsys):
    main(["demo", "--help"])
    page = capsys.readouterr().out
    assert "(default: 26)" in page  # --banks
    assert "(default: 2023-01)" in page and "(default: 2026-10)" in page
    assert "(default: None)" not in page


# The newcomer's list: each exits 2 with a message naming what is wrong.
MISTAKES = [
    (["demo", "--start", "2026-99"], "YYYY-MM"),
    (["generate", "--start", "2027-01", "--end", "2026-01"], "--start 2027-01 is after"),
    (["demo", "--banks", "0"], "not a positive whole number"),
    (["generate", "--banks", "27"], "the sample has 26 banks"),
    (["generate", "--enterprises", "5"], "--enterprises must be at least"),
    (["scorecard", "--all", "--period", "2026-13"], "YYYY-MM or YYYYMM"),
    (["evaluate", "--period", "2026-08"], "03, 06, 09 or 12"),
    (["rules", "LN-E-0O4"], "LN-E-004"),
    (["sql", "select 1", "--format", "xlsx"], "needs --out"),
    (["refresh", "--wait", "-1"], "seconds"),
    (["sql", "select 1", "--memory-limit", "lots"], "size"),
]


@pytest.mark.parametrize(("argv", "said"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_an_argument_error_exits_2_with_a_message(argv, said, tmp_path, capsys):
    assert main(["--home", str(tmp_path / "home"), *argv]) == 2
    err = capsys.readouterr().err
    assert said in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["build", "refresh", "evaluate"])
def test_a_home_that_never_received_a_file_is_refused_and_left_uncreated(command, tmp_path, capsys):
    typo = tmp_path / "zhirong_hmoe"
    argv = ["--home", str(typo), command] + (
        ["--period", "2026-09"] if command == "evaluate" else []
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(typo) in err and "--allow-empty" in err
    assert not typo.exists()


def test_allow_empty_builds_an_empty_warehouse_on_purpose(tmp_path, capsys):
    home = tmp_path / "empty"
    assert main(["--home", str(home), "build", "--allow-empty"]) == 0
    assert (home / "published" / "zhirong.duckdb").is_file()


def test_a_period_may_be_written_yyyymm(scorecard_home, tmp_path):
    assert (
        main(
            [
                "--home",
                str(scorecard_home.root),
                "workbook",
                "--period",
                "202609",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "2026-09_督导评价_监管汇总.xlsx").is_file()


def test_rules_id_prints_that_rule_alone(capsys):
    assert main(["rules", "ln-w-033"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LN-W-033")
    assert "contract §4" in out and "loan_totals" in out
    assert "LN-E-004" not in out


def test_sql_fits_a_wide_result_to_the_terminal(scorecard_home, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert (
        main(["--home", str(scorecard_home.root), "sql", "select * from marts.bank_scorecard"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    table = [line for line in out if not line.startswith(("（", "("))]
    assert max(_width(line) for line in table) <= 80
    assert " … " in table[0]
    assert table[0].startswith("bank_code")
    assert any("columns not shown" in line for line in out)


def test_sql_right_aligns_numbers_and_separates_yuan(scorecard_home, capsys):
    assert (
        main(
            [
                "--home",
                str(scorecard_home.root),
                "sql",
                "select bank_code, total_loans, mfg_loan_share from marts.bank_loan_metrics "
                "where bank_code = 'C1901150100001' and period = date '2026-09-30'",
            ]
        )
        == 0
    )
    header, rule, row, *_ = capsys.readouterr().out.splitlines()
    # Bank A 2026-09: 1,200 元 of manufacturing loans in 11,000 元 of loans.
    cells = row.split(" | ")
    assert cells[1] == "  11,000.00"  # under "total_loans", right-aligned
    assert cells[2] == "      0.109091"  # 1200 / 11000 to six significant digits
    assert header.split(" | ")[1] == "total_loans"


def test_a_duckdb_error_is_printed_once(scorecard_home, capsys):
    assert (
        main(
            [
                "--home",
                str(scorecard_home.root),
                "sql",
                "select bank_cod from marts.bank_loan_metrics",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err.count('Referenced column "bank_cod" not found') == 1
    assert "查询失败" in err and "query failed" in err


def test_sql_writes_a_typed_print_ready_workbook(scorecard_home, tmp_path, capsys):
    out = tmp_path / "loans.xlsx"
    assert (
        main(
            [
                "--home",
                str(scorecard_home.root),
                "sql",
                "select bank_code, period, total_loans from marts.bank_loan_metrics "
                "where bank_code = 'C1901150100001' order by period",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(out)["结果"]
    assert [c.value for c in sheet[1]] == ["bank_code", "period", "total_loans"]
    assert sheet["C3"].value == 11000 and sheet["C3"].number_format == "#,##0.00"
    assert sheet["B3"].value.date().isoformat() == "2026-09-30"
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"


def test_status_shows_times_in_beijing_time(scorecard_home, capsys):
    con = duckdb.connect(str(scorecard_home.published_db), read_only=True)
    published = con.execute("select max(published_at) from meta.publication").fetchone()[0]
    con.close()
    assert main(["--home", str(scorecard_home.root), "status"]) == 0
    out = capsys.readouterr().out
    beijing = published + timedelta(hours=8)
    assert f"published at {beijing:%Y-%m-%d %H:%M} 北京时间" in out
    assert "UTC" not in out


def test_validate_finds_the_counterpart_among_the_homes_files(scorecard_home, tmp_path, capsys):
    sender = Home(tmp_path / "sender").ensure()
    write_scorecard_quarter(sender.inbox)
    loans = sender.inbox / "loans_C1901150100001_2026-09.csv"
    # The home holds the bank's accepted totals for the month: no LN-W-033.
    assert main(["--home", str(scorecard_home.root), "validate", str(loans)]) == 0
    out = capsys.readouterr().out
    assert "LN-W-033" not in out
    # A home that has nothing: the warning, and a hint to pass both files.
    assert main(["--home", str(tmp_path / "nothing"), "validate", str(loans)]) == 0
    out = capsys.readouterr().out
    assert "LN-W-033" in out and "pass both files" in out
    assert not (tmp_path / "nothing").exists()


def test_progress_numbers_files_and_dbt_nodes_in_order_with_phase_timings(tmp_path, capfd):
    home = Home(tmp_path / "home").ensure()
    write_scorecard_quarter(home.inbox)
    assert main(["--home", str(home.root), "refresh"]) == 0
    err = capfd.readouterr().err.splitlines()
    # 6 banks × 2 months × 2 kinds: every file told once received and once judged.
    received = [line for line in err if "收到 received" in line]
    judged = [line for line in err if re.match(r"\[\d+/24\] ✔ #\d+ ", line)]
    assert len(received) == 24 and len(judged) == 24
    assert received[0].startswith("[1/24]") and judged[-1].startswith("[24/24]")
    numbers = [int(m.group(1)) for line in err if (m := re.match(r"dbt \[ *(\d+)/(\d+)\]", line))]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 30
    for phase in (
        "接收与校验 ingest and gate",
        "dbt 构建与测试 build and test",
        "数据集市校验 mart gate",
        "发布 publish",
        "导出 exports",
    ):
        assert any(re.fullmatch(rf"── {phase}: \d+\.\d s ──", line) for line in err), phase
    assert any(
        re.match(r"dbt: \d+ 个模型与种子 models and seeds, 测试 tests \d+ 通过 passed, 0 ", line)
        for line in err
    )
    assert any(re.match(r"\[26/26\] C\d{13} ", line) for line in err)  # every pack counted
