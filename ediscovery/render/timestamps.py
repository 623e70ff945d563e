"""Timestamps: parsing the API's RFC 3339 variants and showing them in a display zone.

The API sends ``Z``, ``+00:00``, microseconds, and (for some objects) no offset at all,
which is read as UTC. A transcript shows each instant in the display zone with its offset
and again in UTC, so no reader has to guess which clock a time belongs to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ediscovery.errors import UsageError


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; :class:`UsageError` when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
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
