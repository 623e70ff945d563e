"""The agent sessions of the synthetic tenant: local transcripts and cloud Cowork sessions.

The custodian has local sessions from two surfaces in two organizations (one with a message
whose content was not captured, and tool calls longer than the default 10,000-byte cut)
among other people's sessions, which the tenant-wide list interleaves with hers; and two remote
sessions, one still ``pending``.
"""

from __future__ import annotations

from datetime import timedelta

from ediscovery.sandbox.content import message_blocks
from ediscovery.sandbox.generator import Builder
from ediscovery.sandbox.model import LocalSession, Message, RemoteSession, SessionMessage, User

SURFACES = ("cowork", "claude_code", "claude_science", None)
NOT_CAPTURED = {"type": "content_unavailable", "reason": "not_captured"}


def _messages(
    builder: Builder, session: str, user: User, count: int, *, gap: bool = False
) -> tuple[SessionMessage, ...]:
    at = builder.at()
    out = []
    for index in range(count):
        role = "user" if index % 2 == 0 else "assistant"
        recipe = "long_tool" if index == 1 else ("code" if index % 3 == 0 else "plain")
        seed = builder.rng.randrange(1 << 30)
        blocks = message_blocks(Message(f"{session}:{index}", session, role, at, recipe, seed))
        provenance = NOT_CAPTURED if gap and index == 2 else None
        sent_by = user.id if role == "user" else None
        out.append(SessionMessage(builder.ids.tagged("clsm_"), role, at, tuple(blocks), provenance, sent_by))
        at += timedelta(minutes=3)
    return tuple(out)


def build_sessions(builder: Builder, alice: User, others: list[User], orgs: list[str]) -> None:
    """Local and remote sessions of the custodian among other people's."""
    tenant = builder.tenant
    people = [(alice, 0), (alice, 1), (alice, 2)] + [(user, n) for n, user in enumerate(others * 2)]
    for user, n in people:
        session_id = builder.ids.tagged("clls_")
        messages = _messages(builder, session_id, user, 5, gap=user is alice and n == 0)
        tenant.local_sessions[session_id] = LocalSession(
            session_id, orgs[n % len(orgs)], user.id, user.email, SURFACES[n % len(SURFACES)],
            messages[0].created_at - timedelta(seconds=30), messages,
        )  # fmt: skip
    for user, status in [(alice, "active"), (alice, "pending"), *[(u, "archived") for u in others]]:
        session_id = builder.ids.tagged("cse_")
        messages = () if status == "pending" else _messages(builder, session_id, user, 4)
        created = messages[0].created_at if messages else builder.at()
        tenant.remote_sessions[session_id] = RemoteSession(
            session_id, orgs[0], user.id, status, created, created + timedelta(hours=1), messages
        )
