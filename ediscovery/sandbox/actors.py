"""The actor union of the Activity Feed (§3.3): one builder per actor kind the sandbox emits.

Kinds: ``user_actor`` (signed-in user), ``api_actor`` (a key calling the API, every Compliance
API call), ``unauthenticated_user_actor`` (before sign-in), ``scim_directory_sync_actor`` (IdP
push), ``anthropic_actor`` (Anthropic staff; ``email_address`` always null) and
``system_actor`` (automated background process). Fields are the documented ones; anthropic and
SCIM actors carry no ``ip_address``/``user_agent``. Only ``user_actor`` has a ``user_id``, so
only a user's own actions count toward that user's activities (ground truth and the feed's
``actor_ids[]`` filter). The ``service`` values of ``system_actor`` are UNCONFIRMED.
"""

from __future__ import annotations

import random
from typing import Any

from ediscovery.sandbox.model import User

AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
    "Claude/1.0 (iOS 18.1)",
    "Mozilla/5.0 (Windows NT 10.0)",
)


def _ip(rng: random.Random) -> str:
    return f"192.0.2.{rng.randrange(1, 255)}"


def user_actor(user: User, rng: random.Random) -> dict[str, Any]:
    return {
        "type": "user_actor",
        "email_address": user.email,
        "user_id": user.id,
        "ip_address": _ip(rng),
        "user_agent": rng.choice(AGENTS),
    }


def api_actor(api_key_id: str, ip_address: str | None, user_agent: str | None) -> dict[str, Any]:
    return {"type": "api_actor", "api_key_id": api_key_id, "ip_address": ip_address, "user_agent": user_agent}


def unauthenticated_actor(email: str | None, rng: random.Random) -> dict[str, Any]:
    """Someone not signed in yet; ``email`` ``None`` leaves the optional field out."""
    actor: dict[str, Any] = {"type": "unauthenticated_user_actor"}
    if email is not None:
        actor["unauthenticated_email_address"] = email
    return {**actor, "ip_address": _ip(rng), "user_agent": rng.choice(AGENTS)}


def scim_actor(event_id: str, directory_id: str, connection: str | None) -> dict[str, Any]:
    return {
        "type": "scim_directory_sync_actor",
        "workos_event_id": event_id,
        "directory_id": directory_id,
        "idp_connection_type": connection,
    }


def anthropic_actor() -> dict[str, Any]:
    return {"type": "anthropic_actor", "email_address": None}


def system_actor(service: str | None) -> dict[str, Any]:
    return {"type": "system_actor", "service": service}
