"""Timestamps: every form the Compliance API sends, read; and every form this project writes.

Seen forms: ``2026-04-10T08:09:10Z``, ``2025-03-12T18:22:41.123456Z``, ``...+00:00`` and,
on roles/groups/members, no offset at all (read as UTC). Date-only values are not
timestamps. :func:`parse_timestamp` is strict (API answers); :func:`parse_instant` reads
stored values back leniently (None when absent or unreadable). A transcript shows each
instant in the display zone with its offset and again in UTC; load files carry ISO 8601
with the display zone's offset (:func:`iso_in_zone`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ediscovery.errors import UsageError

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


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; :class:`UsageError` when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UsageError(
            f"Unknown time zone {name!r}.", hint="Use an IANA name such as 'Europe/Paris' or 'UTC'."
        ) from exc


def parse_instant(value: object) -> datetime | None:
    """A UTC-aware datetime from an API timestamp string, or None when absent/unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_utc(instant: datetime) -> str:
    """``2026-04-10 08:09:10Z`` (seconds; fractions are kept only when present)."""
    pattern = "%Y-%m-%d %H:%M:%S.%f" if instant.microsecond else "%Y-%m-%d %H:%M:%S"
    return instant.astimezone(UTC).strftime(pattern) + "Z"


def format_local(instant: datetime, zone: ZoneInfo) -> str:
    """``2026-04-10 10:09:10 +02:00`` in ``zone``."""
    local = instant.astimezone(zone)
    offset = local.strftime("%z")
    pattern = "%Y-%m-%d %H:%M:%S.%f" if local.microsecond else "%Y-%m-%d %H:%M:%S"
    return f"{local.strftime(pattern)} {offset[:3]}:{offset[3:]}"


def describe(value: object, zone: ZoneInfo) -> str:
    """Local time with offset and UTC for display, the raw value when it cannot be parsed."""
    instant = parse_instant(value)
    if instant is None:
        return "" if value is None else str(value)
    local = format_local(instant, zone)
    if zone.key == "UTC":
        return format_utc(instant)
    return f"{local} ({format_utc(instant)})"


def pdf_date(value: object) -> str:
    """A W3C date for PDF metadata, from a manifest timestamp (epoch when absent)."""
    instant = parse_instant(value) or datetime(1970, 1, 1, tzinfo=UTC)
    return instant.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_in_zone(value: datetime | None, zone: str) -> str:
    """ISO 8601 with the offset of ``zone`` (seconds precision), or ``""``."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
