"""The time scope of a collection: ``[since, until)`` read in a named zone, held in UTC.

Dates (``2026-03-08``) mean local midnight; date-times (``2026-03-08T02:30`` or with an
explicit offset) are read in the zone unless they carry an offset. A local time means **the
earliest instant at which the zone's wall clock shows that time or later**, so that later
typed times never give earlier instants. Around DST transitions that is:

* an **ambiguous** local time (the repeated hour when clocks go back) is its *first*
  occurrence, the earlier instant (Python's ``fold=0``);
* a **nonexistent** local time (the skipped hour when clocks go forward) is the instant the
  gap ends (``02:30`` on a spring-forward night in New York is ``03:00 EDT`` = ``07:00Z``).

Both bounds and the zone are recorded in the manifest's ``scope``, together with what the
user typed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ediscovery.collect.sources import ALL_SOURCES, Source
from ediscovery.errors import UsageError
from ediscovery.evidence.canonical import utc_iso
from ediscovery.timestamps import load_zone


@dataclass(frozen=True)
class Scope:
    """A half-open UTC interval (either end may be open) and how it was asked for."""

    since: datetime | None
    until: datetime | None
    time_zone: str = "UTC"
    since_input: str | None = None
    until_input: str | None = None
    sources: frozenset[Source] = ALL_SOURCES

    @property
    def bounded(self) -> bool:
        """Whether any date limit applies."""
        return self.since is not None or self.until is not None

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) lies in ``[since, until)``."""
        if self.since is not None and moment < self.since:
            return False
        return not (self.until is not None and moment >= self.until)

    def to_json(self) -> dict[str, Any]:
        """The manifest's ``scope`` object."""
        return {
            "since": format_utc(self.since),
            "until": format_utc(self.until),
            "time_zone": self.time_zone,
            "since_input": self.since_input,
            "until_input": self.until_input,
            "sources": sorted(str(s) for s in self.sources),
            "sources_not_chosen": sorted(str(s) for s in ALL_SOURCES - self.sources),
        }

    def wants(self, source: Source) -> bool:
        """Whether ``source`` was chosen."""
        return source in self.sources


def parse_bound(text: str, zone: ZoneInfo, *, option: str) -> datetime:
    """One ``--since``/``--until`` value as an aware UTC datetime (see the module rule)."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            local = datetime(day.year, day.month, day.day)
        else:
            local = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"Invalid date for {option}: {text!r}.",
            hint="Use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM].",
        ) from exc
    if local.tzinfo is None:
        return earliest_instant(local, zone)
    return local.astimezone(UTC)


def earliest_instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which ``zone``'s wall clock reads naive ``local`` or later."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == local:
        return first
    # Skipped by a forward jump: find the transition between the two readings, to the second.
    lo = math.floor(local.replace(tzinfo=zone, fold=1).timestamp())
    hi = math.ceil(first.timestamp())
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= local:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(hi, UTC)


def make_scope(
    since: str | None, until: str | None, tz: str = "UTC", sources: frozenset[Source] = ALL_SOURCES
) -> Scope:
    """Build the scope from option values; UsageError on bad dates, zones or an empty range."""
    zone = load_zone(tz)
    since_utc = parse_bound(since, zone, option="--since") if since else None
    until_utc = parse_bound(until, zone, option="--until") if until else None
    if since_utc is not None and until_utc is not None and until_utc <= since_utc:
        raise UsageError(
            f"--until ({until}) must be later than --since ({since}).",
            hint="--since is inclusive and --until exclusive.",
        )
    return Scope(since_utc, until_utc, tz, since or None, until or None, sources)


def format_utc(moment: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (microseconds kept when present), or None."""
    return None if moment is None else utc_iso(moment)


def rfc3339(moment: datetime) -> str:
    """A query-string timestamp the API accepts (explicit ``Z`` offset)."""
    return format_utc(moment) or ""
