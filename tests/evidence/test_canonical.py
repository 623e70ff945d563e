from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediscovery.evidence import dumps, dumps_line, dumps_pretty, utc_iso

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


def test_dumps_is_sorted_compact_utf8_without_newline() -> None:
    assert dumps({"b": 1, "a": ["é", "日本"]}) == '{"a":["é","日本"],"b":1}'.encode()


def test_dumps_line_ends_with_exactly_one_newline() -> None:
    assert dumps_line({"a": 1}) == b'{"a":1}\n'


def test_dumps_pretty_is_indented_sorted_with_trailing_newline() -> None:
    assert dumps_pretty({"b": 1, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}\n'.encode()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinity_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        dumps({"x": bad})
    with pytest.raises(ValueError):
        dumps_pretty([bad])


@given(json_values)
def test_dumps_round_trips_and_ignores_insertion_order(value: object) -> None:
    encoded = dumps(value)
    assert json.loads(encoded) == value
    if isinstance(value, dict):
        assert dumps(dict(reversed(list(value.items())))) == encoded


def test_utc_iso_omits_zero_microseconds() -> None:
    assert utc_iso(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"


def test_utc_iso_keeps_microseconds_and_converts_offsets() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert utc_iso(datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=plus_two)) == "2026-01-02T01:04:05.000120Z"


def test_utc_iso_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="time zone"):
        utc_iso(datetime(2026, 1, 2))
