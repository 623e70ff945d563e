"""Models parse every documented timestamp form, keep unknown fields, and reject malformed shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ediscovery.api import (
    Activity,
    ApiResponse,
    Chat,
    ChatMessagesPage,
    Organization,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    UnknownBlock,
    parse_items,
    parse_one,
    parse_timestamp,
)
from ediscovery.errors import ResponseFormatError


def response(data: object) -> ApiResponse:
    url = "https://h/v1/compliance/x"
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return ApiResponse(b"", "req_x", 200, url, "GET", "/v1/compliance/x", (), {}, data, at)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-10T08:09:10Z", datetime(2026, 4, 10, 8, 9, 10, tzinfo=UTC)),
        ("2025-03-12T18:22:41.123456Z", datetime(2025, 3, 12, 18, 22, 41, 123456, tzinfo=UTC)),
        ("2025-03-12T18:22:41.123456+00:00", datetime(2025, 3, 12, 18, 22, 41, 123456, tzinfo=UTC)),
        ("2025-03-12T18:22:41.123456", datetime(2025, 3, 12, 18, 22, 41, 123456, tzinfo=UTC)),
        ("2025-03-12T20:22:41+02:00", datetime(2025, 3, 12, 18, 22, 41, tzinfo=UTC)),
        ("2025-03-12T18:22:41.123456789Z", datetime(2025, 3, 12, 18, 22, 41, 123456, tzinfo=UTC)),
    ],
)
def test_timestamp_forms(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("bad", ["2024-01-01", "yesterday", "", "2024-13-01T00:00:00Z"])
def test_non_timestamps_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(bad)


def test_unknown_fields_and_enum_values_are_kept() -> None:
    page = {
        "data": [
            {"uuid": "u1", "name": "Acme", "created_at": "2025-03-12T18:22:41.123456+00:00", "tier": "gold"}
        ],
        "has_more": False,
    }
    (org,) = parse_items(response(page), Organization)
    assert org.extra == {"tier": "gold"}
    activity = Activity.from_json(
        {"id": "activity_1", "type": "brand_new_type", "created_at": "2026-04-10T08:09:10Z",
         "actor": {"type": "quantum_actor", "qubits": 3}, "claude_chat_id": "claude_chat_1"}
    )  # fmt: skip
    assert activity.type == "brand_new_type"
    assert activity.actor is not None and activity.actor.type == "quantum_actor"
    assert activity.actor.extra == {"qubits": 3}
    assert activity.extra == {"claude_chat_id": "claude_chat_1"}


def test_chat_messages_page_parses_blocks_and_attachments() -> None:
    body = {
        "id": "claude_chat_1", "name": "n", "created_at": "2026-04-10T08:09:10Z", "updated_at": None,
        "deleted_at": None, "user": {"id": "user_1", "email_address": "a@example.com"}, "future_flag": True,
        "chat_messages": [{
            "id": "claude_chat_msg_1", "role": "assistant", "created_at": "2026-04-10T08:09:11Z",
            "content": [
                {"type": "text", "text": "hi", "thinking_redacted": False, "truncated": False},
                {"type": "tool_use", "id": "toolu_1", "name": "web_search", "input": "{\"q\": 1",
                 "truncated": True},
                {"type": "tool_result", "tool_use_id": "toolu_1", "name": "web_search", "is_error": False,
                 "content": [{"type": "text", "text": "out"}]},
                {"type": "hologram", "payload": 1},
            ],
            "files": None,
            "generated_files": [{"id": "claude_file_9", "filename": "x.csv"}],
            "artifacts": [{"id": "claude_artifact_1", "version_id": "claude_artifact_version_1"}],
        }],
        "has_more": False, "first_id": "c1", "last_id": "c1",
    }  # fmt: skip
    page = parse_one(response(body), ChatMessagesPage)
    assert isinstance(page.chat, Chat) and page.chat.extra == {"future_flag": True}
    (msg,) = page.messages
    text, tool_use, tool_result, unknown = msg.content
    assert isinstance(text, TextBlock) and text.text == "hi"
    assert isinstance(tool_use, ToolUseBlock) and tool_use.input == '{"q": 1' and tool_use.truncated
    assert isinstance(tool_result, ToolResultBlock) and tool_result.content == (TextBlock("out"),)
    assert isinstance(unknown, UnknownBlock) and unknown.data["payload"] == 1
    assert msg.generated_files[0].is_uploaded_file
    assert msg.artifacts[0].version_id == "claude_artifact_version_1"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"data": [{"name": "no uuid"}]}, "organization.uuid should be a non-empty string"),
        ({"data": [{"uuid": "u", "created_at": "soon"}]}, "organization.created_at should be an RFC 3339"),
        ({"data": ["not an object"]}, "organization is not a JSON object"),
        ({"items": []}, "no 'data' array"),
    ],
)
def test_malformed_payloads_name_the_url_and_problem(body: object, problem: str) -> None:
    with pytest.raises(ResponseFormatError) as info:
        parse_items(response(body), Organization)
    assert problem in str(info.value)
    assert "https://h/v1/compliance/x" in str(info.value)
