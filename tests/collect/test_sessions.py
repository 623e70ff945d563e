"""Agent sessions: every local and remote session of the custodian, whole, and none of anyone else's."""

from __future__ import annotations

import email
import io
import json
import zipfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from ediscovery.produce import build_production
from ediscovery.produce.formats.dat import parse_dat
from ediscovery.sandbox import Tenant, ground_truth
from ediscovery.sandbox.model import LocalSession, SessionMessage

from .conftest import Collect


def _sessions(bag: Path, kind: str) -> dict[str, list[dict[str, object]]]:
    """Per session: the messages of its stored pages, in order, as stored."""
    manifest = json.loads((bag / "manifest.json").read_text())
    out: dict[str, list[dict[str, object]]] = {}
    for entry in manifest["entries"]:
        if entry["kind"] == kind:
            out.setdefault(entry["source_id"], []).extend(
                json.loads((bag / entry["path"]).read_text())["data"]
            )
    return out


def _tool_chars(message: dict[str, object]) -> int:
    size = 0
    for block in message["content"]:  # type: ignore[attr-defined]
        if block["type"] == "tool_use":
            size += len(block["input"])
        elif block["type"] == "tool_result":
            size += sum(len(item["text"]) for item in block["content"])
    return size


def _check(bag: Path, truth: dict[str, dict[str, object]], kind: str) -> None:
    stored = _sessions(bag, kind)
    wanted = {sid: t for sid, t in truth.items() if not t.get("pending")}
    assert sorted(stored) == sorted(wanted)
    for sid, messages in stored.items():
        assert [m["id"] for m in messages] == wanted[sid]["message_ids"]
        sizes = {m["id"]: _tool_chars(m) for m in messages if _tool_chars(m)}
        assert sizes == wanted[sid]["tool_chars"]  # tool inputs and results whole, not cut at 10,000


def test_local_and_remote_sessions_equal_ground_truth_and_hold_no_one_elses(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport)
    truth = ground_truth(tenant, "alice@example.com")
    _check(result.bag, truth["local_sessions"], "local_session_messages")
    _check(result.bag, truth["remote_sessions"], "remote_session_messages")
    assert any(
        t["tool_chars"] and max(t["tool_chars"].values()) > 10_000 for t in truth["local_sessions"].values()
    )
    manifest = json.loads((result.bag / "manifest.json").read_text())
    limitations = {(i["kind"], i["source_id"]) for i in manifest["limitations"]}
    for sid, t in truth["remote_sessions"].items():
        assert (("remote_session_pending", sid) in limitations) == t["pending"]
    gaps = {mid for t in truth["local_sessions"].values() for mid in t["content_unavailable"]}
    assert gaps and gaps == {s for k, s in limitations if k == "session_content_unavailable"}
    others = [s for s in tenant.local_sessions.values() if s.user_id not in truth["user_ids"]]
    text = "\n".join(
        p.read_text(errors="replace") for p in result.bag.rglob("*") if p.is_file() and p.suffix != ".pdf"
    )
    session_natives = "\n".join(
        p.read_text()
        for folder in ("local_sessions", "remote_sessions")
        for p in result.bag.rglob(f"{folder}/*/*")
    )
    for other in others:  # the tenant-wide list pages are not kept: no id, email or name of anyone else
        assert other.id not in text
        assert (other.email or "@@") not in session_natives
    walk = manifest["local_session_walk"]
    assert walk["listed"] == len(tenant.local_sessions) and walk["selected"] == len(truth["local_sessions"])
    sessions = [e for e in manifest["entries"] if e["kind"] == "local_session"]
    assert all(
        e["metadata"]["listed_on"]["sha256"] and e["metadata"]["listed_on"]["request_id"] for e in sessions
    )
    counts = manifest["counts"]
    assert counts["local_sessions"] == len(truth["local_sessions"])
    assert counts["remote_sessions"] == sum(1 for t in truth["remote_sessions"].values() if not t["pending"])


def _longer_walks(tenant: Tenant) -> None:
    """Two pages of tenant-wide list, and a custodian session of two message pages."""
    alice = tenant.user_by_email("alice@example.com")
    bob = tenant.user_by_email("bob@example.com")
    assert alice is not None and bob is not None
    template = next(s for s in tenant.local_sessions.values() if s.user_id == alice.id)
    for n in range(520):
        at = template.created_at - timedelta(minutes=n + 1)
        sid = f"clls_01filler{n:014d}"
        tenant.local_sessions[sid] = LocalSession(sid, template.org_uuid, bob.id, bob.email, "cowork", at, ())
    first = template.messages[0]
    many = tuple(
        SessionMessage(
            f"clsm_01long{n:016d}", first.role, first.created_at + timedelta(seconds=n), first.content
        )
        for n in range(1100)
    )
    tenant.local_sessions[template.id] = replace(template, messages=many)


