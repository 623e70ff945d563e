"""A command loads only what it uses before it starts: ``collect`` makes its first request
without the PDF engine, py7zr or the cryptography, which it loads while it waits on the API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("weasyprint", "py7zr", "cryptography", "rfc3161_client", "pypdf")

_CHILD = """
import json, sys
import click
from ediscovery.cli import cli
cli.get_command(click.Context(cli), sys.argv[1])
print(json.dumps(sorted(m for m in sys.argv[2:] if m in sys.modules)))
"""


def _loaded(command: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, command, *HEAVY], capture_output=True, text=True, check=True, cwd=ROOT
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_collect_starts_without_the_pdf_engine_py7zr_or_the_cryptography() -> None:
    assert _loaded("collect") == []
    assert _loaded("custodians") == []


def test_verify_loads_what_it_checks_with() -> None:
    assert {"py7zr", "cryptography"} <= set(_loaded("verify"))
