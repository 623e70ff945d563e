"""Network trouble that retrying cannot fix fails at once and names its cause."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ediscovery.cli.collect import command
from ediscovery.sandbox import DEMO_KEY

KEY_ENV = "EDISCOVERY_TEST_KEY"


def _collect(api_url: str, out: Path) -> tuple[int, str]:
    args = ["--matter", "m", "--custodian", "alice@example.com", "--api-url", api_url, "--key-env", KEY_ENV,
            "--out", str(out), "--no-pdf", "-q"]  # fmt: skip
    run = CliRunner().invoke(command, args, env={KEY_ENV: DEMO_KEY})
    return run.exit_code, run.stderr


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("127.0.0.1:8787", "the API URL must start with https://"),
        ("ftp://127.0.0.1:8787", "the API URL must start with https://"),
        ("http://no-such-host.invalid", "the API host name cannot be resolved (DNS)"),
    ],
)
def test_a_url_that_cannot_work_fails_at_once_naming_why(url: str, cause: str, tmp_path: Path) -> None:
    code, stderr = _collect(url, tmp_path)
    assert code == 1
    assert cause in stderr
    assert "Retrying cannot fix this; check --api-url." in stderr
    assert "Traceback" not in stderr


def test_https_to_a_plain_http_server_names_the_tls_cause(live_sandbox: str, tmp_path: Path) -> None:
    code, stderr = _collect(live_sandbox.replace("http://", "https://"), tmp_path)
    assert code == 1
    assert "TLS failed (" in stderr and "speaks plain http" in stderr
