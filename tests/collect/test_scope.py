"""Date ranges: dates and date-times read in a zone, DST gaps and folds, bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ediscovery.collect.scope import make_scope
from ediscovery.errors import UsageError


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_dates_are_local_midnight_and_recorded_as_typed() -> None:
    scope = make_scope("2026-03-01", "2026-04-01", "Europe/Berlin")
    assert scope.since == utc(2026, 2, 28, 23, 0)
    assert scope.until == utc(2026, 3, 31, 22, 0)  # CEST after the switch
    assert scope.to_json() == {
        "since": "2026-02-28T23:00:00Z",
        "until": "2026-03-31T22:00:00Z",
        "time_zone": "Europe/Berlin",
        "since_input": "2026-03-01",
        "until_input": "2026-04-01",
        "sources": [
            "activities",
            "chats",
            "code-artifacts",
            "local-sessions",
            "projects",
            "remote-sessions",
            "settings",
        ],
        "sources_not_chosen": [],
    }


def test_since_is_inclusive_and_until_exclusive() -> None:
    scope = make_scope("2026-01-01", "2026-01-02")
    assert scope.contains(utc(2026, 1, 1, 0, 0))
    assert scope.contains(utc(2026, 1, 1, 23, 59, 59))
    assert not scope.contains(utc(2026, 1, 2, 0, 0))
    assert not scope.contains(utc(2025, 12, 31, 23, 59, 59))


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        # Spring forward: 02:30 does not exist; it is the instant the gap ends (03:00 local).
        ("America/New_York", "2026-03-08T02:30", utc(2026, 3, 8, 7, 0)),
        ("Europe/Berlin", "2026-03-29T02:30", utc(2026, 3, 29, 1, 0)),
        # Fall back: 01:30 (New York) / 02:30 (Berlin) happen twice; the first occurrence wins.
        ("America/New_York", "2026-11-01T01:30", utc(2026, 11, 1, 5, 30)),
        ("Europe/Berlin", "2026-10-25T02:30", utc(2026, 10, 25, 0, 30)),
    ],
)
def test_dst_gaps_end_at_the_jump_and_folds_take_the_first_occurrence(
    zone: str, local: str, expected: datetime
) -> None:
    assert make_scope(local, None, zone).since == expected


def test_an_explicit_offset_wins_over_the_zone() -> None:
    scope = make_scope("2026-03-08T02:30:00-05:00", None, "Europe/Berlin")
    assert scope.since == utc(2026, 3, 8, 7, 30)


def test_a_range_across_the_new_york_switch_keeps_wall_clock_days() -> None:
    scope = make_scope("2026-03-08", "2026-03-09", "America/New_York")
    assert scope.since == utc(2026, 3, 8, 5, 0)
    assert scope.until == utc(2026, 3, 9, 4, 0)  # a 23-hour local day


@pytest.mark.parametrize(
    ("since", "until", "zone", "message"),
    [
        ("2026-13-01", None, "UTC", "Invalid date for --since: '2026-13-01'."),
        (None, "yesterday", "UTC", "Invalid date for --until: 'yesterday'."),
        ("2026-01-01", None, "Mars/Olympus", "Unknown time zone 'Mars/Olympus'."),
        ("2026-02-01", "2026-01-01", "UTC", "--until (2026-01-01) must be later than --since (2026-02-01)."),
    ],
)
def test_bad_dates_and_zones_are_usage_errors(
    since: str | None, until: str | None, zone: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        make_scope(since, until, zone)
    assert caught.value.message == message
    assert caught.value.exit_code == 2


def test_a_range_inside_a_dst_gap_keeps_its_order() -> None:
    # 02:30 and 03:15 local: the first does not exist, and must not land after the second.
    scope = make_scope("2026-03-08T02:30", "2026-03-08T03:15", "America/New_York")
    assert scope.since == utc(2026, 3, 8, 7, 0)
    assert scope.until == utc(2026, 3, 8, 7, 15)
