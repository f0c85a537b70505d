"""The filing service end to end in a real headless browser: `zhirong serve` on a real port,
Debian's Chromium driven by Playwright (installed by scripts/install-test-tools; Playwright's
own browser download does not reach this network). A bank's reporting officer logs in,
uploads a file with a warning, reads the finding, explains it, signs and sees the receipt —
on a 1366×768 screen, with nothing to scroll sideways."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from service.accounts import Accounts
from tests.helpers import BANK_A, loan, write_csv
from warehouse.home import Home

pytestmark = pytest.mark.integration

# Set to a folder to keep the pages' screenshots (docs/service/ holds the ones shown there).
SCREENSHOTS = os.environ.get("ZHIRONG_SCREENSHOT_DIR")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps calling out to a network this machine does not reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(home: Home, port: int) -> list[str]:
    """The `zhirong serve` command line for `home` on `port`."""
    return [
        sys.executable,
        "-m",
        "orchestration.cli",
        "--home",
        str(home.root),
        "serve",
        "--port",
        str(port),
    ]


@pytest.fixture(scope="module")
def served(scorecard_home, tmp_path_factory):
    """`zhirong serve` on a copy of the refreshed six-bank home, and a bank account."""
    home = Home(tmp_path_factory.mktemp("served") / "home")
    shutil.copytree(scorecard_home.root, home.root)
    made = Accounts(home.accounts_db).add("li.wei", "bank", BANK_A)
    port = _free_port()
    server = subprocess.Popen(
        _serve(home, port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health") as answer:
                assert answer.status == 200
                break
        except OSError as exc:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    f"zhirong serve did not start: {server.stderr.read()}"
                ) from exc
            time.sleep(0.3)
    yield home, made, base
    server.terminate()
    server.wait(timeout=30)


def _shot(page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def _fits(page) -> None:
    """Nothing wider than the laptop's screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_bank_logs_in_uploads_reads_the_finding_explains_signs_and_sees_the_receipt(
    served, tmp_path
):
    home, made, base = served
    path = write_csv(tmp_path / "对公贷款_202610.csv", [loan(), loan(loan_id="L0002")])
    chromium = shutil.which("chromium") or shutil.which("chromium-headless-shell")
    assert chromium, "Debian's chromium is missing: run ./scripts/install-test-tools"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(f"{base}/upload")
        # Not logged in: the login page, and back to the upload page after it.
        assert "/login" in page.url
        page.fill("input[name=name]", "li.wei")
        page.fill("input[name=password]", made.password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/upload")
        assert page.get_by_text("上传报送文件").is_visible()
        _fits(page)
        page.set_input_files("input[type=file]", str(path))
        _shot(page, "upload.png", tmp_path)
        page.get_by_role("button", name="上传并校验 Upload and check").click()
        page.wait_for_url(f"{base}/submissions/*")

        # The findings, at once: the late-filing warning in both languages.
        assert page.locator("h1 .status").inner_text() == "有预警，须说明后签署"
        findings = page.locator(".findings")
        assert "LN-W-034" in findings.inner_text()
        assert "逾期报送" in findings.inner_text() and "sent late" in findings.inner_text()
        assert page.get_by_role("button", name="签署报送 Sign and file").count() == 0
        _fits(page)
        _shot(page, "findings.png", tmp_path)

        page.fill("textarea[name=justification]", "十月系统迁移，晚报已向人民银行重庆分行报备")
        page.get_by_role("button", name="确认预警 Acknowledge").click()
        page.wait_for_load_state()
        assert "十月系统迁移" in page.locator("dl.receipt").inner_text()
        page.get_by_role("button", name="签署报送 Sign and file").click()
        page.wait_for_load_state()

        assert page.locator("h1 .status").inner_text() == "已签署"
        receipt = page.locator("dl.receipt").inner_text()
        sid = page.url.rsplit("/", 1)[1]
        assert "li.wei" in receipt  # signed by
        assert "北京时间" in receipt  # the server's receipt time, as people here read it
        assert page.get_by_role("button", name="签署报送 Sign and file").count() == 0
        _shot(page, "receipt.png", tmp_path)
        browser.close()
    handed = home.inbox / "filing-service" / sid / path.name
    assert handed.read_bytes() == path.read_bytes()


def test_a_second_service_on_the_same_home_is_refused(served):
    home, _, _ = served
    second = subprocess.run(
        _serve(home, _free_port()),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 1
    assert "already running" in second.stderr
