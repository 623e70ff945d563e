"""Streaming downloads: where the bytes go, what they hash to, and what the server called them.

A download is written to a *sink* in chunks while MD5, SHA-256 and SHA-512 are computed in
the same pass (``evidence.digest.MultiHasher``), so memory stays bounded whatever the file
size. A sink can be *reset* (a truncated body is retried from the start, never appended to).
``Content-MD5`` (base64, of the served bytes) is checked after the last chunk; the RFC 5987
``filename*`` of ``Content-Disposition`` is decoded exactly and returned unsanitized — callers
sanitize.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable
from urllib.parse import unquote_to_bytes

from ediscovery.api.response import DownloadResult
from ediscovery.evidence.digest import MultiHasher

CHUNK_SIZE = 512 * 1024


@runtime_checkable
class DownloadSink(Protocol):
    """Receives a download's bytes; ``reset()`` discards everything written so far."""

    def write(self, chunk: bytes) -> object: ...

    def reset(self) -> None: ...


class FileSink:
    """A seekable binary file as a sink; reset truncates it back to where it started."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self._start = file.tell()

    def write(self, chunk: bytes) -> object:
        return self.file.write(chunk)

    def reset(self) -> None:
        self.file.seek(self._start)
        self.file.truncate()


@dataclass(frozen=True)
class CallbackSink:
    """Two callables as a sink: ``on_chunk(bytes)`` and ``on_reset()``."""

    on_chunk: Callable[[bytes], object]
    on_reset: Callable[[], object]

    def write(self, chunk: bytes) -> object:
        return self.on_chunk(chunk)

    def reset(self) -> None:
        self.on_reset()


SinkLike = DownloadSink | BinaryIO


def as_sink(target: SinkLike) -> DownloadSink:
    """A :class:`DownloadSink` for a sink or a seekable binary file."""
    if isinstance(target, DownloadSink):
        return target
    if hasattr(target, "seek") and hasattr(target, "truncate") and hasattr(target, "write"):
        return FileSink(target)
    raise TypeError("a download sink needs write() and reset() (or be a seekable binary file)")


def md5_matches(content_md5: str | None, digest: bytes) -> bool | None:
    """Compare a base64 ``Content-MD5`` with a digest; None without a header, False if garbled."""
    if content_md5 is None:
        return None
    try:
        announced = base64.b64decode(content_md5.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return announced == digest


def disposition_filename(header: str | None) -> str | None:
    """The file name of a ``Content-Disposition`` header, RFC 5987 ``filename*`` preferred.

    The name is returned exactly as decoded (path separators, dots, control characters
    included). Bytes that are not valid in the declared charset are replaced by U+FFFD.
    """
    if not header:
        return None
    params = _disposition_params(header)
    extended = params.get("filename*")
    if extended is not None:
        decoded = _decode_ext_value(extended)
        if decoded is not None:
            return decoded
    return params.get("filename")


_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _disposition_params(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for match in _PARAM.finditer(header):
        out.setdefault(match.group(1).lower(), _unquote(match.group(2).strip()))
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _decode_ext_value(value: str) -> str | None:
    """``charset'lang'pct-encoded`` → text; None when not in that form."""
    parts = value.split("'", 2)
    if len(parts) != 3:
        return None
    charset, _language, encoded = parts
    codec = (charset or "utf-8").strip().lower()
    raw = unquote_to_bytes(encoded)
    try:
        return raw.decode(codec, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def download_result(
    headers: Mapping[str, str], digest: MultiHasher, *, request_id: str | None, url: str, at: datetime
) -> DownloadResult:
    """What one finished download was: its digests, and what its headers said about it."""
    digests = digest.digests()
    content_md5 = headers.get("content-md5")
    return DownloadResult(
        size=digests.size,
        md5=digests.md5,
        sha256=digests.sha256,
        sha512=digests.sha512,
        content_md5=content_md5,
        md5_matched=md5_matches(content_md5, digest.md5_bytes()),
        filename=disposition_filename(headers.get("content-disposition")),
        content_type=headers.get("content-type"),
        request_id=request_id,
        url=url,
        retrieved_at=at,
    )