@pytest.mark.parametrize("expire", [1, 3])
def test_an_expired_page_token_restarts_the_walk_and_keeps_every_message_once(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, expire: int
) -> None:
    _longer_walks(tenant)
    tenant.expire_next_cursors = expire
    result = collect(sandbox_transport)
    assert tenant.expire_next_cursors == 0  # every forced expiry was met and walked past
    truth = ground_truth(tenant, "alice@example.com")
    _check(result.bag, truth["local_sessions"], "local_session_messages")
    _check(result.bag, truth["remote_sessions"], "remote_session_messages")
    manifest = json.loads((result.bag / "manifest.json").read_text())
    assert manifest["local_session_walk"]["listed"] >= len(tenant.local_sessions)
    assert result.status == "complete"


def test_each_session_has_a_transcript_with_its_tool_calls_and_gaps_marked(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    result = collect(sandbox_transport, render=True)
    truth = ground_truth(tenant, "alice@example.com")
    manifest = json.loads((result.bag / "manifest.json").read_text())
    transcripts = {
        e["source_id"]: e
        for e in manifest["entries"]
        if e["kind"] == "transcript" and e["metadata"]["document_type"] == "session"
    }
    live_remote = {sid for sid, t in truth["remote_sessions"].items() if not t["pending"]}
    assert set(transcripts) == set(truth["local_sessions"]) | live_remote
    gap_session = next(sid for sid, t in truth["local_sessions"].items() if t["content_unavailable"])
    text = "".join(p.extract_text() for p in PdfReader(result.bag / transcripts[gap_session]["path"]).pages)
    assert "Local agent session" in text and "content not captured: not_captured" in text
    assert "Tool call: web_search" in text and "Tool result: web_search" in text
    long_input = max(
        (
            b["input"]
            for s in tenant.local_sessions.values()
            if s.id == gap_session
            for m in s.messages
            for b in m.content
            if b["type"] == "tool_use"
        ),
        key=len,
    )
    assert len(long_input) > 10_000
    assert (
        "".join(text.split()).count("loremipsumdolorsitamet")
        >= long_input.count("lorem ipsum dolor sit amet") - 2
    )


def test_an_incremental_run_names_new_and_vanished_sessions_in_its_delta(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport
) -> None:
    collect(sandbox_transport)
    truth = ground_truth(tenant, "alice@example.com")
    gone = sorted(truth["local_sessions"])[0]
    template = tenant.local_sessions.pop(gone)
    added = replace(template, id="clls_01added0000000000000000")
    tenant.local_sessions[added.id] = added
    result = collect(sandbox_transport)
    delta = json.loads((result.bag / "reports" / "delta.json").read_text())["sessions"]
    assert (delta["new"], delta["vanished"]) == ([added.id], [gone])
    stored = _sessions(result.bag, "local_session_messages")
    assert added.id in stored and gone not in stored


def test_sessions_are_produced_as_documents_with_their_transcripts_natives_and_text(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, tmp_path: Path
) -> None:
    result = collect(sandbox_transport)
    volume = build_production([result.bag], tmp_path / "prod", formats=("dat", "opt", "text")).volume_dir
    header, *rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    docs = [dict(zip(header, row, strict=True)) for row in rows]
    truth = ground_truth(tenant, "alice@example.com")
    local = {d["SOURCE_ID"] for d in docs if d["DOCTYPE"] == "LocalSession"}
    remote = {d["SOURCE_ID"] for d in docs if d["DOCTYPE"] == "RemoteSession"}
    assert local == set(truth["local_sessions"])
    assert remote == {sid for sid, t in truth["remote_sessions"].items() if not t["pending"]}
    numbers = [int(d["BEGBATES"].removeprefix("PROD")) for d in docs]
    ends = [int(d["ENDBATES"].removeprefix("PROD")) for d in docs]
    assert all(b == e + 1 for b, e in zip(numbers[1:], ends, strict=False))  # continuous
    session = next(d for d in docs if d["DOCTYPE"] == "LocalSession")
    assert (volume / session["PDFPATH"].replace("\\", "/")).is_file()
    assert int(session["MESSAGE_COUNT"]) == len(truth["local_sessions"][session["SOURCE_ID"]]["message_ids"])
    text = (volume / session["TEXTPATH"].replace("\\", "/")).read_text(encoding="utf-8")
    assert f"Session ID: {session['SOURCE_ID']}" in text and "tool: web_search(" in text


def test_a_session_is_one_rsmf_conversation_with_every_message(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, tmp_path: Path
) -> None:
    result = collect(sandbox_transport)
    volume = build_production([result.bag], tmp_path / "prod", formats=("dat", "rsmf")).volume_dir
    header, *rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    docs = [dict(zip(header, row, strict=True)) for row in rows]
    truth = ground_truth(tenant, "alice@example.com")
    for doc in (d for d in docs if d["DOCTYPE"] == "LocalSession"):
        assert (doc["FILEEXT"], doc["NATIVEPATH"]) == ("rsmf", f"RSMF\\{doc['BEGBATES']}.rsmf")
        message = email.message_from_bytes((volume / "RSMF" / f"{doc['BEGBATES']}.rsmf").read_bytes())
        archive = next(
            part.get_payload(decode=True) for part in message.walk() if part.get_filename() == "rsmf.zip"
        )
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("rsmf_manifest.json"))
        events = [e for e in manifest["events"] if e.get("type") == "message"]
        assert len(events) == len(truth["local_sessions"][doc["SOURCE_ID"]]["message_ids"])
