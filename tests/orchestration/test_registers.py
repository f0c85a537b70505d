"""The registers (bonds, IPOs, funds, engagements, enterprises) live the same life as loan
files: a messy container is read, a newer file for the same month supersedes the older, a
bad file is rejected whole and kept with its reasons."""

import duckdb
import pytest
import xlsxwriter

from orchestration.cli import main
from tests.helpers import bond, ipo, write_csv

pytestmark = pytest.mark.integration
BOND_FINANCING_2026 = (
    "select actual_value from marts.plan_target_progress "
    "where target_code = 'bond_financing' and year = 2026"
)


def _bonds_xlsx(path, rows, unit="亿元"):
    """The regulator's layout: a title, a unit note, a blank row, Chinese headers."""
    from ingest.bonds import COLUMNS

    zh = {c.name: c.zh for c in COLUMNS}
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        sheet.write_string(0, 0, "制造业企业债券融资情况（2026年10月）")
        sheet.write_string(1, 0, f"单位：{unit}")
        for c, name in enumerate(rows[0]):
            sheet.write_string(3, c, zh[name])
        for r, row in enumerate(rows, start=4):
            for c, (name, value) in enumerate(row.items()):
                if name == "amount":
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, value)
    return path


def _published(home, sql):
    con = duckdb.connect(str(home / "published" / "zhirong.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_resubmitted_month_supersedes_and_a_bad_file_is_rejected_and_kept(tmp_path, capsys):
    home = tmp_path / "home"
    first = _bonds_xlsx(
        tmp_path / "债券融资_202610.xlsx", [bond(amount="2.5"), bond(filing_id="B2", amount="1")]
    )
    assert main(["--home", str(home), "ingest", str(first)]) == 0
    assert main(["--home", str(home), "build"]) == 0
    # 单位：亿元 scales the amounts: 2.5亿 + 1亿.
    assert _published(home, BOND_FINANCING_2026) == [(350_000_000.0,)]

    again = _bonds_xlsx(tmp_path / "债券融资_202610_更正.xlsx", [bond(amount="2.5")])
    bad = write_csv(
        tmp_path / "bonds_bad.csv",
        [bond(filing_id="B9", bond_type="科技创新债券", issue_date="2026-10-20")],
    )
    assert main(["--home", str(home), "ingest", str(again), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "BD-E-013" in out
    assert main(["--home", str(home), "build"]) == 0
    statuses = dict(_published(home, "select file_name, status from audit.submissions"))
    assert statuses == {first.name: "superseded", again.name: "accepted", bad.name: "rejected"}
    assert _published(home, BOND_FINANCING_2026) == [(250_000_000.0,)]
    kept = [p.name for p in (home / "received").rglob("*") if p.is_file()]
    assert any(name.endswith(bad.name) for name in kept)
    assert any(name.endswith(bad.name + ".findings.csv") for name in kept)


def test_stages_out_of_order_across_files_are_a_warning_not_a_rejection(tmp_path, capsys):
    home = tmp_path / "home"
    october = write_csv(
        tmp_path / "ipos_2026-10.csv",
        [ipo(event_id="E1", stage="申报受理", stage_date="2026-10-05")],
    )
    november = write_csv(
        tmp_path / "ipos_2026-11.csv",
        [ipo(event_id="E2", stage="辅导备案", stage_date="2026-11-20")],
    )
    assert main(["--home", str(home), "ingest", str(october), str(november)]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "build"]) == 0
    err = capsys.readouterr().err
    assert "ipo_stages_follow_the_track warn" in err
    stages = _published(home, "select ipo_stage_reached from marts.enterprise_financing")
    assert stages == []  # no register yet: the events are kept, nothing is invented
