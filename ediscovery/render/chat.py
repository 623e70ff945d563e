"""Chat: the template context of one chat transcript, built from its stored message pages.

Messages are produced lazily, page by page, while the template renders, so a chat of
thousands of messages is never held as raw JSON at once. Attached files, generated files
and artifacts are looked up in the manifest entries related to the chat (bag path and
SHA-256 of what was collected); artifacts referenced by messages are gathered for the
appendix as the messages stream by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import ManifestEntry
from ediscovery.evidence.stored import BagFiles, as_dict
from ediscovery.render.markup import markdown_html
from ediscovery.render.plan import Job
from ediscovery.timestamps import describe, format_local, format_utc, parse_instant


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


def _attachment(item: Any, kind: Kind, files: dict[tuple[str, str], ManifestEntry]) -> dict[str, Any]:
    raw = item if isinstance(item, dict) else {}
    ident = (
        str(raw.get("version_id") or raw.get("id") or "")
        if kind == Kind.ARTIFACT
        else str(raw.get("id") or "")
    )
    entry = files.get((kind, ident))
    if entry is None and kind == Kind.GENERATED_FILE:
        entry = files.get((Kind.FILE, ident))
    name = entry.metadata.get("original_filename") if entry and kind != Kind.ARTIFACT else None
    return {
        "id": ident,
        "name": str(name or raw.get("filename") or raw.get("title") or ""),
        "size": raw.get("size_bytes"),
        "kind": raw.get("artifact_type") or raw.get("mime_type") or "",
        "path": entry.path if entry else None,
        "sha256": entry.sha256 if entry else None,
        "entry": entry,
    }


def _tool_input(block: dict[str, Any]) -> tuple[str, bool]:
    raw = block.get("input")
    if not isinstance(raw, str):
        return json.dumps(raw, indent=2, ensure_ascii=False, sort_keys=True), False
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False), False
    except ValueError:
        return raw, True


def _block(block: Any) -> dict[str, Any]:
    if not isinstance(block, dict):
        return {"type": "unknown", "raw": json.dumps(block, ensure_ascii=False)}
    kind = block.get("type")
    if kind == "text":
        return {
            "type": "text",
            "html": markdown_html(str(block.get("text") or "")),
            "thinking_redacted": bool(block.get("thinking_redacted")),
            "truncated": bool(block.get("truncated")),
        }
    if kind == "tool_use":
        text, invalid = _tool_input(block)
        return {
            "type": "tool_use",
            "name": block.get("name") or "",
            "id": block.get("id") or "",
            "integration": block.get("integration_name") or "",
            "server": block.get("mcp_server_url") or "",
            "input": text,
            "invalid_json": invalid,
            "truncated": bool(block.get("truncated")),
        }
    if kind == "tool_result":
        parts = [str(p.get("text") or "") for p in block.get("content") or [] if isinstance(p, dict)]
        return {
            "type": "tool_result",
            "name": block.get("name") or "",
            "id": block.get("tool_use_id") or "",
            "integration": block.get("integration_name") or "",
            "server": block.get("mcp_server_url") or "",
            "is_error": bool(block.get("is_error")),
            "text": "\n".join(parts),
            "truncated": bool(block.get("truncated")),
        }
    return {"type": "unknown", "raw": json.dumps(block, ensure_ascii=False, indent=2, sort_keys=True)}


def _weight(message: dict[str, Any]) -> int:
    """Characters of content a message puts on the page (text, tool input and output)."""
    return sum(len(v) for block in message["blocks"] for v in block.values() if isinstance(v, str))


def _runs(messages: Iterable[dict[str, Any]], size: int, chars: int) -> Iterator[list[dict[str, Any]]]:
    """Lists of at most ``size`` messages and ``chars`` characters (a larger message stands
    alone); never splits a message; yields one empty list for a chat without messages."""
    run: list[dict[str, Any]] = []
    weight = 0
    for message in messages:
        heft = _weight(message)
        if run and (len(run) >= size or weight + heft > chars):
            yield run
            run, weight = [], 0
        run.append(message)
        weight += heft
    yield run


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
            for raw in (page.get("chat_messages") if isinstance(page, dict) else None) or []:
                if isinstance(raw, dict):
                    yield self._message(raw)

    def whole(self) -> Segment:
        """Every message as one segment (the document is laid out in one piece)."""
        return Segment(first=True, last=True, messages=self.messages())

    def segments(self, size: int, chars: int) -> Iterator[Segment]:
        """Runs of whole messages, read lazily (see :func:`_runs`); always at least one."""
        runs = _runs(self.messages(), size, chars)
        run, first = next(runs), True
        for following in runs:
            yield Segment(first=first, last=False, messages=run)
            run, first = following, False
        yield Segment(first=first, last=True, messages=run)

    def _message(self, raw: dict[str, Any]) -> dict[str, Any]:
        instant = parse_instant(raw.get("created_at"))
        ident = str(raw.get("id") or "")
        role = str(raw.get("role") or "")
        artifacts = [_attachment(a, Kind.ARTIFACT, self._files) for a in raw.get("artifacts") or []]
        for artifact in artifacts:
            self.artifacts.setdefault(artifact["id"], artifact)
        return {
            "id": ident,
            "role": role,
            "sender": self._sender
            if role == "user"
            else (f"Claude ({self._model})" if role == "assistant" else role),
            "local": format_local(instant, self._zone) if instant else str(raw.get("created_at") or ""),
            "utc": format_utc(instant) if instant else "",
            "in_range": self._flags.get(ident, True),
            "blocks": [_block(b) for b in raw.get("content") or []],
            "files": [_attachment(f, Kind.FILE, self._files) for f in raw.get("files") or []],
            "generated": [
                _attachment(f, Kind.GENERATED_FILE, self._files) for f in raw.get("generated_files") or []
            ],
            "artifacts": artifacts,
        }

    def appendix(self) -> Iterator[dict[str, Any]]:
        """Each referenced artifact with its collected content (read now, one at a time)."""
        for artifact in self.artifacts.values():
            entry = artifact["entry"]
            content, kind = None, artifact["kind"]
            if entry is not None:
                body = self._bag.read_json(entry)
                if isinstance(body, dict):
                    content = str(body.get("content") or "")
                    kind = body.get("artifact_type") or kind
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
