"""A small bag writer for render tests: natives and manifest.json in the documented shapes."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

CUSTODIAN = {
    "query": "alice@example.com",
    "email": "alice@example.com",
    "full_name": "Alice Example",
    "user_ids": ["user_alice"],
    "organizations": [{"uuid": "91012d09-e48b-438e-a489-1bebfd8fa6f9", "name": "Acme Engineering"}],
}
ORG = "91012d09-e48b-438e-a489-1bebfd8fa6f9"


class BagBuilder:
    """Writes natives under ``root/data/native`` and records manifest entries."""

    def __init__(self, root: Path, *, time_zone: str = "UTC", since: str | None = None) -> None:
        self.root = root
        self.entries: list[dict[str, Any]] = []
        self.header: dict[str, Any] = {
            "manifest_version": 1,
            "tool": {"name": "ediscovery", "version": "0.1.0"},
            "run_id": "20261126T010203Z-a1b2c3",
            "matter": "Acme v. Widget",
            "status": "complete",
            "started_at": "2026-11-26T01:02:03Z",
            "finished_at": "2026-11-26T01:04:05Z",
            "api": {
                "base_url": "https://api.anthropic.com",
                "version": "2023-06-01",
                "key_fingerprint": "sha256:00",
            },
            "scope": {"since": since, "until": None, "time_zone": time_zone},
            "custodians": [CUSTODIAN],
        }

    def store(self, path: str, body: Any, kind: str, source_id: str, metadata: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
        self.store_bytes(path, data, kind, source_id, metadata)

    def store_bytes(
        self, path: str, data: bytes, kind: str, source_id: str, metadata: dict[str, Any]
    ) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.entries.append(
            {
                "path": path,
                "kind": kind,
                "source_id": source_id,
                "size": len(data),
                "md5": hashlib.md5(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "sha512": hashlib.sha512(data).hexdigest(),
                "endpoint": f"GET /v1/compliance/{kind}/{source_id}",
                "request_id": "req_" + source_id[-8:],
                "retrieved_at": "2026-11-26T01:02:04Z",
                "status": "ok",
                "custodian_user_ids": ["user_alice"],
                "metadata": metadata,
            }
        )

    def chat(
        self,
        chat_id: str,
        messages: list[dict[str, Any]],
        *,
        name: str = "A chat",
        created_at: str = "2026-04-10T08:09:10Z",
        deleted_at: str | None = None,
        page_size: int = 1000,
        in_range: dict[str, bool] | None = None,
    ) -> None:
        meta = {
            "id": chat_id,
            "name": name,
            "created_at": created_at,
            "updated_at": created_at,
            "deleted_at": deleted_at,
            "href": f"https://claude.ai/chat/{chat_id}",
            "model": "claude-opus-5",
            "organization_id": "org_1",
            "organization_uuid": ORG,
            "project_id": None,
            "user": {"id": "user_alice", "email_address": "alice@example.com"},
        }
        pages = [messages[i : i + page_size] for i in range(0, len(messages), page_size)] or [[]]
        for number, page in enumerate(pages, 1):
            flags = in_range or {}
            self.store(
                f"data/native/chats/{chat_id}/messages-{number:04d}.json",
                {**meta, "chat_messages": page, "has_more": number < len(pages)},
                "chat_messages",
                chat_id,
                {
                    "page": number,
                    "chat_name": name,
                    "created_at": created_at,
                    "deleted_at": deleted_at,
                    "user_id": "user_alice",
                    "messages": [
                        {
                            "id": m["id"],
                            "role": m["role"],
                            "created_at": m["created_at"],
                            "in_range": flags.get(m["id"], True),
                        }
                        for m in page
                    ],
                },
            )

    def artifact(self, version_id: str, chat_id: str, content: str, title: str) -> None:
        self.store(
            f"data/native/artifacts/{version_id}/content.json",
            {"content": content, "title": title, "artifact_type": "text/markdown"},
            "artifact",
            version_id,
            {"version_id": version_id, "title": title, "chat_ids": [chat_id]},
        )

    def file(self, file_id: str, chat_id: str, original: str, content: bytes) -> None:
        self.store_bytes(
            f"data/native/files/{file_id}/content.bin",
            content,
            "file",
            file_id,
            {"original_filename": original, "chat_ids": [chat_id]},
        )

    def project(self, project_id: str, created_at: str = "2026-03-01T00:00:00Z") -> None:
        self.store(
            f"data/native/projects/{project_id}/project.json",
            {
                "id": project_id,
                "name": "Q4 Planning",
                "created_at": created_at,
                "updated_at": created_at,
                "deleted_at": None,
                "is_private": True,
                "organization_uuid": ORG,
                "user": {"id": "user_alice", "email_address": "alice@example.com"},
                "description": "Planning project",
                "instructions": "Always answer in haiku.",
            },
            "project",
            project_id,
            {"name": "Q4 Planning", "created_at": created_at},
        )
        self.store(
            f"data/native/projects/{project_id}/collaborators-0001.json",
            {"data": [{"type": "user", "user_id": "user_bob", "role": "editor", "granted_at": created_at}]},
            "project_collaborators",
            project_id,
            {"page": 1},
        )
        self.store(
            "data/native/project_documents/claude_proj_doc_1/document.json",
            {
                "id": "claude_proj_doc_1",
                "content": "Requirements: ship the dashboard by Friday.",
                "created_at": created_at,
                "filename": "requirements.md",
                "user": {"id": "user_alice"},
            },
            "project_document",
            "claude_proj_doc_1",
            {"project_id": project_id, "original_filename": "requirements.md"},
        )

    def activities(self, user_id: str, events: list[dict[str, Any]]) -> None:
        self.store(
            f"data/native/activities/{user_id}/page-0001.json",
            {"data": events, "has_more": False},
            "activities",
            user_id,
            {"page": 1, "item_count": len(events)},
        )

    def finish(self) -> Path:
        manifest = {**self.header, "entries": sorted(self.entries, key=lambda e: e["path"])}
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return self.root


def message(
    ident: str, role: str, text: str, at: str = "2026-04-10T08:09:11Z", **extra: Any
) -> dict[str, Any]:
    block = {"type": "text", "text": text, "thinking_redacted": False, "truncated": False}
    return {
        "id": ident,
        "role": role,
        "created_at": at,
        "content": [block],
        "files": None,
        "generated_files": None,
        "artifacts": None,
        **extra,
    }


def pdftext(path: Path) -> list[str]:
    """Text of each page of ``path`` as pdftotext extracts it."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    pages = done.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


