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
    assert _tree(packages) == before
    assert not (site / "dbt_project" / "target").exists()
    assert not (site / "dbt_project" / "logs").exists()
