"""Chat: the template context of one chat transcript, built from its stored message pages.

Messages are produced lazily, page by page, while the template renders, so a chat of
thousands of messages is never held as raw JSON at once; each page is read by the
forward-compatible ``api.models`` (an unknown block type is shown whole). Attached files, generated files
and artifacts are looked up in the manifest entries related to the chat (bag path and
SHA-256 of what was collected); artifacts referenced by messages are gathered for the
appendix as the messages stream by.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.api.blocks import ContentBlock, TextBlock, ToolResultBlock, ToolUseBlock
from ediscovery.api.models import (
    ArtifactRef,
    ChatMessage,
    ChatMessagesPage,
    FileRef,
    GeneratedFileRef,
    parse_value,
)
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import BagFiles, as_dict
from ediscovery.render.markup import markdown_html
from ediscovery.render.plan import Job
from ediscovery.timestamps import describe, format_local, format_utc


def _in_range_flags(job: Job) -> dict[str, bool]:
    flags: dict[str, bool] = {}
    for entry in job.sources:
        for item in entry.metadata.get("messages") or []:
            if isinstance(item, dict) and "id" in item:
                flags[str(item["id"])] = item.get("in_range") is not False
    return flags


def _file_index(job: Job) -> dict[tuple[str, str], ManifestEntry]:
    index: dict[tuple[str, str], ManifestEntry] = {}
    for entry in job.related:
        index[(entry.kind, entry.source_id)] = entry
        version = entry.metadata.get("version_id")
        if entry.kind == Kind.ARTIFACT and isinstance(version, str):
            index[(Kind.ARTIFACT, version)] = entry
    return index


Reference = FileRef | GeneratedFileRef | ArtifactRef


def _attachment(ref: Reference, kind: Kind, files: dict[tuple[str, str], ManifestEntry]) -> dict[str, Any]:
    ident = ref.version_id if isinstance(ref, ArtifactRef) else ref.id
    entry = files.get((kind, ident))
    if entry is None and kind == Kind.GENERATED_FILE:
        entry = files.get((Kind.FILE, ident))
    name = entry.metadata.get("original_filename") if entry and kind != Kind.ARTIFACT else None
    listed = ref.title if isinstance(ref, ArtifactRef) else ref.filename
    shown = ref.artifact_type if isinstance(ref, ArtifactRef) else ref.mime_type
    return {
        "id": ident,
        "name": str(name or listed or ""),
        "size": ref.size_bytes,
        "kind": shown or "",
        "path": entry.path if entry else None,
        "sha256": entry.sha256 if entry else None,
        "entry": entry,
    }


def _tool_input(block: ToolUseBlock) -> tuple[str, bool]:
    if block.input is None:
        return "null", False
    try:
        return json.dumps(json.loads(block.input), indent=2, ensure_ascii=False), False
    except ValueError:
        return block.input, True


def block_view(block: ContentBlock) -> dict[str, Any]:
    """One content block as the message template shows it."""
    if isinstance(block, TextBlock):
        return {
            "type": "text",
            "html": markdown_html(block.text),
            "thinking_redacted": block.thinking_redacted,
            "truncated": block.truncated,
        }
    if isinstance(block, ToolUseBlock):
        text, invalid = _tool_input(block)
        return {
            "type": "tool_use",
            "name": block.name or "",
            "id": block.id or "",
            "integration": block.integration_name or "",
            "server": block.mcp_server_url or "",
            "input": text,
            "invalid_json": invalid,
            "truncated": block.truncated,
        }
    if isinstance(block, ToolResultBlock):
        parts = [part.text if isinstance(part, TextBlock) else "" for part in block.content]
        return {
            "type": "tool_result",
            "name": block.name or "",
            "id": block.tool_use_id or "",
            "integration": block.integration_name or "",
            "server": block.mcp_server_url or "",
            "is_error": block.is_error,
            "text": "\n".join(parts),
            "truncated": block.truncated,
        }
    return {"type": "unknown", "raw": json.dumps(block.data, ensure_ascii=False, indent=2, sort_keys=True)}


def _weight(message: dict[str, Any]) -> int:
    """Characters of content a message puts on the page (text, tool input and output)."""
    return sum(len(v) for block in message["blocks"] for v in block.values() if isinstance(v, str))


def message_runs(
    messages: Iterable[dict[str, Any]],
    size: int,
    chars: int,
    weigh: Callable[[dict[str, Any]], int] = _weight,
) -> Iterator[list[dict[str, Any]]]:
    """Lists of at most ``size`` messages and ``chars`` characters by ``weigh`` (a larger
    message stands alone); never splits a message; yields one empty list for a chat without
    messages."""
    run: list[dict[str, Any]] = []
    weight = 0
    for message in messages:
        heft = weigh(message)
        if run and (len(run) >= size or weight + heft > chars):
            yield run
            run, weight = [], 0
        run.append(message)
        weight += heft
    yield run


def segments_of(
    messages: Iterable[dict[str, Any]],
    size: int,
    chars: int,
    weigh: Callable[[dict[str, Any]], int] = _weight,
) -> Iterator[Segment]:
    """Runs of whole messages (see :func:`message_runs`) as segments: the first carries the
    cover, the last the appendix; always at least one."""
    runs = message_runs(messages, size, chars, weigh)
    run, first = next(runs), True
    for following in runs:
        yield Segment(first=first, last=False, messages=run)
        run, first = following, False
    yield Segment(first=first, last=True, messages=run)


@dataclass(frozen=True)
class Segment:
    """A run of messages laid out on its own: the first carries the cover, the last the appendix."""

    first: bool
    last: bool
    messages: Iterable[dict[str, Any]]


class ChatStream:
    """Iterates a chat's messages as template-ready dicts, collecting its artifacts."""

    def __init__(
        self, bag: BagFiles, job: Job, first_page: Any, zone: ZoneInfo, sender: str, model: str
    ) -> None:
        self._bag, self._job, self._first, self._zone = bag, job, first_page, zone
        self._sender, self._model = sender, model
        self._flags = _in_range_flags(job)
        self._files = _file_index(job)
        self.artifacts: dict[str, dict[str, Any]] = {}

    def messages(self) -> Iterator[dict[str, Any]]:
        for number, entry in enumerate(self._job.sources):
            page = self._first if number == 0 else self._bag.read_json(entry)
            for message in parse_value(page, ChatMessagesPage, f"stored page {entry.path}").messages:
                yield self._message(message)

    def whole(self) -> Segment:
        """Every message as one segment (the document is laid out in one piece)."""
        return Segment(first=True, last=True, messages=self.messages())

    def segments(self, size: int, chars: int) -> Iterator[Segment]:
        """Runs of whole messages, read lazily; always at least one."""
        return segments_of(self.messages(), size, chars)

    def _message(self, message: ChatMessage) -> dict[str, Any]:
        instant = message.created_at
        role = message.role or ""
        artifacts = [_attachment(a, Kind.ARTIFACT, self._files) for a in message.artifacts]
        for artifact in artifacts:
            self.artifacts.setdefault(artifact["id"], artifact)
        return {
            "id": message.id,
            "role": role,
            "sender": self._sender
            if role == "user"
            else (f"Claude ({self._model})" if role == "assistant" else role),
            "local": format_local(instant, self._zone) if instant else "",
            "utc": format_utc(instant) if instant else "",
            "in_range": self._flags.get(message.id, True),
            "blocks": [block_view(b) for b in message.content],
            "files": [_attachment(f, Kind.FILE, self._files) for f in message.files],
            "generated": [_attachment(f, Kind.GENERATED_FILE, self._files) for f in message.generated_files],
            "artifacts": artifacts,
        }

    def appendix(self) -> Iterator[dict[str, Any]]:
        """Each referenced artifact with its collected content (read now, one at a time)."""
        for artifact in self.artifacts.values():
            entry = artifact["entry"]
            content, kind = None, artifact["kind"]
            if entry is not None:
                body = self._bag.read_json_or_text(entry)
                if isinstance(body, dict):
                    content = str(body.get("content") or "")
                    kind = body.get("artifact_type") or kind
                elif isinstance(body, str):  # served as the text itself
                    content = body
            is_md = kind in ("text/markdown", "text/plain")
            yield {
                **artifact,
                "kind": kind,
                "content": content,
                "html": markdown_html(content) if content is not None and is_md else None,
            }


