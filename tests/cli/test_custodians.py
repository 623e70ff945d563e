"""``ediscovery custodians`` against the in-process sandbox: table, JSON, and error exit codes."""

from __future__ import annotations

import json

import httpx
from click.testing import CliRunner

from ediscovery.cli.custodians import command
from ediscovery.cli.options import ClientSeams


def invoke(transport: httpx.AsyncBaseTransport, args: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(command, args, obj=ClientSeams(transport=transport), env=env)


def test_json_lists_the_merged_person(sandbox_transport, demo_key: str) -> None:
    result = invoke(sandbox_transport, ["alice", "--json"], {"ANTHROPIC_COMPLIANCE_ACCESS_KEY": demo_key})
    assert result.exit_code == 0, result.output
    (alice,) = json.loads(result.output)
    assert alice["email"] == "alice@example.com"
    assert alice["full_name"] == "Alice Anders"
    assert [o["name"] for o in alice["organizations"]] == [
        "Acme API Platform",
        "Acme Engineering",
        "Acme Legal",
    ]


def test_table_shows_email_name_ids_and_orgs(sandbox_transport, demo_key: str, tenant) -> None:  # type: ignore[no-untyped-def]
    result = invoke(sandbox_transport, ["carol"], {"ANTHROPIC_COMPLIANCE_ACCESS_KEY": demo_key})
    carol = tenant.user_by_email("carol@example.com")
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert lines[0].split() == ["Email", "Name", "User", "ID(s)", "Organizations"]
    assert lines[1].split() == ["carol@example.com", "Carol", "Chen", carol.id, "Acme", "Engineering"]
    assert lines[2] == "1 person"


def test_missing_key_variable_exits_1_naming_it(sandbox_transport) -> None:
    result = invoke(sandbox_transport, ["--key-env", "NO_SUCH_KEY_VAR"], {"NO_SUCH_KEY_VAR": ""})
    assert result.exit_code == 1
    assert result.output == (
        "Error: The environment variable NO_SUCH_KEY_VAR is not set or empty. "
        "Export the Compliance Access Key as NO_SUCH_KEY_VAR (or name another variable with --key-env).\n"
    )


def test_wrong_key_exits_1_with_the_api_message(sandbox_transport) -> None:
    env = {"ANTHROPIC_COMPLIANCE_ACCESS_KEY": "sk-ant-api03-not-a-compliance-key"}
    result = invoke(sandbox_transport, [], env)
    assert result.exit_code == 1
    assert result.output.startswith("Error: HTTP 404 not_found_error: Not found (url: ")
    assert "Compliance Access Key" in result.output
    assert "sk-ant-api03-not-a-compliance-key" not in result.output
