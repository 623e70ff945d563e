from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ediscovery.errors import EvidenceError
from ediscovery.evidence import (
    Manifest,
    ManifestEntry,
    hash_bytes,
    key_fingerprint,
    load_manifest,
    manifest_bytes,
    validate_manifest,
    write_manifest,
)

H = hash_bytes(b"x")
COUNTS = dict.fromkeys(
    [
        "chats",
        "messages",
        "files",
        "generated_files",
        "artifacts",
        "projects",
        "project_documents",
        "activities",
    ],
    0,
)


def _entry(path: str, kind: str, metadata: dict[str, Any], **rest: Any) -> ManifestEntry:
    values: dict[str, Any] = {
        "endpoint": "GET /v1/compliance/apps/chats/c1/messages",
        "request_id": "req_1",
        "retrieved_at": "2026-11-26T01:02:04Z",
        "custodian_user_ids": ("user_1",),
    }
    values.update(rest)
    return ManifestEntry.from_digests(path, kind, "c1", H, metadata=metadata, **values)


CHAT_META = {
    "page": 1, "chat_name": "Q3 plan", "created_at": "2026-01-01T00:00:00Z", "updated_at": None,
    "deleted_at": None, "model": "claude", "project_id": None, "organization_uuid": "org-1",
    "user_id": "user_1", "href": "https://claude.ai/chat/c1",
    "messages": [{"id": "m1", "role": "user", "created_at": "2026-01-01T00:00:01Z", "in_range": True}],
}  # fmt: skip
FILE_META = {
    "original_filename": "../../etc/passwd", "mime_type": "text/plain", "content_type": "text/plain",
    "api_md5": H.md5, "content_md5": "nNxCkXpnUJHYzHIrRM8jYQ==", "md5_matched": True,
    "chat_ids": ["c1"], "message_ids": ["m1"],
}  # fmt: skip
TRANSCRIPT_META = {
    "document_type": "chat", "bates_begin": "ACME000001", "bates_end": "ACME000003", "page_count": 3,
    "sources": [{"path": "data/native/chats/c1/messages-0001.json", "sha256": H.sha256}],
}  # fmt: skip


def _manifest(**changes: Any) -> Manifest:
    entries = (
        _entry(
            "data/transcripts/chats/c1.pdf", "transcript", TRANSCRIPT_META, endpoint=None, request_id=None
        ),
        _entry("data/native/files/f1/content.bin", "file", FILE_META, status="integrity_failed"),
        _entry("data/native/chats/c1/messages-0001.json", "chat_messages", CHAT_META),
        _entry("data/native/activities/user_1/page-0001.json", "activities", {"page": 1, "item_count": 0}),
    )
    values: dict[str, Any] = {
        "run_id": "20261126T010203Z-a1b2c3", "matter": "Acme v. Widget", "status": "complete",
        "started_at": "2026-11-26T01:02:03Z", "finished_at": "2026-11-26T01:04:05.5Z",
        "api": {"base_url": "https://api.anthropic.com", "version": "2023-06-01",
                "key_fingerprint": key_fingerprint("sk-ant-test")},
        "scope": {"since": "2026-01-01T00:00:00Z", "until": None, "time_zone": "Europe/Paris",
                  "since_input": "2026-01-01", "until_input": None},
        "custodians": ({"query": "alice", "email": "alice@example.com", "full_name": "Alice",
                        "user_ids": ["user_1"], "organizations": [{"uuid": "org-1", "name": "Acme"}]},),
        "counts": COUNTS,
        "errors": ({"kind": "file", "source_id": "f1", "status": "integrity_failed", "message": "md5"},),
        "limitations": ({"kind": "truncated_block", "source_id": None, "message": "tool input cut"},),
        "entries": entries,
    }  # fmt: skip
    values.update(changes)
    return Manifest(**values)


def test_a_complete_manifest_is_valid() -> None:
    assert validate_manifest(_manifest().to_dict()) == []


def test_to_dict_sorts_entries_by_path() -> None:
    paths = [entry["path"] for entry in _manifest().to_dict()["entries"]]
    assert paths == sorted(paths)


def test_write_then_load_round_trips(tmp_path: Path) -> None:
    manifest = _manifest()
    digests = write_manifest(tmp_path / "manifest.json", manifest)
    data = (tmp_path / "manifest.json").read_bytes()
    assert digests == hash_bytes(data)
    assert data.endswith(b"}\n") and b'\n  "api": {' in data
    assert load_manifest(tmp_path / "manifest.json").to_dict() == manifest.to_dict()


def test_same_manifest_gives_the_same_bytes_whatever_the_entry_order() -> None:
    manifest = _manifest()
    shuffled = _manifest(entries=tuple(reversed(manifest.entries)))
    assert manifest_bytes(manifest) == manifest_bytes(shuffled)


