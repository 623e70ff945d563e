"""Typed views of Activity Feed events and their actors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ediscovery.api.fields import Extra, Fields


@dataclass(frozen=True)
class Actor:
    """The actor union, flattened: ``type`` plus the fields most actors carry."""

    type: str
    user_id: str | None
    email_address: str | None
    ip_address: str | None
    user_agent: str | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Actor:
        f = Fields(obj, "actor")
        return cls(
            f.req_text("type"),
            f.text("user_id"),
            f.text("email_address"),
            f.text("ip_address"),
            f.text("user_agent"),
            f.extra(),
        )


@dataclass(frozen=True)
class Activity:
    """An audit record; type-specific fields (``claude_chat_id``…) are in ``extra``."""

    id: str
    type: str
    created_at: datetime | None
    organization_id: str | None
    organization_uuid: str | None
    actor: Actor | None
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> Activity:
        f = Fields(obj, "activity")
        actor = f.obj_or_none("actor")
        return cls(
            f.req_text("id"),
            f.req_text("type"),
            f.time("created_at"),
            f.text("organization_id"),
            f.text("organization_uuid"),
            None if actor is None else Actor.from_json(actor),
            f.extra(),
        )
