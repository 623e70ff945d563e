"""The API key reaches the x-api-key header and nowhere else: not logs, errors, reprs or records."""

from __future__ import annotations

import logging

import httpx
import pytest

from ediscovery.api import ApiKey, api_key_from_env
from ediscovery.errors import ConfigError, NotFoundError, PermissionDeniedError

from .fakes import TEST_KEY, api_error, json_response, run


def test_key_is_sent_with_version_and_user_agent(make_client) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response(200, {"data": [], "has_more": False, "next_page": None})

    async def go() -> None:
        async with make_client(handler) as client:
            async for _ in client.organizations():
                pass

    run(go())
    headers = seen[0].headers
    assert headers["x-api-key"] == TEST_KEY
    assert headers["anthropic-version"] == "2023-06-01"
    assert headers["user-agent"] == "ediscovery/0.1.0 (+httpx)"
    assert "authorization" not in headers
    assert seen[0].method == "GET"


def test_key_never_in_logs_errors_repr_or_records(
    make_client, records, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    responses = [
        httpx.ConnectError("refused"),
        api_error(
            403,
            "permission_error",
            "Missing required scopes. Got: ['read:compliance_activities'] "
            "Needed one of: ['read:compliance_user_data', 'read:org_audit']",
        ),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        item = responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    client = make_client(handler)

    async def go() -> None:
        async with client:
            await client.project("claude_proj_01X")

    with pytest.raises(PermissionDeniedError) as info:
        run(go())
    texts = [
        caplog.text,
        str(info.value),
        repr(info.value),
        repr(client),
        str(client),
        repr(ApiKey(TEST_KEY)),
    ]
    texts += [repr(r) for r in records]
    texts += [repr(client._session)]
    for text in texts:
        assert TEST_KEY not in text
        assert "TESTSECRET" not in text
    assert "read:compliance_user_data" in str(info.value)  # the 403 names the missing scope
    assert info.value.status == 403


def test_bare_not_found_on_a_list_hints_at_the_key(make_client) -> None:
    async def go() -> None:
        async with make_client(lambda r: api_error(404, "not_found_error", "Not found")) as client:
            async for _ in client.organizations():
                pass

    with pytest.raises(NotFoundError) as info:
        run(go())
    assert "Compliance Access Key" in str(info.value)
    assert info.value.url == "https://compliance.test/v1/compliance/organizations?limit=1000"


def test_missing_key_variable_is_named() -> None:
    with pytest.raises(ConfigError) as info:
        api_key_from_env("MY_COMPLIANCE_KEY", environ={})
    assert "MY_COMPLIANCE_KEY" in str(info.value)


def test_key_from_env_is_masked() -> None:
    key = api_key_from_env("K", environ={"K": TEST_KEY})
    assert key.reveal() == TEST_KEY
    assert TEST_KEY not in repr(key)
    assert repr(key).startswith("ApiKey(sha256:")


def test_client_has_no_delete_method(make_client) -> None:
    client = make_client(lambda r: json_response(200, {}))
    assert not [name for name in dir(client) if "delete" in name.lower()]


@pytest.mark.parametrize("value", ["sk-ant-api01-abc\ndef", "sk-ant-api01-abc def", "sk-ant-api01-äbc"])
def test_key_with_line_break_space_or_non_ascii_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        api_key_from_env("K", environ={"K": value})
    assert "abc" not in str(info.value) and "def" not in str(info.value)
    assert "single line of printable ASCII" in str(info.value)


def test_cli_keeps_http_debug_logs_quiet_even_at_vv() -> None:
    from click.testing import CliRunner

    from ediscovery.cli import cli

    root = logging.getLogger()
    saved = (root.level, list(root.handlers), logging.getLogger("httpcore").level)
    try:
        CliRunner().invoke(cli, ["-vv", "custodians", "--help"])
        assert root.getEffectiveLevel() == logging.DEBUG
        assert logging.getLogger("httpcore").getEffectiveLevel() == logging.INFO
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.INFO
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name in ("httpcore", "httpx"):
            logging.getLogger(name).setLevel(logging.NOTSET)
