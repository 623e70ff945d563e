"""An artifact whose content endpoint serves plain text is kept as served, rendered and produced as text."""

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
