"""The EML envelope of an RSMF file, written as a stream so attachments never sit in memory.

Owns the RFC 5322 / MIME framing of an ``.rsmf``: the headers (folded and encoded by the
``email`` package, control characters removed), a ``multipart/mixed`` body with a UTF-8
plain-text preview and exactly one base64 attachment ``rsmf.zip`` streamed from disk in
76-character lines. The boundary is derived from the content, so the same input gives the
same bytes and the boundary cannot occur inside the parts it separates.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import BinaryIO

from ediscovery.evidence.canonical import encode_text, printable
from ediscovery.evidence.derived import durable_stream
from ediscovery.produce.copies import sha256_of

_B64_BLOCK = 57 * 1024  # a multiple of 57 bytes encodes to whole 76-character lines


def header_value(value: str) -> str:
    """A header value on one line: control characters (CR, LF, U+0014 …) become spaces."""
    return printable("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value).strip())


def _header_bytes(headers: Sequence[tuple[str, str]], boundary: str) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)
    for name, value in headers:
        message[name] = header_value(value)
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'
    return b"".join(message.policy.fold_binary(n, v) for n, v in message.items()) + b"\r\n"


def _base64_lines(source: BinaryIO, sink: BinaryIO) -> None:
    while block := source.read(_B64_BLOCK):
        sink.write(base64.encodebytes(block).replace(b"\n", b"\r\n"))


def _part_head(boundary: str, *lines: str) -> bytes:
    return ("\r\n".join([f"--{boundary}", *lines, "Content-Transfer-Encoding: base64", "", ""])).encode()


def write_envelope(target: Path, headers: Sequence[tuple[str, str]], preview: str, zip_path: Path) -> None:
    """Write the ``.rsmf`` at ``target`` (temp + fsync + replace)."""
    text = encode_text(preview)
    boundary = "=_rsmf_" + hashlib.sha256(text + sha256_of(zip_path).encode()).hexdigest()[:40]
    with durable_stream(target) as sink:
        sink.write(_header_bytes(headers, boundary))
        sink.write(_part_head(boundary, 'Content-Type: text/plain; charset="utf-8"'))
        sink.write(base64.encodebytes(text).replace(b"\n", b"\r\n"))
        attachment = 'Content-Disposition: attachment; filename="rsmf.zip"'
        sink.write(_part_head(boundary, "Content-Type: application/zip", attachment))
        with zip_path.open("rb") as source:
            _base64_lines(source, sink)
        sink.write(f"--{boundary}--\r\n".encode())
