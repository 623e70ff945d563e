"""Deterministic content: real-format file bytes, seeded blobs streamed in chunks, message blocks.

Large blobs are never held whole: each chunk is derived from ``(seed, chunk index)`` so any
chunk can be produced on demand, and a 2 GB file costs no memory.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from ediscovery.sandbox.model import Blob, Message

CHUNK = 1 << 20


def blob_chunks(blob: Blob, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Yield the blob's bytes in chunks of at most ``chunk_size``."""
    if blob.data is not None:
        for start in range(0, len(blob.data), chunk_size):
            yield blob.data[start : start + chunk_size]
        return
    produced = 0
    index = 0
    while produced < blob.size:
        block = _seeded_block(blob.seed, index, min(CHUNK, blob.size - produced))
        for start in range(0, len(block), chunk_size):
            yield block[start : start + chunk_size]
        produced += len(block)
        index += 1


def _seeded_block(seed: int, index: int, size: int) -> bytes:
    return random.Random(f"blob:{seed}:{index}").randbytes(size)


def seeded_blob(seed: int, size: int) -> Blob:
    """A blob of ``size`` pseudo-random bytes, produced lazily."""
    return Blob(size=size, seed=seed)


def held_blob(data: bytes) -> Blob:
    return Blob(size=len(data), data=data)


def pdf_bytes(title: str, lines: list[str]) -> bytes:
    """A small valid PDF 1.4 with one page of Helvetica text (ASCII only)."""
    text = " ".join(f"({_pdf_escape(line)}) Tj T*" for line in [title, *lines])
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {text} ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def png_bytes(width: int, height: int, seed: int) -> bytes:
    """A valid RGB PNG with a seeded gradient."""
    rng = random.Random(f"png:{seed}")
    base = [rng.randrange(256) for _ in range(3)]
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes(((base[0] + x) % 256, (base[1] + y) % 256, (base[2] + x + y) % 256))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def csv_bytes(seed: int, rows: int = 20) -> bytes:
    rng = random.Random(f"csv:{seed}")
    lines = ["id,region,amount,note"]
    regions = ["EMEA", "APAC", "AMER", "Zürich", "東京"]
    for index in range(rows):
        note = '"quoted, with comma"' if index % 7 == 3 else "ok"
        lines.append(f"{index + 1},{rng.choice(regions)},{rng.randrange(100, 99999) / 100:.2f},{note}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def text_bytes(seed: int) -> bytes:
    rng = random.Random(f"txt:{seed}")
    words = ["contract", "renewal", "deadline", "privileged", "draft", "budget", "Q3", "review"]
    body = "\n".join(" ".join(rng.choices(words, k=12)) for _ in range(8))
    return f"Meeting notes #{seed}\n\n{body}\n".encode()


# --- message content -----------------------------------------------------------------

_TOPICS = ["the Q3 vendor contract", "the retention policy", "our launch plan", "the audit findings"]
_I18N = (
    "多言語テスト: 契約書の締め切りは来週です。中文：请审阅这份草案。"  # noqa: RUF001
    " العربية: يرجى مراجعة العقد قبل الموعد النهائي."
    " עברית: נא לבדוק את הטיוטה לפני הפגישה. Emoji: 📎✅🚀👩‍⚖️"
)
LONG_TOOL_CHARS = 12_500


def message_blocks(message: Message) -> list[dict[str, Any]]:
    """The content blocks of a message, built from its recipe (untruncated)."""
    if message.text is not None:
        return [_text(message.text, message.role)]
    rng = random.Random(f"msg:{message.seed}")
    topic = rng.choice(_TOPICS)
    if message.role == "user":
        text = f"Can you summarise {topic}? Keep it short."
        if message.recipe == "i18n":
            text = _I18N
        return [_text(text, "user")]
    recipes = {
        "plain": lambda: [_text(_markdown(topic, rng), "assistant")],
        "code": lambda: [_text(_code(rng), "assistant")],
        "i18n": lambda: [_text(f"Translation notes:\n\n{_I18N}", "assistant")],
        "tool": lambda: _tool_blocks(topic, rng, long=False),
        "long_tool": lambda: _tool_blocks(topic, rng, long=True),
    }
    return recipes.get(message.recipe, recipes["plain"])()


def _text(text: str, role: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "thinking_redacted": False, "truncated": False}


def _markdown(topic: str, rng: random.Random) -> str:
    points = "\n".join(f"- Point {i + 1}: item {rng.randrange(1000)}" for i in range(3))
    return f"## Summary of {topic}\n\nHere is a **draft** with *emphasis*:\n\n{points}\n\n> Review by Friday."


def _code(rng: random.Random) -> str:
    n = rng.randrange(2, 9)
    return f"Here is the script:\n\n```python\ndef total(xs):\n    return sum(xs) * {n}\n```\n"


def _tool_blocks(topic: str, rng: random.Random, *, long: bool) -> list[dict[str, Any]]:
    tool_id = "toolu_01" + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", k=22))
    query: dict[str, Any] = {"query": topic, "max_results": 5}
    if long:
        query["document"] = ("lorem ipsum dolor sit amet " * (LONG_TOOL_CHARS // 27 + 1))[:LONG_TOOL_CHARS]
    result = f"Found {rng.randrange(2, 40)} results about {topic}."
    if long:
        result = (result + " ") * (LONG_TOOL_CHARS // len(result) + 1)
    return [
        _text(f"Let me look up {topic}.", "assistant"),
        {
            "type": "tool_use",
            "id": tool_id,
            "name": "web_search",
            "input": json.dumps(query),
            "integration_name": None,
            "mcp_server_url": None,
            "truncated": False,
        },
        {
            "type": "tool_result",
            "tool_use_id": tool_id,
            "name": "web_search",
            "is_error": False,
            "content": [{"type": "text", "text": result}],
            "integration_name": None,
            "mcp_server_url": None,
            "truncated": False,
        },
        _text(f"Based on the search, {topic} looks on track.", "assistant"),
    ]


def truncate_blocks(
    blocks: list[dict[str, Any]], tool_use_max: int, tool_result_max: int
) -> list[dict[str, Any]]:
    """Apply the truncation parameters (``-1`` = no limit) to tool blocks.

    A tool_use ``input`` longer than the bound is cut to the bound (so it is no longer valid JSON)
    and marked ``truncated``. For tool_result the bound applies to each text item.
    """
    out: list[dict[str, Any]] = []
    for block in blocks:
        if block["type"] == "tool_use" and 0 <= tool_use_max < len(block["input"]):
            block = {**block, "input": block["input"][:tool_use_max], "truncated": True}
        elif block["type"] == "tool_result" and tool_result_max >= 0:
            items = block["content"]
            if any(len(item["text"]) > tool_result_max for item in items):
                cut = [{**item, "text": item["text"][:tool_result_max]} for item in items]
                block = {**block, "content": cut, "truncated": True}
        out.append(block)
    return out


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A ZIP archive of ``members`` (name -> bytes), deterministic (fixed times, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), members[name])
    return buffer.getvalue()
