"""Sessions: the custodians' agent sessions — local transcripts and cloud Cowork (remote) sessions.

**Local sessions** (Cowork, Claude Code and the other desktop surfaces) have no user filter: the
list is the whole tenant, newest first. One walk serves every custodian of the run and keeps
the sessions whose ``user.id`` is a custodian's; its pages hold other people's sessions, so
they are not stored: each page's SHA-256, size and request id go with the custodian's own
session entries (``listed_on``) and a summary of the walk into the manifest, which shows the
selection without handing over anyone else's data. A page token expires 24 hours after a walk's
first page: the walk then goes on with a new one bounded by the oldest ``created_at`` seen, and
sessions are kept once by id (a session's ``created_at`` can move with retention). Each chosen
session is fetched itself, then its messages.

**Remote sessions** are listed per custodian (``user_ids[]``); a session still ``pending``
answers 404 for its messages and is a limitation, fetched by the next incremental run.

Messages are asked with tool inputs and results uncut (``-1``); a session's pages are held until
its walk ends and stored then, so a walk restarted after an expired token keeps each message
once. Each message's ``provenance`` is recorded, and a message whose content was not captured
is a limitation. A session is in scope when any of its messages lies in the date range.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.api.models import body_items
from ediscovery.api.pagination import PageGuard
from ediscovery.api.query import Pairs
from ediscovery.api.response import ApiResponse
from ediscovery.collect.context import Context
from ediscovery.collect.limitations import Limitation
from ediscovery.collect.walker import walk
from ediscovery.errors import BadRequestError, ResponseFormatError
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path
from ediscovery.timestamps import format_timestamp, parse_instant

MAX_RESTARTS = 5


@dataclass(frozen=True)
class SessionPending(Limitation):
    KIND: ClassVar[str] = "remote_session_pending"

    @property
    def message(self) -> str:
        return (
            f"Remote session {self.source_id} is still pending: the API serves no messages for it yet. "
            "A later incremental run collects it."
        )


@dataclass(frozen=True)
class ContentNotCaptured(Limitation):
    """A session message whose content the platform did not keep (``source_id``: the message)."""

    KIND: ClassVar[str] = "session_content_unavailable"
    session_id: str
    reason: str

    @property
    def message(self) -> str:
        return f"Message {self.source_id} of session {self.session_id} has no content: {self.reason}."


@dataclass(frozen=True)
class SessionOutOfRange(Limitation):
    KIND: ClassVar[str] = "session_out_of_range"

    @property
    def message(self) -> str:
        return "Listed but not collected: no message of this session was created in the date range."


@dataclass
class WalkSummary:
    """What the tenant-wide walk of local sessions read (no one else's data)."""

    pages: list[dict[str, Any]] = field(default_factory=list)
    listed: int = 0
    restarts: int = 0

    def to_json(self, selected: int) -> dict[str, Any]:
        return {
            "pages": len(self.pages),
            "listed": self.listed,
            "selected": selected,
            "restarts": self.restarts,
        }


def _expired(exc: BadRequestError) -> bool:
    return "expired" in exc.message.lower()


class Sessions:
    """Collects local and remote sessions; see the module docstring."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.walk = WalkSummary()
        self.selected: set[str] = set()

    # -- local ----------------------------------------------------------------------------------
    async def local(self) -> None:
        """One walk of the tenant's local sessions; the custodians' are fetched."""
        custodians = set(self.ctx.plan.user_ids)
        seen: set[str] = set()
        oldest: datetime | None = None
        base: Pairs = (
            (("created_at.lt", format_timestamp(self.ctx.scope.until)),) if self.ctx.scope.until else ()
        )
        query = ENDPOINTS["local_sessions"].query(*base)
        while True:
            try:
                async for response in self.ctx.natives.pages(
                    path("local_sessions"), query, PageGuard("token")
                ):
                    oldest = self._page(response, custodians, seen, oldest)
                self.ctx.tally.extra["local_session_walk"] = self.walk.to_json(len(self.selected))
                return
            except BadRequestError as exc:
                if not _expired(exc) or oldest is None or self.walk.restarts >= MAX_RESTARTS:
                    raise
                self.walk.restarts += 1
                # a new walk, bounded by the oldest session seen (kept once by id)
                next_lt = utc_iso(oldest + timedelta(microseconds=1))
                query = ENDPOINTS["local_sessions"].query(("created_at.lt", next_lt))
                self.ctx.tally.extra["local_session_walk"] = self.walk.to_json(len(self.selected))

    def _page(
        self, response: ApiResponse, custodians: set[str], seen: set[str], oldest: datetime | None
    ) -> datetime | None:
        facts = {
            "page": len(self.walk.pages) + 1,
            "sha256": hashlib.sha256(response.raw).hexdigest(),
            "size": len(response.raw),
            "request_id": response.request_id,
            "retrieved_at": utc_iso(response.retrieved_at),
        }
        self.walk.pages.append(facts)
        for item in body_items(response.data):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ResponseFormatError("A local session list item has no id.", url=response.url)
            self.walk.listed += 1
            created = parse_instant(item.get("created_at"))
            if created is not None and (oldest is None or created < oldest):
                oldest = created
            user = item.get("user")
            owner = user.get("id") if isinstance(user, dict) else None
            if item["id"] in seen or owner not in custodians:
                continue
            seen.add(item["id"])
            self.selected.add(item["id"])
            self.ctx.tally.sessions[item["id"]] = {"kind": "local", "user_id": owner}
            job = partial(self._local_session, item["id"], str(owner), facts)
            self.ctx.tasks.once(Kind.LOCAL_SESSION, item["id"], job)
        return oldest

    async def _local_session(self, session_id: str, uid: str, listed_on: dict[str, Any]) -> None:
        await self.ctx.natives.json(
            path("local_session", session_id),
            (),
            path=native_path(Kind.LOCAL_SESSION, session_id),
            kind=Kind.LOCAL_SESSION,
            source_id=session_id,
            metadata=lambda _body: {"user_id": uid, "listed_on": listed_on},
            custodians=(uid,),
        )
        await self._messages("local_session_messages", Kind.LOCAL_SESSION_MESSAGES, session_id, uid)

    # -- remote ---------------------------------------------------------------------------------
    async def remote(self, uid: str) -> None:
        """The remote sessions of ``uid``; each one's messages (a pending one is a limitation)."""
        pages = await walk(
            self.ctx.natives,
            "remote_sessions",
            ("user_ids[]", uid),
            kind=Kind.REMOTE_SESSION_LIST,
            source_id=uid,
            custodians=(uid,),
        )
        for body in pages:
            for item in body_items(body):
                if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                    raise ResponseFormatError("A remote session list item has no id.")
                seen = {"kind": "remote", "user_id": uid, "status": item.get("status")}
                self.ctx.tally.sessions[item["id"]] = {**seen, "updated_at": item.get("updated_at")}
                job = partial(self._remote_session, item["id"], uid, item.get("status"))
                self.ctx.tasks.once(Kind.REMOTE_SESSION_MESSAGES, item["id"], job)

    async def _remote_session(self, session_id: str, uid: str, status: object) -> None:
        if status == "pending":  # its messages answer 404 until it starts
            self.ctx.tally.limit(SessionPending(session_id))
            return
        # any other 404 is the task guard's: a named one a limitation, a bare one a failure
        await self._messages("remote_session_messages", Kind.REMOTE_SESSION_MESSAGES, session_id, uid)

    # -- messages -------------------------------------------------------------------------------
    async def _messages(self, endpoint: str, kind: Kind, session_id: str, uid: str) -> None:
        """Every message page of one session: replayed when stored, else walked and then kept."""
        natives = self.ctx.natives
        if natives.replay(native_path(kind, session_id, page=1)) is not None:
            bodies = self._replay(kind, session_id)
        else:
            responses = await self._walk_messages(endpoint, session_id)
            bodies = [r.data for r in responses]
            if not self._responsive(bodies):
                self.ctx.tally.limit(SessionOutOfRange(session_id))
                return
            for number, response in enumerate(responses, start=1):
                natives.keep(
                    response,
                    path=native_path(kind, session_id, page=number),
                    kind=kind,
                    source_id=session_id,
                    metadata=self._metadata(number, response.data),
                    custodians=(uid,),
                )
        self._note_gaps(session_id, bodies)
        self.ctx.reporter.advance("messages", sum(len(body_items(b)) for b in bodies))
        if self.ctx.early is not None:
            self.ctx.early.session_stored(kind, session_id)

    async def _walk_messages(self, endpoint: str, session_id: str) -> list[ApiResponse]:
        """All pages of one session's messages, walked again from the start if a token expires."""
        query = ENDPOINTS[endpoint].query()
        for restart in range(MAX_RESTARTS + 1):
            try:
                pages = self.ctx.natives.pages(path(endpoint, session_id), query, PageGuard("token"))
                return [response async for response in pages]
            except BadRequestError as exc:
                if not _expired(exc) or restart == MAX_RESTARTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _replay(self, kind: Kind, session_id: str) -> list[Any]:
        bodies, number = [], 1
        while (replayed := self.ctx.natives.replay(native_path(kind, session_id, page=number))) is not None:
            bodies.append(replayed[1])
            number += 1
        return bodies

    def _responsive(self, bodies: list[Any]) -> bool:
        scope = self.ctx.scope
        if not scope.bounded:
            return True
        times = [
            parse_instant(m.get("created_at")) for b in bodies for m in body_items(b) if isinstance(m, dict)
        ]
        return any(t is not None and scope.contains(t) for t in times)

    def _metadata(self, number: int, body: Any) -> dict[str, Any]:
        scope, messages = self.ctx.scope, []
        for item in body_items(body):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ResponseFormatError("A session message has no id.")
            at = parse_instant(item.get("created_at"))
            messages.append(
                {
                    "id": item["id"],
                    "role": item.get("role"),
                    "created_at": None if at is None else format_timestamp(at),
                    "in_range": at is not None and scope.contains(at),
                    "provenance": _provenance(item),
                }
            )
        return {"page": number, "item_count": len(messages), "messages": messages}

    def _note_gaps(self, session_id: str, bodies: list[Any]) -> None:
        for body in bodies:
            for item in body_items(body):
                provenance = _provenance(item) if isinstance(item, dict) else None
                if provenance and provenance.get("type") == "content_unavailable":
                    reason = str(provenance.get("reason") or "content unavailable")
                    self.ctx.tally.limit(ContentNotCaptured(str(item["id"]), session_id, reason))


def _provenance(item: dict[str, Any]) -> dict[str, Any] | None:
    """A message's provenance: local sessions say it; remote ones flag ``content_unavailable``."""
    provenance = item.get("provenance")
    if isinstance(provenance, dict):
        return provenance
    if item.get("content_unavailable") is True:
        return {"type": "content_unavailable", "reason": "content_unavailable"}
    return None
