"""Content blocks of a chat message: text, tool use, tool result, and any newer type kept whole."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ediscovery.api.fields import Extra, Fields


@dataclass(frozen=True)
class TextBlock:
    text: str
    thinking_redacted: bool = False
    truncated: bool = False
    extra: Extra = field(default_factory=dict)
    type: str = "text"


@dataclass(frozen=True)
class ToolUseBlock:
    id: str | None
    name: str | None
    input: str | None  # JSON-encoded string; may be truncated (then not valid JSON)
    integration_name: str | None
    mcp_server_url: str | None
    truncated: bool
    extra: Extra = field(default_factory=dict)
    type: str = "tool_use"


@dataclass(frozen=True)
class ToolResultBlock:
    tool_use_id: str | None
    name: str | None
    is_error: bool
    content: tuple[ContentBlock, ...]
    integration_name: str | None
    mcp_server_url: str | None
    truncated: bool
    extra: Extra = field(default_factory=dict)
    type: str = "tool_result"


@dataclass(frozen=True)
class UnknownBlock:
    """A content block of a type this version does not know; kept whole."""

    type: str
    data: Extra


ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock | UnknownBlock


def parse_block(obj: object) -> ContentBlock:
    """One content block, by its ``type``."""
    f = Fields(obj, "content block")
    kind = f.req_text("type")
    if kind == "text":
        text = f.req_str("text")
        return TextBlock(text, f.flag("thinking_redacted"), f.flag("truncated"), f.extra())
    if kind == "tool_use":
        raw_input = f.raw("input")
        value = raw_input if raw_input is None or isinstance(raw_input, str) else _json_text(raw_input)
        return ToolUseBlock(
            f.text("id"),
            f.text("name"),
            value,
            f.text("integration_name"),
            f.text("mcp_server_url"),
            f.flag("truncated"),
            f.extra(),
        )
    if kind == "tool_result":
        blocks = tuple(parse_block(b) for b in f.req_array("content"))
        return ToolResultBlock(
            f.text("tool_use_id"),
            f.text("name"),
            f.flag("is_error"),
            blocks,
            f.text("integration_name"),
            f.text("mcp_server_url"),
            f.flag("truncated"),
            f.extra(),
        )
    return UnknownBlock(kind, dict(f.obj))


def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
