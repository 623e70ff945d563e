"""Canonical forms: the one JSON encoding and the one UTC timestamp format ediscovery writes.

Canonical JSON is ``sort_keys``, UTF-8 without ASCII escaping, compact separators; NaN and
Infinity are refused because they are not JSON. The same object always gives the same bytes,
so hashes over canonical JSON (custody chain, manifest digest) are reproducible.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def dumps(obj: Any) -> bytes:
    """Return ``obj`` as canonical compact JSON bytes, without a trailing newline.

    Raises ``ValueError`` for NaN/Infinity and for strings that are not valid Unicode.
    """
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def dumps_line(obj: Any) -> bytes:
    """Return canonical JSON followed by one ``\\n`` (a JSON Lines record)."""
    return dumps(obj) + b"\n"


def dumps_pretty(obj: Any) -> bytes:
    """Return ``obj`` as sorted JSON indented by two spaces, ending with a newline."""
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return text.encode("utf-8") + b"\n"


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
