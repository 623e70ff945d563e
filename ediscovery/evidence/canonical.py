"""Canonical forms: the one JSON encoding and the one UTC timestamp format ediscovery writes.

Canonical JSON is ``sort_keys``, UTF-8 without ASCII escaping, compact separators; NaN and
Infinity are refused because they are not JSON. The same object always gives the same bytes,
so hashes over canonical JSON (custody chain, manifest digest) are reproducible.

**Text that is not valid Unicode.** JSON allows a lone UTF-16 surrogate (``"\\ud83d"``, a
title cut in half), which UTF-8 cannot encode. Every derived file (manifest, custody log,
reports, transcripts, load files) writes such a code point as the six characters ``\\udXXX``
(:data:`TEXT_ERRORS`): inside a JSON string that is the same escape the API sent, so nothing
is lost; in plain text it is a visible escape. Stored natives are never re-encoded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

TEXT_ERRORS = "backslashreplace"
"""The codec error handler of every derived text file: a lone surrogate becomes ``\\udXXX``."""


def encode_text(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates written as ``\\udXXX`` escapes (never an error)."""
    return text.encode("utf-8", TEXT_ERRORS)


def printable(text: str) -> str:
    """``text`` with every lone surrogate replaced by its visible ``\\udXXX`` escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return encode_text(text).decode("utf-8")
    return text


def dumps(obj: Any) -> bytes:
    """Return ``obj`` as canonical compact JSON bytes, without a trailing newline.

    Raises ``ValueError`` for NaN/Infinity; a lone surrogate stays a JSON ``\\u`` escape.
    """
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return encode_text(text)


def dumps_line(obj: Any) -> bytes:
    """Return canonical JSON followed by one ``\\n`` (a JSON Lines record)."""
    return dumps(obj) + b"\n"


def dumps_pretty(obj: Any) -> bytes:
    """Return ``obj`` as sorted JSON indented by two spaces, ending with a newline."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return encode_text(text) + b"\n"


def utc_iso(dt: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC.

    Microseconds appear only when non-zero. Naive datetimes are refused: a timestamp
    without a zone is ambiguous evidence.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: a time zone is required")
    utc = dt.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def utc_now() -> datetime:
    """The default clock: the current aware UTC time."""
    return datetime.now(UTC)
