"""The regulator's workbook and the nightly export step, on the six-bank fixture."""

import openpyxl
import pytest

from orchestration.cli import main
from tests.helpers import SCORECARD_BANKS

pytestmark = pytest.mark.integration


def test_workbook_ranks_every_bank_with_grades_and_quality(scorecard_home, tmp_path):
    assert (
        main(
            [
                "--home",
                str(scorecard_home.root),
                "workbook",
                "--period",
                "2026-09",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    book = openpyxl.load_workbook(tmp_path / "2026-09_督导评价_监管汇总.xlsx")
    assert book.sheetnames == [
        "银行排名",
        "全市指标",
        "规划进度",
        "数据质量",
        "报送完整性",
        "评价变更",
        "贴息",
        "担保费补助",
        "应急转贷",
        "风险分担",
        "分担汇总",
        "奖励",
        "白名单推送",
        "白名单按银行",
        "口径说明",
    ]
    ranking = book["银行排名"]
    header = [c.value for c in ranking[2]]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in ranking.iter_rows(min_row=3)
    ]
    # Hand-computed in tests/dbt_project/test_bank_scorecard.py.
    assert [(r["机构代码"], r["等级"]) for r in rows[:6]] == [
        ("C1903150100003", "A"),
        ("C1901150100001", "B"),
        ("C1905150100005", "C"),
        ("C2901150200001", "C"),
        ("C1904150100004", "D"),
        ("C1902150100002", "D"),
    ]
    # Then the 20 registered banks that sent nothing, tied at 5.00 (data quality 50 × 10 %).
    assert [r["全市排名"] for r in rows] == [1, 2, 3, 4, 5, 6] + [7] * 20
    assert {r["综合得分"] for r in rows[6:]} == {5.0}
    assert ranking.freeze_panes == "A3"
    city = book["全市指标"]
    periods = [row[0].value for row in city.iter_rows(min_row=3)]
    assert periods == ["2025-09", "2026-09"]
    # City 2026-09: M = 1200 + 1000 + 1100 + 900 + 1050 + 1000 = 6250 元 of T = 61000 元.
    header = [c.value for c in city[2]]
    last = {h: c.value for h, c in zip(header, city[4], strict=True)}
    assert last["制造业贷款余额（亿元）"] == pytest.approx(6250 / 1e8)
    assert last["制造业贷款占比"] == pytest.approx(6250 / 61000)
    quality = book["数据质量"]
    header = [c.value for c in quality[2]]
    late = {
        row[0].value: dict(zip(header, (c.value for c in row), strict=True))
        for row in quality.iter_rows(min_row=3)
    }
    assert late["C1905150100005"]["本期逾期"] == 1
    assert late["C1905150100005"]["本期数据质量得分"] == 85
    assert late["C1901150100001"]["累计收到文件"] == 4
    completeness = book["报送完整性"]
    header = [c.value for c in completeness[2]]
    filings = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in completeness.iter_rows(min_row=3)
    ]
    # 26 banks × 2 kinds owed; the 40 missing first, the one late file next.
    assert len(filings) == 52
    assert [f["报送状态"] for f in filings].count("缺报") == 40
    assert filings[40]["机构代码"] == "C1905150100005" and filings[40]["报送状态"] == "逾期"
    assert filings[40]["截止日"] == "2026-10-15"
    assert book["评价变更"]["A3"].value is None  # nothing has moved since the freeze
    progress = book["规划进度"]
    header = [c.value for c in progress[2]]
    targets = [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in progress.iter_rows(min_row=3)
    ]
    assert len(targets) == 9 * 4
    # City 2026-09 share 6250 / 61000, shown as a percentage cell.
    share = next(t for t in targets if t["年份"] == 2026 and "10%" in t["目标"])
    assert share["实际值"] == pytest.approx(6250 / 61000)
    assert share["截至"] == "2026-09"


def test_nightly_job_wrote_the_quarter_and_rewrites_packs_only_when_data_changes(scorecard_home):
    folder = scorecard_home.exports / "2026-09"
    packs = sorted(folder.glob("2026-09_C*"))
    # Every bank with a scorecard: the six that filed and the 20 that owed files and sent none.
    assert len(packs) == 3 * 26 and len(SCORECARD_BANKS) == 6
    assert (folder / "2026-09_督导评价_监管汇总.xlsx").is_file()
    before = {p: p.stat().st_mtime_ns for p in packs}
    assert main(["--home", str(scorecard_home.root), "build"]) == 0
    assert {p: p.stat().st_mtime_ns for p in packs} == before
