"""The Activity Feed's indexing lag is stated in the manifest, not hidden."""

from __future__ import annotations

from datetime import timedelta

import httpx

from ediscovery.collect.scope import Scope, format_utc
from ediscovery.sandbox import ManualClock, Tenant

from .conftest import Collect


def lag_limitations(result: object) -> list[dict[str, object]]:
    return [dict(item) for item in result.manifest.limitations if item["kind"] == "activity_indexing_lag"]  # type: ignore[attr-defined]


def test_an_open_range_states_that_the_last_minutes_may_be_missing(
    collect: Collect, tenant: Tenant, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock
) -> None:
    listed = sandbox_clock.now
    result = collect(sandbox_transport)
    alice = tenant.user_by_email("alice@example.com")
    assert alice is not None
    [limit] = lag_limitations(result)
    assert limit["source_id"] == alice.id
    assert limit["listed_at"] == format_utc(listed)
    assert limit["effective_until"] == format_utc(listed)
    assert limit["indexed_until"] == format_utc(listed - timedelta(minutes=5))
    assert f"Effective upper bound: {format_utc(listed)}." in str(limit["message"])
    assert result.status == "complete"


def test_an_until_inside_the_lag_is_the_effective_bound(
    collect: Collect, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock
) -> None:
    until = sandbox_clock.now - timedelta(minutes=2)
    result = collect(sandbox_transport, scope=Scope(None, until))
    [limit] = lag_limitations(result)
    assert limit["effective_until"] == format_utc(until)


def test_an_until_well_in_the_past_needs_no_caveat(
    collect: Collect, sandbox_transport: httpx.ASGITransport, sandbox_clock: ManualClock
) -> None:
    result = collect(sandbox_transport, scope=Scope(None, sandbox_clock.now - timedelta(days=1)))
    assert lag_limitations(result) == []
