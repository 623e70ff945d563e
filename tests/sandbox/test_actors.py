"""The feed carries the documented actor union, and the client's model reads every kind of it."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from ediscovery.api.activities import Activity
from ediscovery.api.client import ComplianceClient
from ediscovery.sandbox import ManualClock, Tenant, ground_truth

NO_NETWORK_FIELDS = ("anthropic_actor", "scim_directory_sync_actor")
EMITTED = {
    "user_actor",
    "api_actor",
    "unauthenticated_user_actor",
    "scim_directory_sync_actor",
    "anthropic_actor",
    "system_actor",
}


class _Time:
    """The client's monotonic clock and sleep: time moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


def _feed(transport: httpx.AsyncBaseTransport, key: str) -> list[dict[str, Any]]:
    fake = _Time()

    async def go() -> list[dict[str, Any]]:
        async with ComplianceClient(
            "https://api.anthropic.com",
            api_key=key,
            transport=transport,
            sleep=fake.sleep,
            clock=fake.clock,
            rng=random.Random(1),
        ) as client:
            return [a async for page in client.activities() for a in page.data["data"]]

    return asyncio.run(go())


def test_client_parses_every_actor_kind_and_keeps_unknown_fields(
    sandbox_transport: httpx.ASGITransport, demo_key: str, sandbox_clock: ManualClock
) -> None:
    _feed(sandbox_transport, demo_key)
    sandbox_clock.advance(60)
    raw = _feed(sandbox_transport, demo_key)
    assert {a["actor"]["type"] for a in raw} == EMITTED
    for item in raw:
        parsed = Activity.from_json(item)
        wire_actor = item["actor"]
        assert parsed.actor is not None and parsed.actor.type == wire_actor["type"]
        assert parsed.actor.user_id == wire_actor.get("user_id")
        known = {"type", "user_id", "email_address", "ip_address", "user_agent"}
        assert parsed.actor.extra == {k: v for k, v in wire_actor.items() if k not in known}
        common = {"id", "type", "created_at", "organization_id", "organization_uuid", "actor"}
        assert parsed.extra == {k: v for k, v in item.items() if k not in common}
    scim = next(Activity.from_json(a) for a in raw if a["actor"]["type"] == "scim_directory_sync_actor")
    assert scim.actor is not None and set(scim.actor.extra) == {
        "workos_event_id",
        "directory_id",
        "idp_connection_type",
    }


def test_non_user_actors_carry_the_documented_fields(tenant: Tenant) -> None:
    custodian = tenant.user_by_email("alice@example.com")
    assert custodian is not None
    by_kind: dict[str, list[Any]] = {}
    for item in tenant.activities.all():
        by_kind.setdefault(item.actor["type"], []).append(item)
    for kind in NO_NETWORK_FIELDS:
        assert all("ip_address" not in a.actor and "user_agent" not in a.actor for a in by_kind[kind])
    assert all(a.actor["email_address"] is None for a in by_kind["anthropic_actor"])
    starts = {
        a.type
        for a in by_kind["unauthenticated_user_actor"]
        if a.actor.get("unauthenticated_email_address") == custodian.email
    }
    assert starts == {"sso_login_initiated", "magic_link_login_initiated"}
    assert any(a.fields.get("user_id") == custodian.id for a in by_kind["scim_directory_sync_actor"])
    assert all(
        "user_id" not in a.actor for kind, items in by_kind.items() if kind != "user_actor" for a in items
    )


def test_activities_of_other_actors_about_the_custodian_are_not_the_custodians(tenant: Tenant) -> None:
    custodian = tenant.user_by_email("alice@example.com")
    assert custodian is not None
    truth = set(ground_truth(tenant, custodian.email)["activities"])
    own = {a.id for a in tenant.activities.all() if a.actor.get("user_id") == custodian.id}
    about = {
        a.id
        for a in tenant.activities.all()
        if a.actor["type"] != "user_actor"
        and custodian.id in (a.fields.get("user_id"), *a.fields.get("member_ids", ()))
    }
    assert about
    assert truth == own
    assert not truth & about
