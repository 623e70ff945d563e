"""``ediscovery sandbox`` prints the URL it really serves, and says so when it cannot serve."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx

from ediscovery.sandbox import DEMO_KEY

ROOT = Path(__file__).resolve().parents[2]
CODE = "from ediscovery.cli import main; main()"


def test_port_0_prints_the_port_it_bound_and_serves_there() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", CODE, "sandbox", "--port", "0", "--scale", "tiny"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        assert line.startswith("Compliance API sandbox: http://127.0.0.1:")
        url = line.split(": ", 1)[1]
        assert not url.endswith(":0")
        answer = httpx.get(
            f"{url}/v1/compliance/organizations",
            headers={"x-api-key": DEMO_KEY, "anthropic-version": "2023-06-01"},
            timeout=10,
        )
        assert answer.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_busy_port_is_an_error_before_any_url_is_printed() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-c", CODE, "sandbox", "--port", str(port), "--scale", "tiny"],
            capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"Error: Cannot serve the sandbox on 127.0.0.1:{port}" in done.stderr
    assert "Choose another port with --port (0 lets the system pick a free one)." in done.stderr