RICH_TEXT = (
    "# Heading\n\nSome **bold** text with a [link](https://example.com/a) and `code`.\n\n"
    "- one\n- two\n\n> quoted line\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```python\ndef f(x):\n    return x + 1\n```\n\n"
    "Multilingual: 日本語のテキスト, 中文, 한국어, العربية نص, עברית טקסט, emoji 😀, math ∑ ∫ √ ≤ ∞"
)


def rich_messages() -> list[dict[str, Any]]:
    """Messages with every block type, attachments, flags and multilingual text."""
    return [
        message(
            "claude_chat_msg_01",
            "user",
            RICH_TEXT,
            "2026-04-10T08:09:10Z",
            files=[{"id": "claude_file_01", "filename": "<b>report</b>.pdf", "size_bytes": 2048}],
        ),
        {
            "id": "claude_chat_msg_02",
            "role": "assistant",
            "created_at": "2026-04-10T08:09:20.5Z",
            "content": [
                {"type": "text", "text": "Reasoning answer", "thinking_redacted": True, "truncated": False},
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": "web_search",
                    "input": '{"query": "example", "n": 3}',
                    "integration_name": "search-int",
                    "mcp_server_url": None,
                    "truncated": False,
                },
                {
                    "type": "tool_use",
                    "id": "toolu_02",
                    "name": "fetch",
                    "input": '{"url": "http://exa',
                    "integration_name": None,
                    "mcp_server_url": None,
                    "truncated": True,
                },
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "name": "web_search",
                    "is_error": False,
                    "content": [{"type": "text", "text": "Example tool output."}],
                    "integration_name": None,
                    "mcp_server_url": None,
                    "truncated": False,
                },
                {"type": "future_block", "payload": 1},
            ],
            "files": None,
            "generated_files": [{"id": "claude_gen_file_01", "filename": "summary.csv", "size_bytes": 10}],
            "artifacts": [
                {
                    "id": "claude_artifact_01",
                    "version_id": "claude_artifact_version_01",
                    "title": "Dashboard Draft",
                    "artifact_type": "text/markdown",
                }
            ],
        },
    ]


def build_rich_bag(root: Path, **kwargs: Any) -> Path:
    """One representative chat with an artifact and a file, a project and activity."""
    bag = BagBuilder(root, **kwargs)
    bag.chat("claude_chat_rich", rich_messages(), name="Product Requirements", page_size=1)
    bag.artifact(
        "claude_artifact_version_01",
        "claude_chat_rich",
        "# Dashboard\n\nArtifact body text.",
        "Dashboard Draft",
    )
    bag.file("claude_file_01", "claude_chat_rich", "<b>report</b>.pdf", b"%PDF-1.4 fake")
    bag.project("claude_proj_1")
    bag.activities(
        "user_alice",
        [
            {
                "id": "activity_2",
                "created_at": "2026-04-10T09:00:00Z",
                "type": "claude_chat_viewed",
                "organization_uuid": ORG,
                "actor": {"type": "user_actor", "email_address": "alice@example.com"},
                "claude_chat_id": "claude_chat_rich",
            },
            {
                "id": "activity_1",
                "created_at": "2026-04-10T08:09:10Z",
                "type": "claude_chat_created",
                "organization_uuid": ORG,
                "actor": {"type": "user_actor", "email_address": "alice@example.com"},
                "claude_chat_id": "claude_chat_rich",
            },
        ],
    )
    return bag.finish()
