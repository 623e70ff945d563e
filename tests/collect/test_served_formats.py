"""What the API serves differently from what was uploaded is kept as served and named by what it is."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from pypdf import PdfReader

from ediscovery.produce import build_production
from ediscovery.produce.formats.dat import parse_dat
from ediscovery.sandbox import Tenant

from .conftest import Collect


def test_an_artifact_served_as_text_is_stored_byte_for_byte_and_produced_as_text(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, tmp_path: Path
) -> None:
    plain = next(a for a in tenant.artifacts.values() if a.plain)
    result = collect(sandbox_transport, render=True)
    assert result.status == "complete"
    manifest = json.loads((result.bag / "manifest.json").read_text())
    [entry] = [
        e for e in manifest["entries"] if e["kind"] == "artifact" and e["source_id"] == plain.version_id
    ]
    assert (result.bag / entry["path"]).read_bytes() == plain.content.encode("utf-8")
    transcript = result.bag / "data" / "transcripts" / "chats" / f"{plain.chat_id}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(transcript).pages)
    assert "print('ok')" in text

    volume = build_production([result.bag], tmp_path / "prod").volume_dir
    header, *rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    row = dict(zip(header, next(r for r in rows if plain.version_id in r), strict=True))
    assert (row["FILEEXT"], row["MIMETYPE"], row["DOCTYPE"]) == ("txt", "text/plain", "Artifact")
    native = volume / row["NATIVEPATH"].replace("\\", "/")
    assert native.read_bytes() == plain.content.encode("utf-8")
    assert (volume / row["TEXTPATH"].replace("\\", "/")).read_text(encoding="utf-8") == plain.content


def test_a_word_file_served_as_extracted_text_is_named_by_what_it_is(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, tmp_path: Path
) -> None:
    memo = next(f for f in tenant.files.values() if f.filename == "Board memo.docx")
    result = collect(sandbox_transport)
    manifest = json.loads((result.bag / "manifest.json").read_text())
    [entry] = [e for e in manifest["entries"] if e["kind"] == "file" and e["source_id"] == memo.id]
    assert entry["metadata"]["detected_mime_type"] == "text/plain"
    assert entry["metadata"]["original_filename"] == "Board memo.docx"
    served = [item for item in manifest["limitations"] if item["kind"] == "file_served_as_text"]
    assert [item["source_id"] for item in served] == [memo.id]
    assert "extracted text" in served[0]["message"]
    others = [e for e in manifest["entries"] if e["kind"] == "file" and e["source_id"] != memo.id]
    assert {e["metadata"]["detected_mime_type"] for e in others} >= {"application/pdf", "image/png"}

    volume = build_production([result.bag], tmp_path / "prod", formats=("dat", "text")).volume_dir
    header, *rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    row = dict(zip(header, next(r for r in rows if memo.id in r), strict=True))
    assert (row["FILENAME"], row["FILEEXT"], row["MIMETYPE"]) == ("Board memo.docx", "txt", "text/plain")
    text = (volume / row["TEXTPATH"].replace("\\", "/")).read_text(encoding="utf-8")
    assert "The board approved the budget." in text
