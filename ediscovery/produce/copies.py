"""Copies: the natives of a production, byte-exact copies verified against the manifest, and their text.

Owns copying a stored file into ``NATIVES/`` under a control-number name (never the
API-supplied name), checking its SHA-256 against the manifest entry while it streams, choosing
a safe extension, and extracting the searchable text of each kind of native.
"""

from __future__ import annotations

import codecs
import json
import mimetypes
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ediscovery.errors import ProductionError
from ediscovery.evidence.canonical import encode_text
from ediscovery.evidence.derived import write_bytes_durably
from ediscovery.evidence.digest import BLOCK_SIZE, Digests, MultiHasher, hash_bytes, sha256_files

_EXT = re.compile(r"\.([A-Za-z0-9]{1,10})$")
TEXT_EXTENSIONS = frozenset(
    {"txt", "md", "csv", "tsv", "json", "xml", "html", "htm", "py", "js", "log", "yaml"}
)
MAX_TEXT_BYTES = 50 * 1024 * 1024


def extension(filename: str | None, mime_type: str | None, default: str = "bin") -> str:
    """A lower-case extension of ``[a-z0-9]{1,10}`` from the original name or the MIME type."""
    match = _EXT.search(filename or "")
    if match:
        return match.group(1).lower()
    guessed = mimetypes.guess_extension(mime_type or "") if mime_type else None
    return guessed.lstrip(".") if guessed else default


def copy_verified(source: Path, target: Path, expected_sha256: str) -> Digests:
    """Stream ``source`` to ``target`` (temp + fsync + replace), refusing a SHA-256 mismatch."""
    target.parent.mkdir(parents=True, exist_ok=True)
    hasher = MultiHasher()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while block := src.read(BLOCK_SIZE):
                hasher.update(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        digests = hasher.digests()
        if digests.sha256 != expected_sha256:
            raise ProductionError(
                f"{source} does not match its manifest SHA-256 (expected {expected_sha256}, "
                f"found {digests.sha256}).",
                hint="The bag was altered since collection; run 'ediscovery verify' on it.",
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digests


def copy_content(source: Path, target: Path, expected_sha256: str) -> Digests:
    """The document inside a stored JSON native (its ``content`` text) as the produced native.

    A project document is stored as the API's JSON answer; what a reviewer opens is the
    document itself, named by its original file name. The JSON is checked against its
    manifest SHA-256 first; the produced file's digests are returned for the load file.
    """
    data = source.read_bytes()
    if hash_bytes(data).sha256 != expected_sha256:
        raise ProductionError(
            f"{source} does not match its manifest SHA-256 (expected {expected_sha256}).",
            hint="The bag was altered since collection; run 'ediscovery verify' on it.",
        )
    parsed: Any = json.loads(data)
    content = parsed.get("content") if isinstance(parsed, dict) else None
    text = encode_text(content if isinstance(content, str) else "")
    write_bytes_durably(target, text)
    return hash_bytes(text)


def is_text(ext: str, mime_type: str | None) -> bool:
    return ext in TEXT_EXTENSIONS or (mime_type or "").startswith("text/")


def stream_text(source: Path, target: Path) -> None:
    """Decode ``source`` as UTF-8 (invalid bytes replaced) into ``target``, block by block."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        read = 0
        while (block := src.read(BLOCK_SIZE)) and read < MAX_TEXT_BYTES:
            read += len(block)
            dst.write(decoder.decode(block))
        dst.write(decoder.decode(b"", final=True))


def json_text(source: Path, *keys: str) -> str:
    """Text fields of a stored JSON native (artifact content, project document, project); the
    text itself when the native is not JSON (an artifact's content may be served as text)."""
    raw = source.read_bytes()
    try:
        data: Any = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")
    if not isinstance(data, dict):
        return ""
    parts = [f"{key}: {data[key]}" if len(keys) > 1 else str(data[key]) for key in keys if data.get(key)]
    return "\n\n".join(parts) + "\n"


def is_json(path: Path) -> bool:
    """Whether a (small) stored native is JSON."""
    try:
        json.loads(path.read_bytes())
    except ValueError:
        return False
    return True


def sha256_of(path: Path) -> str:
    """SHA-256 hex of a file."""
    return sha256_files([path])
