"""Fixture bags in the documented on-disk shapes (docs/architecture.md), built without the collector,
and a stand-in transcript renderer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ZERO_HASH = "0" * 64


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class BagBuilder:
    """Writes natives, manifest.json and custody.jsonl of one fixture run."""

    root: Path
    custodians: list[dict[str, Any]]
    time_zone: str = "UTC"
    entries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def store(self, rel: str, data: bytes, kind: str, source_id: str, owner: str, **meta: Any) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.entries.append(
            {
                "path": rel,
                "kind": kind,
                "source_id": source_id,
                "size": len(data),
                "md5": hashlib.md5(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "sha512": hashlib.sha512(data).hexdigest(),
                "endpoint": f"GET /v1/compliance/{kind}/{source_id}",
                "request_id": "req_" + source_id[-8:],
                "retrieved_at": "2026-11-26T01:02:04Z",
                "status": meta.pop("status", "ok"),
                "custodian_user_ids": [owner],
                "metadata": meta,
            }
        )

    def chat(
        self, user: dict[str, Any], chat_id: str, name: str, messages: list[dict[str, Any]], **kw: Any
    ) -> None:
        body = {
            "id": chat_id,
            "name": name,
            "created_at": messages[0]["created_at"] if messages else "2026-04-10T08:00:00Z",
            "updated_at": messages[-1]["created_at"] if messages else "2026-04-10T08:00:00Z",
            "deleted_at": kw.get("deleted_at"),
            "href": f"https://claude.ai/chat/{chat_id}",
            "model": kw.get("model", "claude-opus-5"),
            "organization_uuid": "91012d09-e48b-438e-a489-1bebfd8fa6f9",
            "project_id": kw.get("project_id"),
            "user": {"id": user["user_ids"][0], "email_address": user["email"]},
            "chat_messages": messages,
            "has_more": False,
            "first_id": None,
            "last_id": None,
        }
        meta = {k: body[k] for k in ("created_at", "updated_at", "deleted_at", "model", "project_id", "href")}
        meta |= {"page": 1, "chat_name": name, "organization_uuid": body["organization_uuid"]}
        meta |= {"user_id": user["user_ids"][0]}
        meta["messages"] = [
            {"id": m["id"], "role": m["role"], "created_at": m["created_at"], "in_range": True}
            for m in messages
        ]
        raw = json.dumps(body, ensure_ascii=False, indent=1).encode()
        rel = f"data/native/chats/{chat_id}/messages-0001.json"
        self.store(rel, raw, "chat_messages", chat_id, user["user_ids"][0], **meta)

    def file(
        self, user: dict[str, Any], file_id: str, filename: str, data: bytes, chat_id: str, **kw: Any
    ) -> None:
        gen = file_id.startswith("claude_gen_file_")
        kind = "generated_file" if gen else "file"
        base = "generated_files" if gen else "files"
        uid = user["user_ids"][0]
        self.store(
            f"data/native/{base}/{file_id}/content.bin",
            data,
            kind,
            file_id,
            uid,
            original_filename=filename,
            mime_type=kw.get("mime_type", "text/plain"),
            content_type=kw.get("mime_type", "text/plain"),
            api_md5=hashlib.md5(data).hexdigest(),
            content_md5=None,
            md5_matched=None,
            chat_ids=[chat_id],
            message_ids=[],
            status=kw.get("status", "ok"),
        )

    def artifact(self, user: dict[str, Any], version_id: str, title: str, text: str, chat_id: str) -> None:
        raw = json.dumps({"content": text, "title": title, "artifact_type": "text/markdown"}).encode()
        self.store(
            f"data/native/artifacts/{version_id}/content.json",
            raw,
            "artifact",
            version_id,
            user["user_ids"][0],
            artifact_id="claude_artifact_" + version_id[-6:],
            version_id=version_id,
            title=title,
            artifact_type="text/markdown",
            chat_ids=[chat_id],
            message_ids=[],
        )

    def project(
        self, user: dict[str, Any], project_id: str, name: str, attachments: list[dict[str, Any]]
    ) -> None:
        uid = user["user_ids"][0]
        proj = {
            "id": project_id,
            "name": name,
            "description": "Project description",
            "instructions": "Be concise.",
            "created_at": "2026-04-01T10:00:00Z",
            "updated_at": "2026-04-02T10:00:00Z",
            "deleted_at": None,
            "is_private": True,
            "user": {"id": uid, "email_address": user["email"]},
        }
        meta = {"name": name, "created_at": proj["created_at"], "updated_at": proj["updated_at"]}
        meta |= {"deleted_at": None, "reasons": ["created_by_custodian"]}
        self.store(
            f"data/native/projects/{project_id}/project.json",
            json.dumps(proj).encode(),
            "project",
            project_id,
            uid,
            **meta,
        )
        page = {"data": attachments, "has_more": False, "next_page": None}
        self.store(
            f"data/native/projects/{project_id}/attachments-0001.json",
            json.dumps(page).encode(),
            "project_attachments",
            project_id,
            uid,
            page=1,
            item_count=len(attachments),
        )

    def project_document(
        self, user: dict[str, Any], doc_id: str, project_id: str, filename: str, text: str
    ) -> None:
        doc = {"id": doc_id, "content": text, "created_at": "2026-04-01T11:00:00Z", "filename": filename}
        self.store(
            f"data/native/project_documents/{doc_id}/document.json",
            json.dumps(doc).encode(),
            "project_document",
            doc_id,
            user["user_ids"][0],
            project_id=project_id,
            original_filename=filename,
        )

    def finish(self, run_id: str) -> Path:
        self.entries.sort(key=lambda e: e["path"])
        counts = {
            "chats": 0,
            "messages": 0,
            "files": 0,
            "generated_files": 0,
            "artifacts": 0,
            "projects": 0,
            "project_documents": 0,
            "activities": 0,
        }
        for e in self.entries:
            key = {
                "chat_messages": "chats",
                "file": "files",
                "generated_file": "generated_files",
                "artifact": "artifacts",
                "project": "projects",
                "project_document": "project_documents",
            }
            if e["kind"] in key:
                counts[key[e["kind"]]] += 1
            if e["kind"] == "chat_messages":
                counts["messages"] += len(e["metadata"]["messages"])
        manifest = {
            "manifest_version": 1,
            "tool": {"name": "ediscovery", "version": "0.1.0"},
            "run_id": run_id,
            "matter": "Acme v. Widget",
            "status": "complete",
            "started_at": "2026-11-26T01:02:03Z",
            "finished_at": "2026-11-26T01:04:05Z",
            "api": {
                "base_url": "https://api.anthropic.com",
                "version": "2023-06-01",
                "key_fingerprint": "sha256:0123456789abcdef",
            },
            "scope": {
                "since": "2026-01-01T00:00:00Z",
                "until": None,
                "time_zone": self.time_zone,
                "since_input": "2026-01-01",
                "until_input": None,
            },
            "custodians": self.custodians,
            "counts": counts,
            "errors": self.errors,
            "limitations": [],
            "entries": self.entries,
        }
        (self.root / "manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        self._custody(run_id)
        return self.root

    def _custody(self, run_id: str) -> None:
        events = [
            (
                "run_started",
                {
                    "run_id": run_id,
                    "matter": "Acme v. Widget",
                    "time_zone": self.time_zone,
                    "since": "2026-01-01",
                    "custodians": [c["email"] for c in self.custodians],
                },
            )
        ]
        events += [
            (
                "item_stored",
                {"path": e["path"], "sha256": e["sha256"], "kind": e["kind"], "source_id": e["source_id"]},
            )
            for e in self.entries
        ]
        events.append(("run_finished", {"status": "complete"}))
        prev = ZERO_HASH
        lines = []
        for seq, (action, details) in enumerate(events, 1):
            ev = {
                "seq": seq,
                "at": "2026-11-26T01:02:03Z",
                "actor": {"os_user": "u", "host": "h"},
                "tool": {"name": "ediscovery", "version": "0.1.0"},
                "action": action,
                "details": details,
                "prev_hash": prev,
            }
            ev["hash"] = prev = hashlib.sha256(_canonical(ev).encode()).hexdigest()
            lines.append(_canonical(ev) + "\n")
        (self.root / "custody.jsonl").write_text("".join(lines), encoding="utf-8")


def message(mid: str, role: str, at: str, text: str, **extra: Any) -> dict[str, Any]:
    content = [{"type": "text", "text": text, "thinking_redacted": False, "truncated": False}]
    content += extra.pop("blocks", [])
    return {
        "id": mid,
        "role": role,
        "created_at": at,
        "content": content,
        "files": extra.get("files"),
        "generated_files": extra.get("generated_files"),
        "artifacts": extra.get("artifacts"),
    }


ALICE = {
    "query": "alice@example.com",
    "email": "alice@example.com",
    "full_name": "Alice Þorsdóttir",
    "user_ids": ["user_01Alice"],
    "organizations": [{"uuid": "91012d09", "name": "Acme"}],
}
BOB = {
    "query": "bob@example.com",
    "email": "bob@example.com",
    "full_name": "鈴木 Bob",
    "user_ids": ["user_01Bob"],
    "organizations": [{"uuid": "91012d09", "name": "Acme"}],
}
HOSTILE = 'þorn, "quoted"®\nsecond line — 東京 \x14 end'


def build_alice(root: Path) -> Path:
    b = BagBuilder(root, [ALICE], time_zone="Europe/Berlin")
    tool = [
        {
            "type": "tool_use",
            "id": "toolu_01",
            "name": "web_search",
            "input": '{"q": "x"}',
            "integration_name": None,
            "mcp_server_url": None,
            "truncated": False,
        },
        {
            "type": "tool_result",
            "tool_use_id": "toolu_01",
            "name": "web_search",
            "is_error": False,
            "content": [{"type": "text", "text": "result text"}],
            "integration_name": None,
            "mcp_server_url": None,
            "truncated": False,
        },
    ]
    msgs = [
        message(
            "claude_chat_msg_a1",
            "user",
            "2026-04-10T08:09:10Z",
            HOSTILE,
            files=[
                {
                    "id": "claude_file_a1",
                    "filename": "../../etc/passwd.txt",
                    "created_at": "2026-04-10T08:00:00Z",
                }
            ],
        ),
        message(
            "claude_chat_msg_a2",
            "assistant",
            "2026-04-10T08:09:11Z",
            "Here is a draft.",
            blocks=tool,
            generated_files=[{"id": "claude_gen_file_a1", "filename": "sum.csv"}],
            artifacts=[{"id": "claude_artifact_x", "version_id": "claude_artifact_version_a1"}],
        ),
        message("claude_chat_msg_a3", "user", "2026-04-11T09:00:00Z", "Next day follow-up"),
    ]
    b.chat(ALICE, "claude_chat_a1", HOSTILE, msgs, project_id="claude_proj_a1")
    b.file(ALICE, "claude_file_a1", "../../etc/passwd.txt", b"file bytes \xff\x00 end", "claude_chat_a1")
    b.file(ALICE, "claude_gen_file_a1", "sum.csv", b"a,b\n1,2\n", "claude_chat_a1", mime_type="text/csv")
    b.artifact(ALICE, "claude_artifact_version_a1", "Draft", "# Draft\ntext", "claude_chat_a1")
    b.chat(
        ALICE,
        "claude_chat_a2",
        "",
        [message("claude_chat_msg_a4", "user", "2026-04-12T10:00:00Z", "")],
        deleted_at="2026-04-13T00:00:00Z",
    )
    b.project(
        ALICE,
        "claude_proj_a1",
        "Q4 Planning",
        [
            {
                "id": "claude_file_p1",
                "created_at": "2026-04-01T10:00:00Z",
                "filename": "mock.pdf",
                "mime_type": "application/pdf",
                "type": "project_file",
            },
            {
                "id": "claude_proj_doc_p1",
                "created_at": "2026-04-01T11:00:00Z",
                "filename": "req.md",
                "mime_type": "text/plain",
                "type": "project_doc",
                "updated_at": None,
            },
        ],
    )
    b.file(ALICE, "claude_file_p1", "mock.pdf", b"%PDF-1.4 not really", "", mime_type="application/pdf")
    b.project_document(ALICE, "claude_proj_doc_p1", "claude_proj_a1", "req.md", "Requirements text")
    b.errors.append({"kind": "file", "source_id": "claude_file_gone", "status": "failed", "message": "404"})
    return b.finish("20261126T010203Z-a1b2c3")


def build_bob(root: Path) -> Path:
    b = BagBuilder(root, [BOB])
    msgs = [
        message("claude_chat_msg_b1", "user", "2026-05-01T23:30:00Z", "こんにちは"),
        message("claude_chat_msg_b2", "assistant", "2026-05-01T23:31:00Z", "Hello"),
    ]
    b.chat(BOB, "claude_chat_b1", "Greeting", msgs, model="claude-sonnet-5")
    later = [message("claude_chat_msg_b3", "user", "2026-05-03T09:00:00Z", "Another day")]
    b.chat(BOB, "claude_chat_b2", "Follow-up", later, model="claude-sonnet-5")
    return b.finish("20261126T020203Z-d4e5f6")


def fake_render(bag_root: Path, out_dir: Path, options: Any, chat_ids: Any) -> Any:
    """Stands in for ediscovery.render.render_collection: one page per message, Bates-stamped."""
    import weasyprint

    from ediscovery.evidence.digest import hash_file
    from ediscovery.render.options import RenderedDocument, RenderResult

    docs = []
    number = options.bates_start
    for chat_id in chat_ids:
        manifest = json.loads((bag_root / "manifest.json").read_text(encoding="utf-8"))
        entry = next(
            e for e in manifest["entries"] if e["kind"] == "chat_messages" and e["source_id"] == chat_id
        )
        pages = max(1, len(entry["metadata"]["messages"]))
        stamps = [
            f"{options.bates_prefix}{n:0{options.bates_digits}d}" for n in range(number, number + pages)
        ]
        html = "".join(f'<p style="page-break-after: always">{chat_id} {s}</p>' for s in stamps)
        path = out_dir / "transcripts" / f"{chat_id}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf(path)
        digests = hash_file(path)
        docs.append(
            RenderedDocument(
                str(path),
                "chat",
                chat_id,
                stamps[0],
                stamps[-1],
                pages,
                digests.size,
                digests.md5,
                digests.sha256,
                digests.sha512,
                (),
                None,
            )
        )
        number += pages
    return RenderResult(tuple(docs), number, ())
