"""The README documents every command and option, and its set-up commands are what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from ediscovery.cli import cli

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title_prefix: str) -> str:
    match = re.search(rf"^### `{re.escape(title_prefix)}.*?(?=^### |^## )", README, re.M | re.S)
    return match.group(0) if match else ""


def _cli_intro() -> str:
    match = re.search(r"^## CLI usage$.*?(?=^### )", README, re.M | re.S)
    assert match, "README has no '## CLI usage' section"
    return match.group(0)


NAMES = sorted(cli.list_commands(click.Context(cli)))


def test_every_command_is_listed_and_loads() -> None:
    assert {"collect", "verify", "produce", "prove", "verify-proof"} <= set(NAMES)
    context = click.Context(cli)
    assert all(cli.get_command(context, name).name == name for name in NAMES)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", NAMES)
def test_every_command_has_a_readme_section(name: str) -> None:
    assert _section(f"ediscovery {name}"), f"README has no '### `ediscovery {name} ...`' section"


@pytest.mark.parametrize("name", NAMES)
def test_every_option_is_documented(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    documented = _section(f"ediscovery {name}") + _cli_intro()
    missing = [
        opt
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--") and opt not in ("--help",) and opt not in documented
    ]
    assert not missing, f"ediscovery {name}: options missing from the README: {missing}"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    skipped = ("#", "set ", "cd ")
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith(skipped)]
    assert commands == ["make test"]


def test_readme_exit_codes_match_the_error_tree() -> None:
    from ediscovery.errors import EdiscoveryError, Interrupted, UsageError

    table = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", README, re.M))
    assert {"0", "1", "2", "3", "4", "130"} <= set(table)
    assert str(UsageError.exit_code) == "2" and str(EdiscoveryError.exit_code) == "1"
    assert str(Interrupted.exit_code) == "130"


@pytest.mark.slow
def test_the_library_example_runs_as_written(tmp_path: Path) -> None:
    import subprocess
    import sys

    match = re.search(r"^## Library usage$.*?^```python\n(.*?)^```", README, re.M | re.S)
    assert match, "README has no Python example under '## Library usage'"
    done = subprocess.run(
        [sys.executable, "-c", match.group(1)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "alice@example.com" in done.stdout
    assert done.stdout.strip().endswith("True []")
