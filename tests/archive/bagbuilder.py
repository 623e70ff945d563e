"""A small evidence bag built with the real evidence modules, for archive and verify tests."""

from __future__ import annotations

import json
import os
import random
import zlib
from datetime import UTC, datetime
from pathlib import Path

from ediscovery.evidence.bag import BagInfo, write_bag
from ediscovery.evidence.custody import CustodyLog
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.manifest import Manifest, ManifestEntry, write_manifest
from ediscovery.evidence.records import bag_records, write_records
from ediscovery.evidence.store import EvidenceStore

RUN_ID = "20261126T010203Z-a1b2c3"
CHAT = "claude_chat_abc"
FILE = "claude_file_xyz"


_FILE_META: dict[str, object] = {
    "original_filename": "plan.bin", "mime_type": "application/octet-stream",
    "content_type": "application/octet-stream",
    "api_md5": None, "content_md5": None, "md5_matched": None, "chat_ids": [CHAT], "message_ids": ["m1"],
}  # fmt: skip
_METADATA: dict[str, dict[str, object]] = {
    "activities": {"page": 1, "item_count": 1},
    "chat_list": {"page": 1, "item_count": 1},
    "file": _FILE_META,
}
_TRANSCRIPT_META: dict[str, object] = {
    "document_type": "chat",
    "bates_begin": "ACME000001",
    "bates_end": "ACME000002",
    "page_count": 2,
}


def _clock() -> datetime:
    return datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)


def _natives(seed: int) -> dict[str, tuple[str, str, bytes]]:
    rnd = random.Random(seed)
    words = " ".join(rnd.choice(["alpha", "beta", "gamma", "delta", "privileged"]) for _ in range(3000))
    chat = json.dumps({"data": [{"id": "m1", "role": "user", "text": words}], "has_more": False}).encode()
    return {
        "data/native/activities/user_1/page-0001.json": ("activities", "user_1", chat),
        f"data/native/files/{FILE}/content.bin": ("file", FILE, rnd.randbytes(200_000)),
        "data/native/chat_lists/user_1/page-0001.json": ("chat_list", "user_1", b'{"data": []}'),
        "data/native/files/claude_file_empty/content.bin": ("file", "claude_file_empty", b""),
    }


def _entry(
    path: str, kind: str, source_id: str, digests: Digests, metadata: dict[str, object]
) -> ManifestEntry:
    return ManifestEntry.from_digests(
        path, kind, source_id, digests, endpoint="GET /v1/compliance/x", request_id="req_1",
        retrieved_at="2026-11-26T01:02:04Z", custodian_user_ids=("user_1",), metadata=metadata,
    )  # fmt: skip


def build_bag(parent: Path, *, seed: int = 1, name: str = "alice-example.com_" + RUN_ID) -> Path:
    """Write natives, a transcript, manifest.json, custody.jsonl, requests.jsonl and the BagIt files."""
    root = parent / name
    store = EvidenceStore(root)
    custody = CustodyLog(root / "custody.jsonl", clock=_clock, actor={"os_user": "u", "host": "h"})
    custody.append("run_started", {"run_id": RUN_ID})
    known: dict[str, Digests] = {}
    entries = []
    for path, (kind, source_id, data) in _natives(seed).items():
        known[path] = store.write_bytes(path, data)
        custody.append(
            "item_stored", {"path": path, "sha256": known[path].sha256, "kind": kind, "source_id": source_id}
        )
        entries.append(_entry(path, kind, source_id, known[path], _METADATA[kind]))
    chat_path = "data/native/activities/user_1/page-0001.json"
    pdf = b"%PDF-1.7\n" + zlib.compress(b"transcript " * 2000) + b"\n%%EOF\n"
    pdf_path = f"data/transcripts/chats/{CHAT}.pdf"
    known[pdf_path] = store.write_bytes(pdf_path, pdf)
    sources = [{"path": chat_path, "sha256": known[chat_path].sha256}]
    entries.append(
        _entry(pdf_path, "transcript", CHAT, known[pdf_path], {**_TRANSCRIPT_META, "sources": sources})
    )
    manifest = Manifest(
        run_id=RUN_ID, matter="Acme v. Widget", status="complete", started_at="2026-11-26T01:02:03Z",
        finished_at="2026-11-26T01:04:05Z",
        api={"base_url": "https://api.anthropic.com", "version": "2023-06-01",
             "key_fingerprint": "sha256:0123456789abcdef"},
        scope={"since": "2026-01-01T00:00:00Z", "until": None, "time_zone": "UTC",
               "since_input": "2026-01-01", "until_input": None},
        counts={"chats": 1, "messages": 1, "files": 2, "generated_files": 0, "artifacts": 0, "projects": 0,
                "project_documents": 0, "activities": 0},
        custodians=({"query": "alice@example.com", "email": "alice@example.com", "full_name": "Alice",
                     "user_ids": ["user_1"], "organizations": []},),
        entries=tuple(entries),
        extra={"records": write_records(root, bag_records(root, entries))},
    )  # fmt: skip
    digest = write_manifest(root / "manifest.json", manifest)
    custody.append("run_finished", {"status": "complete", "manifest_sha256": digest.sha256,
                                    "records_root": manifest.extra["records"]["root"]})  # fmt: skip
    custody.close()
    (root / "requests.jsonl").write_bytes(b'{"at":"2026-11-26T01:02:04Z","method":"GET","status":200}\n')
    os.makedirs(root / "reports", exist_ok=True)
    (root / "reports" / "summary.csv").write_bytes(b"custodian,items\nalice@example.com,5\n")
    info = BagInfo(
        source_organization="Acme Corp", external_identifier="Acme v. Widget", bagging_date="2026-11-26",
        collection_run_id=RUN_ID, collector="u@h", custodian_emails=("alice@example.com",),
        custodian_user_ids=("user_1",), date_range_from="2026-01-01",
    )  # fmt: skip
    write_bag(root, info, known_digests=known)
    return root
