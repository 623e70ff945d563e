"""``ediscovery collect`` through CliRunner against the loopback sandbox: exit codes and texts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ediscovery.cli.collect import command
from ediscovery.evidence.kinds import COUNT_BUCKETS
from ediscovery.evidence.manifest import validate_manifest
from ediscovery.sandbox import Tenant

KEY_ENV = "EDISCOVERY_TEST_KEY"


def invoke(base_url: str, key: str, out: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        command,
        [
            "--matter",
            "Acme v. Widget",
            "--api-url",
            base_url,
            "--key-env",
            KEY_ENV,
            "--out",
            str(out),
            "-q",
            "--max-rpm",
            "100000",
            *args,
        ],
        env={KEY_ENV: key},
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_json_result_of_a_complete_collection(live_sandbox: str, demo_key: str, tmp_path: Path) -> None:
    code, out, err = invoke(
        live_sandbox, demo_key, tmp_path, "--custodian", "ALICE@example.com", "--no-pdf", "--json"
    )
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {
        "archive",
        "archive_sha256",
        "bag",
        "status",
        "counts",
        "errors",
        "attestation_error",
        "verify_problems",
    }
    assert result["status"] == "complete"
    assert result["errors"] == [] and result["verify_problems"] == []
    assert sorted(result["counts"]) == sorted(COUNT_BUCKETS)
    assert Path(result["archive"]).is_file()
    manifest = json.loads((Path(result["bag"]) / "manifest.json").read_bytes())
    assert validate_manifest(manifest) == []
    assert demo_key not in (Path(result["bag"]) / "requests.jsonl").read_text()
    assert demo_key not in (Path(result["bag"]) / "custody.jsonl").read_text()
    labels = dict(
        line.split(": ", 1) for line in (Path(result["bag"]) / "bag-info.txt").read_text().splitlines()
    )
    assert labels["External-Identifier"] == "Acme v. Widget"
    assert labels["Custodian-Email"] == "alice@example.com"
    assert labels["Date-Range-From"] == "none (no lower bound)"
    assert labels["Date-Range-To"] == "none (no upper bound)"


def test_unknown_custodian_is_a_usage_error_with_close_matches(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    code, _out, err = invoke(live_sandbox, demo_key, tmp_path, "--custodian", "alicee@example.com")
    assert code == 2
    assert err == (
        "Error: No user matches custodian 'alicee@example.com' in any linked organization. "
        "Close matches: alice@example.com.\n"
    )
    assert not (tmp_path / "acme-v.-widget").exists()


def test_bad_date_is_a_usage_error(live_sandbox: str, demo_key: str, tmp_path: Path) -> None:
    code, _out, err = invoke(
        live_sandbox, demo_key, tmp_path, "--custodian", "alice@example.com", "--since", "2026-02-30"
    )
    assert code == 2
    assert err.startswith("Error: Invalid date for --since: '2026-02-30'.")


def test_bad_zone_is_a_usage_error(live_sandbox: str, demo_key: str, tmp_path: Path) -> None:
    code, _out, err = invoke(
        live_sandbox, demo_key, tmp_path, "--custodian", "alice@example.com", "--tz", "Mars/Base"
    )
    assert code == 2
    assert err.startswith("Error: Unknown time zone 'Mars/Base'.")


def test_missing_scope_exits_1_naming_it(live_sandbox: str, tenant: Tenant, tmp_path: Path) -> None:
    key = tenant.add_key(["read:compliance_org_data", "read:compliance_activities"])
    code, _out, err = invoke(live_sandbox, key, tmp_path, "--custodian", "alice@example.com")
    assert code == 1
    assert "read:compliance_user_data" in err
    assert key not in err


def test_unset_password_variable_exits_1_before_collecting(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    code, _out, err = invoke(
        live_sandbox, demo_key, tmp_path, "--custodian", "alice@example.com", "--password-env", "NO_PW_VAR"
    )
    assert code == 1
    assert err == (
        "Error: Environment variable NO_PW_VAR is not set or empty; it must hold the archive password.\n"
    )
    assert not (tmp_path / "acme-v.-widget").exists()


def test_the_result_says_what_was_listed_collected_and_where_the_report_is(
    live_sandbox: str, demo_key: str, tenant: Tenant, tmp_path: Path
) -> None:
    alice = tenant.user_by_email("alice@example.com")
    assert alice is not None
    listed = len(tenant.chats_of(alice.id))
    args = ("--custodian", "alice@example.com", "--no-pdf", "--since", "2026-06-01")  # some out of range
    code, stdout, _ = invoke(live_sandbox, demo_key, tmp_path, *args)
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].startswith("complete: ")
    chats = next(line for line in lines if line.strip().startswith("chats: "))
    assert f"chats: {listed} listed, " in chats and " collected, 0 failed" in chats
    report = next(line for line in lines if line.strip().startswith("report: ")).split("report: ", 1)[1]
    assert Path(report).is_file()
    with (Path(report).parent / "summary.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["content_type"] == "chats"]
    assert int(rows[0]["listed"]) == listed > int(rows[0]["collected"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--volume-size", "lots"), "Invalid volume size 'lots'"),
        (("--bates-start", "1000", "--bates-digits", "3"), "Bates start 1000 does not fit in 3 digits."),
        (("--bates-prefix", "A B"), "Invalid Bates prefix 'A B'."),
        (("--matter", " "), "--matter is empty."),
    ],
)
def test_bad_option_values_are_usage_errors_before_any_request(
    live_sandbox: str, demo_key: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, stderr = invoke(live_sandbox, demo_key, tmp_path, "--custodian", "alice@example.com", *args)
    assert code == 2, stderr
    assert message in stderr
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_collect_accepts_v_as_the_readme_documents(live_sandbox: str, demo_key: str, tmp_path: Path) -> None:
    code, _, stderr = invoke(
        live_sandbox, demo_key, tmp_path, "--custodian", "alice@example.com", "--no-pdf", "-v"
    )
    assert code == 0, stderr


def test_collect_takes_the_shared_api_options_with_ediscovery_api_url(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    args = ["--matter", "m", "--custodian", "alice@example.com", "--key-env", KEY_ENV, "--out", str(tmp_path),
            "-q", "--no-pdf", "--max-rpm", "100000", "--json"]  # fmt: skip
    result = CliRunner().invoke(command, args, env={KEY_ENV: demo_key, "EDISCOVERY_API_URL": live_sandbox})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "complete"


def test_collect_sends_the_api_version_it_is_given_and_names_a_refused_one(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    args = ["--matter", "m", "--custodian", "alice@example.com", "--key-env", KEY_ENV, "--out", str(tmp_path),
            "-q", "--no-pdf", "--api-url", live_sandbox]  # fmt: skip
    refused = CliRunner().invoke(command, [*args, "--api-version", "2026-03-29"], env={KEY_ENV: demo_key})
    assert refused.exit_code == 1
    assert "anthropic-version" in refused.output
    accepted = CliRunner().invoke(
        command, args, env={KEY_ENV: demo_key, "EDISCOVERY_API_VERSION": "2026-10-21"}
    )
    assert accepted.exit_code == 0, accepted.output
    requests = next(tmp_path.rglob("requests.jsonl")).read_text(encoding="utf-8")
    assert requests.count("\n") > 5
    started = json.loads(next(tmp_path.rglob("custody.jsonl")).read_text(encoding="utf-8").splitlines()[0])
    assert started["details"]["api"]["version"] == "2026-10-21"