def test_unknown_fields_from_a_newer_manifest_are_kept() -> None:
    data = _manifest().to_dict()
    data["future_header"] = {"x": 1}
    data["entries"][0]["future_field"] = [1, 2]
    again = Manifest.from_dict(data).to_dict()
    assert again["future_header"] == {"x": 1}
    assert again["entries"][0]["future_field"] == [1, 2]
    assert validate_manifest(data) == []


def _set(path: str, value: Any) -> Any:
    """Return a mutator that sets a slash-separated path in the manifest dict."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is _DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


_DELETE = object()
# entries sorted by path: 0 activities, 1 chat, 2 file, 3 transcript
BROKEN = [
    ("manifest_version", 2, "/manifest_version"),
    ("run_id", "2026-11-26", "/run_id"),
    ("status", "done", "/status"),
    ("started_at", "2026-11-26 01:02:03", "/started_at"),
    ("finished_at", "2026-11-26T01:02:03+00:00", "/finished_at"),
    ("api/key_fingerprint", "sk-ant-test", "/api/key_fingerprint"),
    ("scope/time_zone", _DELETE, "'time_zone' is a required property"),
    ("counts/files", -1, "/counts/files"),
    ("counts/chats", _DELETE, "'chats' is a required property"),
    ("entries/1/sha256", H.sha256[:-1], "/entries/1/sha256"),
    ("entries/1/md5", H.md5.upper(), "/entries/1/md5"),
    ("entries/1/sha512", H.sha256, "/entries/1/sha512"),
    ("entries/1/size", "1", "/entries/1/size"),
    ("entries/1/kind", "email", "/entries/1/kind"),
    ("entries/1/status", "maybe", "/entries/1/status"),
    ("entries/1/path", "data/../../etc/passwd", "/entries/1/path"),
    ("entries/1/path", "/data/x", "/entries/1/path"),
    ("entries/1/retrieved_at", "yesterday", "/entries/1/retrieved_at"),
    ("entries/1/metadata/page", _DELETE, "'page' is a required property"),
    ("entries/1/metadata/messages/0/in_range", "yes", "/entries/1/metadata/messages/0/in_range"),
    ("entries/2/metadata/md5_matched", "true", "/entries/2/metadata/md5_matched"),
    ("entries/2/metadata/original_filename", _DELETE, "'original_filename' is a required property"),
    ("entries/3/metadata/document_type", "email", "/entries/3/metadata/document_type"),
    ("entries/0/metadata/item_count", _DELETE, "'item_count' is a required property"),
    ("entries/0/source_id", "", "/entries/0/source_id"),
]


@pytest.mark.parametrize(("where", "value", "message"), BROKEN, ids=[f"{w}={v!r}"[:60] for w, v, _ in BROKEN])
def test_each_broken_field_is_reported_readably(where: str, value: Any, message: str) -> None:
    data = copy.deepcopy(_manifest().to_dict())
    _set(where, value)(data)
    problems = validate_manifest(data)
    assert problems, "the broken manifest passed validation"
    assert any(message in problem for problem in problems), problems


def test_duplicate_and_unsorted_entries_are_reported() -> None:
    data = _manifest().to_dict()
    data["entries"].append(copy.deepcopy(data["entries"][0]))
    problems = validate_manifest(data)
    assert any("duplicate path 'data/native/activities/user_1/page-0001.json'" in p for p in problems)
    assert "/entries: entries are not sorted by path" in problems


def test_an_invalid_manifest_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    broken = _manifest(status="done")
    with pytest.raises(EvidenceError, match="status"):
        write_manifest(tmp_path / "manifest.json", broken)
    assert list(tmp_path.iterdir()) == []


def test_loading_garbage_raises_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("[1, 2]")
    with pytest.raises(EvidenceError, match="not a JSON object"):
        load_manifest(tmp_path / "manifest.json")
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(EvidenceError, match="Cannot read manifest"):
        load_manifest(tmp_path / "manifest.json")


def test_the_schema_file_is_itself_valid_draft_2020_12() -> None:
    import jsonschema

    from ediscovery.resources import schema_path

    for name in ("manifest.schema.json", "custody-event.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(schema_path(name).read_text()))


def test_the_schema_kind_enum_is_the_kind_registry() -> None:
    import json

    from ediscovery.evidence.kinds import KINDS, Kind
    from ediscovery.resources import schema_path

    entry = json.loads(schema_path("manifest.schema.json").read_text(encoding="utf-8"))["$defs"]["entry"]
    assert entry["properties"]["kind"]["enum"] == [str(kind) for kind in Kind]
    conditional = {k for rule in entry["allOf"] for k in rule["if"]["properties"]["kind"]["enum"]}
    assert conditional <= set(Kind)
    assert set(KINDS) == set(Kind)