def _page_len(page: Any) -> int:
    messages = page.get("chat_messages") if isinstance(page, dict) else None
    return len(messages) if isinstance(messages, list) else 0


def _count_messages(bag: BagFiles, job: Job, first: Any) -> int:
    return _page_len(first) + sum(_page_len(bag.read_json(e)) for e in job.sources[1:])


def chat_context(bag: BagFiles, job: Job, zone: ZoneInfo) -> dict[str, Any]:
    """Everything the chat template shows."""
    first = bag.read_json(job.sources[0])
    meta = {k: v for k, v in first.items() if k != "chat_messages"} if isinstance(first, dict) else {}
    custodian = job.collection.custodian_of(job.user_id)
    user = as_dict(meta.get("user"))
    name = custodian.name if custodian and custodian.name else str(user.get("email_address") or "User")
    model = str(meta.get("model") or "model unknown")
    count = sum(len(e.metadata.get("messages") or []) for e in job.sources)
    if not count:
        count = _count_messages(bag, job, first)
    stream = ChatStream(bag, job, first, zone, name, model)
    return {
        "chat": meta,
        "custodian": custodian,
        "user_id": job.user_id,
        "organization": job.collection.organization_name(meta.get("organization_uuid")),
        "created": describe(meta.get("created_at"), zone),
        "updated": describe(meta.get("updated_at"), zone),
        "deleted": describe(meta.get("deleted_at"), zone) if meta.get("deleted_at") else "",
        "message_count": count or None,
        "stream": stream,
        "segment": stream.whole(),
        "has_range": bool(job.collection.since or job.collection.until),
    }
