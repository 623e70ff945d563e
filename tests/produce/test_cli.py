"""``ediscovery produce`` on the command line: exit codes, exact error text, JSON result."""

from __future__ import annotations

import json
from pathlib import Path

import py7zr
import pytest
from click.testing import CliRunner

from ediscovery.cli.produce import command
from ediscovery.produce import production

from .bags import fake_render


@pytest.fixture(autouse=True)
def _fast_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = production.build_production.__kwdefaults__
    monkeypatch.setitem(defaults, "renderer", fake_render)


def _seal(bag: Path, password: str | None) -> Path:
    target = bag.parent / f"{bag.name}.7z"
    with py7zr.SevenZipFile(target, "w", password=password) as archive:
        archive.writeall(bag, arcname=bag.name)
    return target


def test_produce_prints_json_result(alice_bag: Path, bob_bag: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        command, [str(alice_bag), str(bob_bag), "--out", str(tmp_path / "p"), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["first_bates"] == "PROD000000001" and summary["documents"] == 10
    assert (tmp_path / "p" / "VOL001.sha256").is_file()


@pytest.mark.slow
def test_produce_from_encrypted_archive_with_password_env(alice_bag: Path, tmp_path: Path) -> None:
    archive = _seal(alice_bag, "s3cret-pw")
    env = {"ARCHIVE_PW": "s3cret-pw"}
    args = [str(archive), "--out", str(tmp_path / "p"), "--password-env", "ARCHIVE_PW", "--format", "dat,opt"]
    result = CliRunner(env=env).invoke(command, [*args, "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "p" / "VOL001" / "production.json").read_text(encoding="utf-8"))
    assert record["sources"][0]["type"] == "archive" and len(record["sources"][0]["archive_sha256"]) == 64
    assert "s3cret-pw" not in (tmp_path / "p" / "VOL001" / "production.json").read_text(encoding="utf-8")
    assert not list(tmp_path.joinpath("p").glob(".*work"))


def test_wrong_password_exits_1_with_hint(alice_bag: Path, tmp_path: Path) -> None:
    archive = _seal(alice_bag, "right")
    args = [str(archive), "--out", str(tmp_path / "p"), "--password-env", "PW"]
    result = CliRunner(env={"PW": "wrong"}).invoke(command, args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Wrong password for archive")
    assert "wrong" not in result.stderr.replace("Wrong", "")


def test_missing_password_variable_is_a_config_error(alice_bag: Path, tmp_path: Path) -> None:
    args = [str(alice_bag), "--out", str(tmp_path / "p"), "--password-env", "NOPE_UNSET"]
    result = CliRunner(env={"NOPE_UNSET": ""}).invoke(command, args)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Environment variable NOPE_UNSET is not set or empty; it must hold the archive password.\n"
    )


def test_unknown_format_exits_2(alice_bag: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        command, [str(alice_bag), "--out", str(tmp_path / "p"), "--format", "dat,edrm"]
    )
    assert result.exit_code == 2
    assert result.stderr == "Error: Unknown production format(s): edrm. Use dat,opt,csv,text,rsmf.\n"


def test_ctrl_c_during_produce_exits_130_and_says_nothing_was_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ediscovery.cli import produce as produce_cli

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(produce_cli, "build_production", interrupted)
    (tmp_path / "bag").mkdir()
    result = CliRunner().invoke(
        produce_cli.command, [str(tmp_path / "bag"), "--out", str(tmp_path / "out"), "-q"]
    )
    assert result.exit_code == 130
    assert "Interrupted; nothing was published" in result.stderr
    assert "Aborted!" not in result.output
