"""A bank's check of one 256-line loans file, two ways: `zhirong validate` started cold (a
new process, every import paid), and an upload to a running filing service (`zhirong
serve`, real HTTP, the gate warm). Prints the cold seconds, then the warm upload's median.

    python -m bench.validate WORK_DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import date
from pathlib import Path

from bench.month import write_month

ROWS = 256
UPLOADS = 7


def files(folder: Path) -> list[Path]:
    """One bank's month: its 256 loan lines and its loan totals."""
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_month(folder, date(2026, 10, 31), ROWS, banks=1)
        (folder / ".complete").touch()
    return sorted(folder.glob("*.csv"))


def _zhirong() -> str:
    return str(Path(sys.executable).with_name("zhirong"))


def cold(paths: list[Path], times: int = 3) -> float:
    """Median wall seconds of `zhirong validate` on the loans file, each in a new process
    (the first run also reads the interpreter's files from disk: the median is the habit)."""
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        subprocess.run(
            [_zhirong(), "validate", str(paths[-1])], check=True, capture_output=True, timeout=300
        )
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _upload(url: str, token: str, path: Path) -> tuple[float, dict]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{url}/api/v1/submissions",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.load(response)
    return time.perf_counter() - started, answer


def warm(paths: list[Path], home: Path) -> list[float]:
    """Seconds of each upload of the loans file to a running service, after the first."""
    from service.accounts import Accounts
    from warehouse.home import Home

    shutil.rmtree(home, ignore_errors=True)
    made = Home(home).ensure()
    token = Accounts(made.accounts_db).add("bench-bank", "bank", "C1901150100001").token
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [_zhirong(), "--home", str(home), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the filing service did not start") from None
                time.sleep(0.2)
        seconds = []
        for _ in range(UPLOADS + 1):
            took, answer = _upload(url, token, paths[-1])
            assert answer["status"] == "with_warnings", answer
            seconds.append(took)
        return seconds[1:]
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("work", type=Path)
    args = parser.parse_args()
    paths = files(args.work / "data" / f"validate-{ROWS}")
    cli = cold(paths)
    uploads = warm(paths, args.work / "homes" / "service")
    print(f"uploads: {' '.join(f'{s:.3f}' for s in uploads)}")
    print(f"{cli:.2f} s cold CLI, {statistics.median(uploads):.3f} s warm upload")


if __name__ == "__main__":
    main()
