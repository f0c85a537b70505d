"""A wheel is the whole product: built from the source, installed into a fresh virtual
environment, it runs the demo from any directory and writes nothing into its own package
directory (dbt's state, the Dagster instance and every file go under the home)."""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "quality", "warehouse", "exports", "orchestration", "sample", "dbt_project")


def _tree(directories: list[Path]) -> dict[str, tuple[int, int]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns) for d in directories for p in d.rglob("*")
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed. Its dependencies come from this test
    environment's site-packages (a path line, so nothing of this checkout is importable)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", "zhirong_home", ".pytest_cache"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            str(source),
            "-w",
            str(work / "dist"),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (work / "dist").glob("zhirong-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "_zhirong_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
    )
    return venv


def _environment(venv: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "ZHIRONG_HOME", "DAGSTER_HOME")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def _printed(installed: Path, code: str) -> str:
    """What `code` prints, run by the installed venv's Python."""
    return subprocess.run(
        [installed / "bin" / "python", "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env=_environment(installed),
        cwd=installed,
    ).stdout.strip()


def test_the_wheel_holds_the_dbt_project_and_imports_from_the_venv(installed):
    project = Path(_printed(installed, "import orchestration.dbt as d; print(d.DBT_PROJECT_DIR)"))
    assert project.is_relative_to(installed)
    assert (project / "dbt_project.yml").is_file()
    assert (project / "models" / "marts" / "bank_loan_metrics.sql").is_file()
    assert (project / "seeds" / "banks.csv").is_file()
    # The filing service's pages ship with it.
    templates = _printed(
        installed,
        "import pathlib, service.app as a; print(pathlib.Path(a.__file__).parent / 'templates')",
    )
    assert Path(templates).is_relative_to(installed)
    assert {"login.html", "upload.html", "submission.html"} <= {
        p.name for p in Path(templates).glob("*.html")
    }


def test_the_installed_wheel_runs_the_demo_and_leaves_its_package_untouched(installed, tmp_path):
    site = next((installed / "lib").glob("python3*/site-packages"))
    packages = [site / name for name in PACKAGES]
    before = _tree(packages)
    home = tmp_path / "home"
    done = subprocess.run(
        [installed / "bin" / "zhirong", "--home", str(home), "demo", "--banks", "3"],
        capture_output=True,
        text=True,
        env=_environment(installed),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "演示完成" in done.stdout
    assert (home / "published" / "zhirong.duckdb").is_file()
    assert (home / "dbt" / "target" / "manifest.json").is_file()
    assert list((home / "exports").glob("*/*.xlsx"))
    _the_plans_money_is_filled(home)
    assert _tree(packages) == before
    assert not (site / "dbt_project" / "target").exists()
    assert not (site / "dbt_project" / "logs").exists()


MONEY_SHEETS = {
    "interest_subsidies": "贴息",
    "guarantee_fee_subsidies": "担保费补助",
    "bridge_loans": "应急转贷",
    "risk_sharing": "风险分担",
    "risk_sharing_by_year": "分担汇总",
    "policy_rewards": "奖励",
    "whitelist_pipeline": "白名单推送",
    "whitelist_pipeline_by_bank": "白名单按银行",
}


def _the_plans_money_is_filled(home: Path) -> None:
    """After the demo every money mart has rows, every claim and compensation named a real
    loan (no finding on any money file), and the regulator workbook shows each mart."""
    import duckdb
    import openpyxl

    con = duckdb.connect(str(home / "published" / "zhirong.duckdb"), read_only=True)
    try:
        counts = {
            table: con.execute(f"select count(*) from marts.{table}").fetchall()[0][0]
            for table in MONEY_SHEETS
        }
        findings = con.execute(
            "select count(*) from audit.findings join audit.submissions using (submission_id) "
            "where kind in ('subsidy_claims', 'bridge_loans', 'guarantee_compensations', "
            "'whitelist_pushes')"
        ).fetchall()[0][0]
        capped = con.execute(
            "select count(*) from marts.interest_subsidies where binding_limit = 'project_year_cap'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert all(counts.values()), counts
    assert findings == 0 and capped >= 1
    (workbook,) = (home / "exports").glob("*/*监管汇总.xlsx")
    book = openpyxl.load_workbook(workbook, read_only=True)
    for table, sheet in MONEY_SHEETS.items():
        # Title and header rows, then the rows of the years (or months) up to the period.
        assert book[sheet].max_row > 2, (table, sheet)
