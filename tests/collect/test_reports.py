"""Run reports of a real collection state the first and last time of what was collected."""

from __future__ import annotations

import csv

import httpx

from ediscovery.evidence.canonical import utc_iso
from ediscovery.sandbox import Tenant, ground_truth
from tests.collect.conftest import Collect


def test_summary_gives_first_and_last_activity_times(
    tenant: Tenant, sandbox_transport: httpx.ASGITransport, collect: Collect
) -> None:
    truth = ground_truth(tenant, "alice@example.com")
    times = sorted(tenant.activities.get(a).created_at for a in truth["activities"])  # type: ignore[union-attr]

    result = collect(sandbox_transport)

    rows = list(csv.DictReader((result.bag / "reports" / "summary.csv").open(encoding="utf-8")))
    activities = next(r for r in rows if r["content_type"] == "activities")
    assert activities["collected"] == str(len(times))
    assert (activities["first"], activities["last"]) == (utc_iso(times[0]), utc_iso(times[-1]))
