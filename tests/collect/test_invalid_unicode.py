"""Text that is not valid Unicode: a lone UTF-16 surrogate in a chat title (JSON allows ``"\\ud83d"``).

The native keeps the bytes the API sent; every derived file writes the code point as the escape
``\\ud83d``, so nothing crashes and nothing is lost.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from email import message_from_bytes
from pathlib import Path

import httpx
import pypdf
import pytest

from ediscovery.produce import build_production
from ediscovery.sandbox import Tenant, ground_truth

from .conftest import Collect

TITLE = "Budget \ud83d cut"
ESCAPED = "Budget \\ud83d cut"


@pytest.mark.slow
def test_a_lone_surrogate_in_a_chat_title_is_escaped_in_every_derived_file(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, tmp_path: Path
) -> None:
    truth = ground_truth(tenant, "alice@example.com")
    chat_id = sorted(cid for cid, chat in truth["chats"].items() if not chat["deleted"])[0]
    tenant.chats[chat_id] = dataclasses.replace(tenant.chats[chat_id], name=TITLE)

    result = collect(sandbox_transport, render=True, seal=True)
    assert result.status == "complete"
    manifest = json.loads((result.bag / "manifest.json").read_bytes())
    [page] = [e for e in manifest["entries"] if e["kind"] == "chat_messages" and e["source_id"] == chat_id]
    assert page["metadata"]["chat_name"] == TITLE  # the JSON escape reads back as the same code point
    assert ESCAPED.encode() in (result.bag / page["path"]).read_bytes()  # the native, as sent
    [pdf] = [e for e in manifest["entries"] if e["kind"] == "transcript" and e["source_id"] == chat_id]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(result.bag / pdf["path"]).pages)
    assert "ud83d" in text

    assert result.archive is not None
    volume = build_production([result.archive], tmp_path / "p", formats=("dat", "csv", "rsmf")).volume_dir
    dat = (volume / "DATA" / "VOL001.dat").read_text(encoding="utf-8")
    assert ESCAPED in dat
    rsmf = next(p for p in (volume / "RSMF").iterdir() if p.suffix == ".rsmf" and _subject(p) == ESCAPED)
    zipped = next(part for part in message_from_bytes(rsmf.read_bytes()).walk() if part.get_filename())
    with zipfile.ZipFile(_save(zipped.get_payload(decode=True), tmp_path)) as archive:
        conversations = json.loads(archive.read("rsmf_manifest.json"))["conversations"]
    assert conversations[0]["display"] == TITLE


def _subject(path: Path) -> str:
    return str(message_from_bytes(path.read_bytes()).get("Subject", ""))


def _save(data: bytes, folder: Path) -> Path:
    target = folder / "rsmf.zip"
    target.write_bytes(data)
    return target
