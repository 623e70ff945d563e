"""Property tests of reading ``--since``/``--until``: any local time, any zone, DST included."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ediscovery.collect.scope import parse_bound

ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
)
local_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0)
)
zones = st.sampled_from(ZONES).map(ZoneInfo)


@functools.cache
def transitions(name: str, year: int) -> tuple[datetime, ...]:
    """The UTC instants (to the second) at which ``name`` changes its offset during ``year``."""
    zone = ZoneInfo(name)
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            lo, hi = int(day.timestamp()), int(after.timestamp())
            while lo + 1 < hi:
                mid = (lo + hi) // 2
                same = datetime.fromtimestamp(mid, zone).utcoffset() == day.astimezone(zone).utcoffset()
                lo, hi = (mid, hi) if same else (lo, mid)
            found.append(datetime.fromtimestamp(hi, UTC))
        day = after
    return tuple(found)


@st.composite
def near_a_transition(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    """A local time within two hours of a DST switch (gaps and folds included)."""
    name = draw(st.sampled_from(ZONES[1:]))
    switches = transitions(name, draw(st.integers(2000, 2037)))
    if not switches:
        return draw(local_times), ZoneInfo(name)
    switch = draw(st.sampled_from(switches))
    around = switch + timedelta(seconds=draw(st.integers(-7200, 7200)))
    local = around.astimezone(ZoneInfo(name)).replace(tzinfo=None)
    return local + timedelta(seconds=draw(st.integers(-3600, 3600))), ZoneInfo(name)


anywhere = st.one_of(st.tuples(local_times, zones), near_a_transition())


def reading(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@settings(max_examples=300, deadline=None)
@given(local_times, zones)
def test_a_local_time_is_the_first_instant_the_clock_shows_it_or_later(
    local: datetime, zone: ZoneInfo
) -> None:
    instant = parse_bound(local.isoformat(), zone, option="--since")
    assert instant.tzinfo == UTC
    assert reading(instant, zone) >= local
    assert reading(instant - timedelta(seconds=1), zone) < local


@settings(max_examples=300, deadline=None)
@given(near_a_transition(), st.integers(0, 7200))
def test_later_local_times_never_give_earlier_instants(case: tuple[datetime, ZoneInfo], later: int) -> None:
    first, zone = case
    second = first + timedelta(seconds=later)
    assert parse_bound(first.isoformat(), zone, option="--since") <= parse_bound(
        second.isoformat(), zone, option="--until"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)),
    zones,
)
def test_an_explicit_offset_is_kept_whatever_the_zone(moment: datetime, zone: ZoneInfo) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_bound(moment.isoformat(), zone, option="--since") == moment
    assert parse_bound(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), zone, option="--since") == moment


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2037, 12, 31).date()), zones)
def test_a_date_is_the_start_of_that_local_day(day: object, zone: ZoneInfo) -> None:
    instant = parse_bound(str(day), zone, option="--since")
    assert reading(instant, zone).date() == day or reading(instant, zone).date() > day  # type: ignore[operator]
    assert reading(instant - timedelta(seconds=1), zone).date() < day  # type: ignore[operator]
