"""Parse every timestamp form the Compliance API sends, and format the ones we send.

Seen forms: ``2026-04-10T08:09:10Z``, ``2025-03-12T18:22:41.123456Z``, ``...+00:00`` and,
on roles/groups/members, no offset at all (read as UTC). Date-only values are not
timestamps and are rejected.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FORM = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?$"
)
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime from an API timestamp; ValueError describing what is wrong."""
    if not isinstance(value, str) or not _FORM.match(value.strip()):
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    text = _LONG_FRACTION.sub(r"\1", value.strip())
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with ``Z`` (microseconds only when present); naive means UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if value.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return value.strftime(pattern)
