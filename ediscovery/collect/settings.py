"""Settings: the organization settings in force for every linked organization of the custodians.

``GET /organizations/{id}/settings`` answers the enforced state at read time (rows admins
cannot change are omitted: missing is not off) and the parent's Compliance Access Keys
(never a secret). Each answer is stored as served; the manifest carries a summary per
organization — above all ``data_retention_periods``, which says what content may already be
gone by policy — and the keys' records. The endpoint is enabled per tenant, and any 404 (an
unknown organization, the endpoint not enabled) or a key without the scope is a named
limitation, not an error: the settings are context for the evidence, not part of it.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from ediscovery.api.endpoints import path
from ediscovery.collect.context import Context
from ediscovery.collect.limitations import Limitation
from ediscovery.errors import NotFoundError, PermissionDeniedError
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path, resolve_inside
from ediscovery.timestamps import format_timestamp

KEY_FIELDS = ("id", "name", "scopes", "is_active", "created_at", "created_by_id", "expires_at")
"""What the summary keeps of each listed key (the API never lists a secret)."""


@dataclass(frozen=True)
class SettingsUnavailable(Limitation):
    """The settings of one organization could not be read (``source_id``: its uuid)."""

    KIND: ClassVar[str] = "organization_settings_unavailable"
    reason: str

    @property
    def message(self) -> str:
        return (
            f"The settings in force for organization {self.source_id} (data retention among them) "
            f"were not collected: {self.reason}"
        )


class Settings:
    """Fetches each organization's settings once; see the module docstring."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def organizations(self) -> dict[str, tuple[str | None, tuple[str, ...]]]:
        """Each linked organization of the custodians: its name and the custodian user ids in it."""
        found: dict[str, tuple[str | None, set[str]]] = {}
        for custodian in self.ctx.plan.custodians:
            for org in custodian.organizations:
                uuid = str(org.get("uuid") or "")
                if uuid:
                    found.setdefault(uuid, (org.get("name"), set()))[1].update(custodian.user_ids)
        return {uuid: (name, tuple(sorted(users))) for uuid, (name, users) in sorted(found.items())}

    async def all(self) -> None:
        """Every linked organization's settings (a failure other than 403/404 is an item error)."""
        tasks = self.ctx.tasks
        await tasks.all(
            tasks.guard(Kind.ORGANIZATION_SETTINGS, uuid, partial(self._collect, uuid, name, users))
            for uuid, (name, users) in self.organizations().items()
        )

    async def _collect(self, uuid: str, name: str | None, users: tuple[str, ...]) -> None:
        """Store one organization's settings, or say why they could not be had."""
        try:
            await self.ctx.natives.json(
                path("organization_settings", uuid),
                (),
                path=native_path(Kind.ORGANIZATION_SETTINGS, uuid),
                kind=Kind.ORGANIZATION_SETTINGS,
                source_id=uuid,
                metadata=partial(_named, name),
                custodians=users,
            )
        except NotFoundError as exc:
            self.ctx.tally.limit(SettingsUnavailable(uuid, f"the endpoint answered 404 ({exc.message})."))
        except PermissionDeniedError as exc:
            self.ctx.tally.limit(
                SettingsUnavailable(uuid, f"the key lacks the scope it needs ({exc.message}).")
            )


def _named(name: str | None, _body: Any) -> dict[str, Any]:
    return {"organization_name": name}


def summaries(bag: Path, entries: Sequence[Mapping[str, Any]], started: datetime) -> list[dict[str, Any]]:
    """The manifest's ``organization_settings``: one summary per stored settings answer."""
    out = []
    for entry in entries:
        if entry["kind"] == Kind.ORGANIZATION_SETTINGS and entry.get("status", "ok") == "ok":
            body = json.loads(resolve_inside(bag, entry["path"]).read_bytes())
            name = (entry.get("metadata") or {}).get("organization_name")
            out.append(summary(body, entry["source_id"], name, entry["path"], started))
    return out


def retention_line(summaries: Any) -> str | None:
    """The retention policies in force, as one ``bag-info.txt`` value (None: no settings read)."""
    if not isinstance(summaries, list) or not summaries:
        return None
    parts = []
    for item in summaries:
        name = item.get("organization_name") or item.get("organization_uuid")
        policies = "; ".join(r["message"] for r in item.get("retention") or []) or "no retention period set"
        parts.append(f"{name}: {policies}")
    return " | ".join(parts)


def summary(body: Any, uuid: str, name: str | None, rel_path: str, started: datetime) -> dict[str, Any]:
    """The manifest's summary of one stored settings answer, read against the run's start."""
    rows = body.get("settings") if isinstance(body, Mapping) else None
    retention: list[dict[str, Any]] = []
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, Mapping) and row.get("name") == "data_retention_periods":
            value = row.get("value")
            for data_type, policy in sorted((value if isinstance(value, Mapping) else {}).items()):
                retention.append(_retention(str(data_type), policy, started))
    keys = body.get("api_keys") if isinstance(body, Mapping) else None
    return {
        "organization_uuid": uuid,
        "organization_name": name,
        "path": rel_path,
        "retention": retention,
        "api_keys": [
            {field: key.get(field) for field in KEY_FIELDS}
            for key in (keys if isinstance(keys, list) else [])
            if isinstance(key, Mapping)
        ],
    }


def _retention(data_type: str, policy: Any, started: datetime) -> dict[str, Any]:
    policy = dict(policy) if isinstance(policy, Mapping) else {"value": policy}
    what = "all content" if data_type == "all" else f"{data_type} content"
    cutoff = _cutoff(policy, started)
    if cutoff is None:
        kept = "kept indefinitely" if policy.get("type") == "indefinite" else f"policy {policy}"
        return {
            "data_type": data_type,
            "policy": policy,
            "deleted_before": None,
            "message": f"{what}: {kept}.",
        }
    length = f"{policy['duration']} {policy['timescale']}{'s' if policy['duration'] != 1 else ''}"
    message = (
        f"{what} older than {length} is deleted by policy: content before "
        f"{format_timestamp(cutoff)[:10]} may be gone."
    )
    return {
        "data_type": data_type,
        "policy": policy,
        "deleted_before": format_timestamp(cutoff),
        "message": message,
    }


def _cutoff(policy: Mapping[str, Any], started: datetime) -> datetime | None:
    """The moment before which a fixed retention period has deleted content, at ``started``."""
    duration, timescale = policy.get("duration"), policy.get("timescale")
    if policy.get("type") != "fixed" or not isinstance(duration, int) or isinstance(duration, bool):
        return None
    if timescale == "day":
        return started - timedelta(days=duration)
    if timescale == "month":
        months = started.year * 12 + started.month - 1 - duration
        year, month = divmod(months, 12)
        day = min(started.day, calendar.monthrange(year, month + 1)[1])
        return started.replace(year=year, month=month + 1, day=day)
    return None
