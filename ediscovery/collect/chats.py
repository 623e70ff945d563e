"""Chats: a custodian's chat list, which chats are responsive, and every responsive chat's messages.

**Responsiveness.** The chats-list date filters bound chat *creation*, not messages, so the
full list of the custodian's chats is read (it is cheap) and a chat is responsive when any of
its messages has ``created_at`` in ``[since, until)``. Two shortcuts skip fetching chats that
cannot hold such a message: a chat created at or after ``until`` (no message predates its
chat) and a chat whose ``updated_at`` is more than ``UPDATED_AT_MARGIN`` before ``since``
(``updated_at`` moves with every new message, though not always to its ``created_at``).
Every other chat is fetched and decided on its messages; non-responsive chats are not stored
(they are out of scope) and are remembered so a resumed run does not fetch them again.
Responsive chats are stored whole (``tool_*_max_chars=-1``), each message marked ``in_range``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Any

from ediscovery.api.blocks import TextBlock, ToolResultBlock, ToolUseBlock
from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.api.models import Chat, ChatMessagesPage, body_items
from ediscovery.api.models import parse_value as parse
from ediscovery.api.pagination import PageGuard
from ediscovery.api.query import Pairs
from ediscovery.api.response import ApiResponse
from ediscovery.collect.attachments import Attachments
from ediscovery.collect.context import Context
from ediscovery.collect.increment import timestamp
from ediscovery.collect.limitations import ChatOutOfRange, TruncatedBlock
from ediscovery.collect.tally import ChatSeen
from ediscovery.collect.walker import walk
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path

# The API promises that a chat's updated_at moves with a new message, not that it is at least
# every message's created_at (an assistant message's created_at is when its last block
# completed). A chat is skipped unfetched only when updated_at is this far before ``since``.
UPDATED_AT_MARGIN = timedelta(days=1)
MESSAGES = ENDPOINTS["chat_messages"]


class Chats:
    """Lists and fetches chats; see the module docstring."""

    def __init__(self, ctx: Context, attachments: Attachments) -> None:
        self.ctx = ctx
        self.attachments = attachments
        self._slots = asyncio.Semaphore(max(1, ctx.plan.jobs))

    async def listing(self, uid: str) -> None:
        """Read ``uid``'s whole chat list (every chat is decided on later)."""
        pages = await walk(
            self.ctx.natives,
            "chats",
            ("user_ids[]", uid),
            kind=Kind.CHAT_LIST,
            source_id=uid,
            custodians=(uid,),
        )
        for body in pages:
            for item in body_items(body):
                chat = parse(item, Chat, "chat list item")
                self.ctx.tally.chats.setdefault(chat.id, ChatSeen(uid, item))

    async def chat(self, chat_id: str, seen: ChatSeen) -> None:
        """Decide on one listed chat and store it when it is responsive."""
        async with self._slots:
            await self.ctx.tasks.guard("chat", chat_id, lambda: self._chat(chat_id, seen))
        if seen.status == "pending":
            seen.status = "failed"
        self.ctx.reporter.advance("chats")

    async def _chat(self, chat_id: str, seen: ChatSeen) -> None:
        chat = parse(seen.listing, Chat, "chat list item")
        previous = self.ctx.previous
        if previous is not None and previous.chat_unchanged(chat):
            self._carry(chat, seen)
            return
        if self._cannot_be_responsive(chat) or self._excluded_before(chat):
            seen.status = "skipped"
            self.ctx.tally.limit(ChatOutOfRange(chat_id))
            return
        pages: list[ChatMessagesPage] | None
        if self.ctx.natives.state.entry(native_path(Kind.CHAT_MESSAGES, chat_id, page=1)) is not None:
            pages = await self._replay_or_fetch(chat_id, seen)
        else:
            pages = await self._fetch(chat_id, seen)
        if pages is None:
            return
        seen.status = "stored"
        for page in pages:
            self._after_messages(chat_id, seen.user_id, page)
        if self.ctx.early is not None:
            self.ctx.early.chat_stored(self.ctx.tasks, chat_id, _references(pages))

    def _carry(self, chat: Chat, seen: ChatSeen) -> None:
        """An unchanged chat: its messages are not read again, but its project is rechecked."""
        before = self.ctx.previous.chats[chat.id]  # type: ignore[union-attr]
        seen.status = "unchanged"
        seen.message_ids = tuple(before.get("message_ids", ()))
        if chat.project_id and before.get("status") in ("stored", "unchanged"):
            self.ctx.tally.want_project(chat.project_id, "chat_in_project", seen.user_id)

    def _cannot_be_responsive(self, chat: Chat) -> bool:
        until, since = self.ctx.scope.until, self.ctx.scope.since
        if until is not None and chat.created_at is not None and chat.created_at >= until:
            return True
        return (
            since is not None and chat.updated_at is not None and chat.updated_at < since - UPDATED_AT_MARGIN
        )

    def _excluded_before(self, chat: Chat) -> bool:
        excluded = self.ctx.natives.state.snapshot_row("excluded_chat", chat.id)
        return excluded is not None and excluded.get("updated_at") == timestamp(chat.updated_at)

    async def _fetch(self, chat_id: str, seen: ChatSeen) -> list[ChatMessagesPage] | None:
        """Fetch every page into memory, decide responsiveness, then store (or remember exclusion)."""
        natives = self.ctx.natives
        responses: list[ApiResponse] = []
        query: Pairs | None = MESSAGES.fixed
        guard = _message_guard()
        while query is not None:
            response = await natives.fetch(path("chat_messages", chat_id), query, list_endpoint=True)
            responses.append(response)
            query = guard.following(response.data, query, url=response.url, request_id=response.request_id)
        pages = [parse(r.data, ChatMessagesPage, "chat messages") for r in responses]
        if not self._responsive(pages):
            natives.state.put_snapshot_row(
                "excluded_chat", chat_id, {"updated_at": timestamp(pages[0].chat.updated_at)}
            )
            seen.status = "excluded"
            self.ctx.tally.limit(ChatOutOfRange(chat_id))
            return None
        for number, (response, page) in enumerate(zip(responses, pages, strict=True), start=1):
            natives.keep(
                response,
                path=native_path(Kind.CHAT_MESSAGES, chat_id, page=number),
                kind=Kind.CHAT_MESSAGES,
                source_id=chat_id,
                metadata=self._metadata(page, number),
                custodians=(seen.user_id,),
            )
        return pages

    async def _replay_or_fetch(self, chat_id: str, seen: ChatSeen) -> list[ChatMessagesPage]:
        """A responsive chat already (partly) stored: replay its pages, fetch any missing tail."""
        pages: list[ChatMessagesPage] = []
        query: Pairs | None = MESSAGES.fixed
        guard = _message_guard()
        while query is not None:
            number = len(pages) + 1
            _entry, body = await self.ctx.natives.json(
                path("chat_messages", chat_id),
                query,
                path=native_path(Kind.CHAT_MESSAGES, chat_id, page=number),
                kind=Kind.CHAT_MESSAGES,
                source_id=chat_id,
                custodians=(seen.user_id,),
                metadata=partial(self._body_metadata, number),
                list_endpoint=True,
            )
            pages.append(parse(body, ChatMessagesPage, "chat messages"))
            query = guard.following(body, query)
        return pages

    def _responsive(self, pages: list[ChatMessagesPage]) -> bool:
        scope = self.ctx.scope
        if not scope.bounded:
            return True
        return any(
            m.created_at is not None and scope.contains(m.created_at) for p in pages for m in p.messages
        )

    def _metadata(self, page: ChatMessagesPage, number: int) -> dict[str, Any]:
        chat, scope = page.chat, self.ctx.scope
        return {
            "page": number,
            "chat_name": chat.name,
            "created_at": timestamp(chat.created_at),
            "updated_at": timestamp(chat.updated_at),
            "deleted_at": timestamp(chat.deleted_at),
            "model": chat.model,
            "project_id": chat.project_id,
            "organization_uuid": chat.organization_uuid,
            "user_id": chat.user.id if chat.user else None,
            "href": chat.href,
            "messages": [
                {
                    "id": m.id,
                    "role": m.role,
                    "created_at": timestamp(m.created_at),
                    "in_range": m.created_at is not None and scope.contains(m.created_at),
                }
                for m in page.messages
            ],
        }

    def _body_metadata(self, number: int, body: Any) -> dict[str, Any]:
        return self._metadata(parse(body, ChatMessagesPage, "chat messages"), number)

    def _after_messages(self, chat_id: str, uid: str, page: ChatMessagesPage) -> None:
        """Record limitations and schedule every object the messages reference."""
        tally = self.ctx.tally
        seen = tally.chats[chat_id]
        seen.message_ids = (*seen.message_ids, *(m.id for m in page.messages))
        self.ctx.reporter.advance("messages", len(page.messages))
        if page.chat.project_id:
            tally.want_project(page.chat.project_id, "chat_in_project", uid)
        for message in page.messages:
            for block in message.content:
                if isinstance(block, TextBlock | ToolUseBlock | ToolResultBlock) and block.truncated:
                    tally.limit(TruncatedBlock(message.id, block_type=block.type, chat_id=chat_id))
            for ref in message.files:
                tally.reference(ref.id, chat_id, message.id, uid)
                self.attachments.want_upload(ref.id, Kind.FILE)
            for gen in message.generated_files:
                tally.reference(gen.id, chat_id, message.id, uid)
                self.attachments.want_upload(gen.id, Kind.GENERATED_FILE)
            for art in message.artifacts:
                tally.reference(art.version_id, chat_id, message.id, uid)
                self.attachments.want_artifact(art.version_id)


def _message_guard() -> PageGuard:
    """The guard of one walk over a chat's messages (their pages repeat the largest limit)."""
    return PageGuard("cursor", items="chat_messages", limit=str(MESSAGES.limit))


def _references(pages: list[ChatMessagesPage]) -> list[tuple[Kind, str]]:
    """Every object the messages of ``pages`` reference, as (kind listed under, id)."""
    refs: list[tuple[Kind, str]] = []
    for message in (m for page in pages for m in page.messages):
        refs.extend((Kind.FILE, ref.id) for ref in message.files)
        refs.extend((Kind.GENERATED_FILE, gen.id) for gen in message.generated_files)
        refs.extend((Kind.ARTIFACT, art.version_id) for art in message.artifacts)
    return refs
