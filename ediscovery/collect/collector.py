"""Collector: the traversal that finds and stores everything in scope for the custodians.

Per ``user_...`` id, over every organization the key reaches: the chat list (per-user mode,
largest page), the projects the user created, and the Activity Feed events whose actor is the
user within the range. Then every listed chat's messages (whole chat in one response,
``tool_*_max_chars=-1``), and everything those messages and the projects in scope reference:
files, generated files (routed by id prefix), artifact versions, project details, attachments,
collaborators and documents. Each object is fetched once however often it is referenced.

**Responsiveness.** The chats-list date filters bound chat *creation*, not messages, so the
full list of the custodian's chats is read (it is cheap) and a chat is responsive when any of
its messages has ``created_at`` in ``[since, until)``. Two shortcuts skip fetching chats that
cannot hold such a message: a chat created at or after ``until`` (no message predates its
chat) and a chat whose ``updated_at`` is more than ``UPDATED_AT_MARGIN`` before ``since``
(``updated_at`` moves with every new message, though not always to its ``created_at``).
Every other chat is fetched and decided on its messages; non-responsive chats are not stored
(they are out of scope) and are remembered so a resumed run does not fetch them again.
Responsive chats are stored whole, each message marked ``in_range``.

**Activity indexing lag.** The feed indexes events up to a minute late. When the range has no
``until`` or reaches within ``ACTIVITY_INDEXING_MARGIN`` of the moment the feed was listed, the
manifest carries an ``activity_indexing_lag`` limitation per user id with the effective upper
bound, instead of silently claiming the feed complete up to that moment.

An item that fails (malformed answer, persistent 5xx, …) is recorded and the traversal goes
on; a referenced object that no longer exists (404) is recorded as a limitation. Missing
permissions, bad keys and evidence errors (disk full) stop the run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.api.fields import FormatProblem
from ediscovery.api.models import (
    Chat,
    ChatMessagesPage,
    Project,
    ProjectAttachment,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
)
from ediscovery.api.pagination import PageGuard, PageScheme
from ediscovery.api.response import ApiResponse
from ediscovery.api.timestamps import format_timestamp, parse_timestamp
from ediscovery.collect.natives import Natives
from ediscovery.collect.plan import Plan
from ediscovery.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ResponseFormatError,
    RetryLater,
)
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.paths import native_path

logger = logging.getLogger(__name__)

MESSAGE_QUERY = ENDPOINTS["chat_messages"].fixed  # the first page; later pages add the limit
ACTIVITY_OVERLAP = timedelta(minutes=10)
# The API promises that a chat's updated_at moves with a new message, not that it is at least
# every message's created_at (an assistant message's created_at is when its last block
# completed). A chat is skipped unfetched only when updated_at is this far before ``since``.
UPDATED_AT_MARGIN = timedelta(days=1)
# Chat statuses after which an unchanged chat needs no new fetch; anything else (failed, pending,
# a stored chat whose referenced objects failed) is fetched again by the next run.
SETTLED_CHAT_STATUSES = frozenset({"stored", "excluded", "skipped", "unchanged"})
# Documented indexing lag is one minute; the integration guide advises a few minutes of margin.
ACTIVITY_INDEXING_MARGIN = timedelta(minutes=5)
Query = tuple[tuple[str, str], ...]


@dataclass
class Refs:
    """Who references one object: chats, messages, projects and custodian user ids."""

    chat_ids: set[str] = field(default_factory=set)
    message_ids: set[str] = field(default_factory=set)
    project_ids: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)


@dataclass
class ChatSeen:
    """What the listing and the messages said about one chat (for the delta and the snapshot)."""

    user_id: str
    listing: Mapping[str, Any]
    status: str = "pending"  # stored | excluded | skipped | unchanged | failed
    message_ids: tuple[str, ...] = ()


@dataclass
class Tally:
    """The outcome of one traversal, rebuilt on every (re)start from the stored natives."""

    errors: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    limitations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    refs: dict[str, Refs] = field(default_factory=dict)
    chats: dict[str, ChatSeen] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    project_reasons: dict[str, set[str]] = field(default_factory=dict)
    carried: dict[str, set[str]] = field(default_factory=dict)
    activity_window: dict[str, str | None] = field(default_factory=dict)
    activities_listed: set[str] = field(default_factory=set)

    def error(self, kind: str, source_id: str, exc: BaseException, status: str = "failed") -> dict[str, Any]:
        record = {"kind": kind, "source_id": source_id, "status": status, "message": str(exc)}
        self.errors[(kind, source_id)] = record
        return record

    def limit(self, kind: str, source_id: str, message: str) -> None:
        self.limitations[(kind, source_id)] = {"kind": kind, "source_id": source_id, "message": message}

    def ref(self, object_id: str) -> Refs:
        return self.refs.setdefault(object_id, Refs())


class Collector:
    """Walks the scope of a :class:`Plan` through :class:`Natives`; see the module docstring."""

    def __init__(self, natives: Natives, plan: Plan) -> None:
        self.natives = natives
        self.plan = plan
        self.scope = plan.scope
        self.reporter = natives.reporter
        self.tally = Tally()
        self._once: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Future[None]] = set()
        self._chat_slots = asyncio.Semaphore(max(1, plan.jobs))
        self._generated_uploads: set[str] = set()  # claude_file_ ids listed as generated files

    async def run(self) -> Tally:
        """Collect everything in scope; returns the tally (errors, references, what was seen).

        A run-level failure (missing scope, disk full, interruption) cancels every task still
        in flight and waits for them before it propagates, so nothing writes to the bag or
        the state after the run has stopped.
        """
        try:
            return await self._traverse()
        except BaseException:
            await self._cancel_all()
            raise

    async def _traverse(self) -> Tally:
        self.reporter.stage("listing")
        users = self.plan.user_ids
        await self._all(self._list_chats(uid) for uid in users)
        await self._all(self._list_projects(uid) for uid in users)
        self.reporter.stage("collecting")
        chats = sorted(self.tally.chats.items())
        self.reporter.expect("chats", len(chats))
        await self._all(self._chat(chat_id, seen) for chat_id, seen in chats)
        self._spawn_uploads()
        await self._all(self._project(pid) for pid in sorted(self.tally.project_reasons))
        await self._all(self._activities(uid) for uid in users)
        self._note_unattributed_activity()
        self._note_departed()
        await self._drain()
        return self.tally

    # --- plumbing ---------------------------------------------------------------------------

    async def _all(self, coros: Any) -> None:
        tasks = [self._track(asyncio.ensure_future(c)) for c in coros]
        if tasks:
            await asyncio.gather(*tasks)

    def _spawn(self, kind: str, object_id: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run ``factory`` once per (kind, id), whoever asks first."""
        key = (kind, object_id)
        if key not in self._once:
            self._once[key] = self._track(asyncio.ensure_future(self._guard(kind, object_id, factory)))

    def _track(self, task: asyncio.Future[None]) -> asyncio.Future[None]:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _cancel_all(self) -> None:
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _drain(self) -> None:
        while True:
            pending = [task for task in self._once.values() if not task.done()]
            if not pending:
                break
            await asyncio.gather(*pending)
        for task in self._once.values():
            task.result()

    async def _guard(self, kind: str, source_id: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run one item; item-level API failures are recorded, run-level ones propagate."""
        try:
            await factory()
        except (AuthenticationError, PermissionDeniedError, RetryLater):
            raise
        except NotFoundError as exc:
            self.tally.limit(f"{kind}_unavailable", source_id, f"The API no longer has it: {exc}")
        except ApiError as exc:
            record = self.tally.error(kind, source_id, exc)
            self.natives.custody.append("item_failed", record)
            self.reporter.note(f"{kind} {source_id} failed: {exc}")

    async def _walk(
        self,
        api_path: str,
        query: Query,
        *,
        kind: str,
        source_id: str,
        page_path: Callable[[int], str],
        scheme: PageScheme,
        custodians: tuple[str, ...],
    ) -> list[Any]:
        """Every page of a list: the pages already stored are replayed, the rest fetched and kept.

        Pages are page-1-based natives; the list resumes from the cursor (or page token) of
        the last stored page, through the client's page iterator.
        """
        bodies: list[Any] = []
        page = 1
        guard = PageGuard(scheme)
        while (replayed := self.natives.replay(page_path(page))) is not None:
            bodies.append(replayed[1])
            following = guard.following(replayed[1], query)
            if following is None:
                return bodies
            query, page = following, page + 1
        async for response in self.natives.pages(api_path, query, guard):
            self.natives.keep(
                response,
                path=page_path(page),
                kind=kind,
                source_id=source_id,
                metadata=_page_metadata(page, response.data),
                custodians=custodians,
            )
            bodies.append(response.data)
            page += 1
        return bodies

    # --- lists -------------------------------------------------------------------------------

    async def _list_chats(self, uid: str) -> None:
        query: Query = ENDPOINTS["chats"].query(("user_ids[]", uid))
        pages = await self._walk(
            path("chats"),
            query,
            kind="chat_list",
            source_id=uid,
            scheme="cursor",
            page_path=lambda n: native_path("chat_list", uid, page=n),
            custodians=(uid,),
        )
        for body in pages:
            for item in _items(body):
                chat = _parse(Chat.from_json, item, "chat list item")
                self.tally.chats.setdefault(chat.id, ChatSeen(uid, item))

    async def _list_projects(self, uid: str) -> None:
        query: Query = ENDPOINTS["projects"].query(("user_ids[]", uid))
        pages = await self._walk(
            path("projects"),
            query,
            kind="project_list",
            source_id=uid,
            scheme="token",
            page_path=lambda n: native_path("project_list", uid, page=n),
            custodians=(uid,),
        )
        for body in pages:
            for item in _items(body):
                # The list is filtered by creator server-side (user_ids[]); its ``user`` is null
                # when the creator's account is gone, so it is not checked again here.
                project = _parse(Project.from_json, item, "project list item")
                self._want_project(project.id, "created_by_custodian", uid)

    def _want_project(self, project_id: str, reason: str, uid: str) -> None:
        self.tally.project_reasons.setdefault(project_id, set()).add(reason)
        self.tally.ref(project_id).user_ids.add(uid)

    def _activity_since(self, uid: str) -> datetime | None:
        """The lower bound of this run's feed listing for ``uid``.

        An incremental run starts where the previous run left the feed complete (its start
        minus ``ACTIVITY_OVERLAP``, recorded as ``next_since``); when the previous listing
        failed, ``next_since`` is the bound that listing tried, so no window is skipped.
        """
        since = self.scope.since
        previous = self.plan.previous
        row = previous.activities.get(uid) if previous is not None else None
        value = row.get("next_since") if row is not None else None
        if not isinstance(value, str):
            return since
        floor = parse_timestamp(value)
        return floor if since is None or floor > since else since

    async def _activities(self, uid: str) -> None:
        since = self._activity_since(uid)
        query: Query = (("actor_ids[]", uid),)
        if since is not None:
            query += (("created_at.gte", format_timestamp(since)),)
        if self.scope.until is not None:
            query += (("created_at.lt", format_timestamp(self.scope.until)),)
        query = ENDPOINTS["activities"].query(*query)
        self.tally.activity_window[uid] = None if since is None else format_timestamp(since)
        try:
            pages = await self._walk(
                path("activities"),
                query,
                kind="activities",
                source_id=uid,
                scheme="cursor",
                page_path=lambda n: native_path("activities", uid, page=n),
                custodians=(uid,),
            )
        except (AuthenticationError, PermissionDeniedError, RetryLater):
            raise
        except ApiError as exc:
            record = self.tally.error("activities", uid, exc)
            self.natives.custody.append("item_failed", record)
            return
        self.tally.activities_listed.add(uid)
        self._note_indexing_lag(uid)
        self.reporter.advance("activities", sum(len(_items(body)) for body in pages))

    def _note_unattributed_activity(self) -> None:
        """Pre-sign-in events name no user id, so ``actor_ids[]`` cannot select them (one note each).

        Their ``unauthenticated_user_actor`` carries only an email address; selecting them would
        mean reading everyone's events, so they are stated as not collected instead.
        """
        for custodian in self.plan.custodians:
            self.tally.limit(
                "unauthenticated_activity_not_attributed",
                custodian.label,
                "Activity Feed events recorded before sign-in (e.g. sso_login_initiated, failed "
                "logins) carry only an unauthenticated email address, not a user id, and cannot be "
                f"selected by actor; events of that kind for {custodian.label} are not collected.",
            )

    def _note_departed(self) -> None:
        """A custodian found in no organization's users list is collected by user id alone."""
        for custodian in self.plan.custodians:
            if custodian.in_directory:
                continue
            self.tally.limit(
                "custodian_not_in_directory",
                custodian.label,
                f"{custodian.label} is not a current member of any linked organization (the "
                "users list shows current members only), so the email, name and organizations "
                "are unknown; chats, projects and Activity Feed events were selected by this user "
                "id alone.",
            )

    def _note_indexing_lag(self, uid: str) -> None:
        """A limitation when the range reaches into the feed's indexing lag at listing time.

        The listing time is the first page's ``retrieved_at`` as stored, so a resumed run
        states the same bound as the run that fetched it.
        """
        entry = self.natives.state.entry(native_path("activities", uid, page=1))
        if entry is None or not entry.get("retrieved_at"):
            return
        listed_at = parse_timestamp(str(entry["retrieved_at"]))
        indexed_until = listed_at - ACTIVITY_INDEXING_MARGIN
        until = self.scope.until
        if until is not None and until <= indexed_until:
            return
        effective = until if until is not None else listed_at
        self.tally.limitations[("activity_indexing_lag", uid)] = {
            "kind": "activity_indexing_lag",
            "source_id": uid,
            "message": (
                "The Activity Feed indexes events up to a minute late; events created after "
                f"{format_timestamp(indexed_until)} may not have been indexed when the feed was "
                f"listed at {format_timestamp(listed_at)}. Effective upper bound: "
                f"{format_timestamp(effective)}. A later incremental run re-reads this window."
            ),
            "listed_at": format_timestamp(listed_at),
            "indexed_until": format_timestamp(indexed_until),
            "effective_until": format_timestamp(effective),
        }

    # --- chats -------------------------------------------------------------------------------

    async def _chat(self, chat_id: str, seen: ChatSeen) -> None:
        async with self._chat_slots:
            await self._guard("chat", chat_id, lambda: self._chat_inner(chat_id, seen))
        if seen.status == "pending":
            seen.status = "failed"
        self.reporter.advance("chats")

    async def _chat_inner(self, chat_id: str, seen: ChatSeen) -> None:
        chat = _parse(Chat.from_json, seen.listing, "chat list item")
        if self._unchanged_since_previous(chat):
            self._carry_chat(chat, seen)
            return
        if self._cannot_be_responsive(chat) or self._excluded_before(chat):
            seen.status = "skipped"
            self._out_of_range(chat_id)
            return
        first = native_path("chat_messages", chat_id, page=1)
        pages: list[ChatMessagesPage] | None
        if self.natives.state.entry(first) is not None:
            pages = await self._replay_or_fetch_messages(chat_id, seen)
        else:
            pages = await self._fetch_messages(chat_id, seen)
        if pages is None:
            return
        seen.status = "stored"
        for page in pages:
            self._after_messages(chat_id, seen.user_id, page)

    def _carry_chat(self, chat: Chat, seen: ChatSeen) -> None:
        """An unchanged chat: its messages are not read again, but its project is rechecked."""
        before = self.plan.previous.chats[chat.id]  # type: ignore[union-attr]
        seen.status = "unchanged"
        seen.message_ids = tuple(before.get("message_ids", ()))
        if chat.project_id and before.get("status") in ("stored", "unchanged"):
            self._want_project(chat.project_id, "chat_in_project", seen.user_id)

    def _unchanged_since_previous(self, chat: Chat) -> bool:
        previous = self.plan.previous
        if previous is None or chat.id not in previous.chats:
            return False
        before = previous.chats[chat.id]
        return bool(
            before.get("status") in SETTLED_CHAT_STATUSES
            and before.get("updated_at") == _ts(chat.updated_at)
            and before.get("deleted_at") == _ts(chat.deleted_at)
        )

    def _cannot_be_responsive(self, chat: Chat) -> bool:
        until, since = self.scope.until, self.scope.since
        if until is not None and chat.created_at is not None and chat.created_at >= until:
            return True
        return (
            since is not None and chat.updated_at is not None and chat.updated_at < since - UPDATED_AT_MARGIN
        )

    def _out_of_range(self, chat_id: str) -> None:
        """Say in the manifest that a listed chat was left out, and why (its listing is stored)."""
        self.tally.limit(
            "chat_out_of_range",
            chat_id,
            "Listed but not collected: no message of this chat was created in the date range.",
        )

    def _excluded_before(self, chat: Chat) -> bool:
        excluded = self.natives.state.snapshot_row("excluded_chat", chat.id)
        return excluded is not None and excluded.get("updated_at") == _ts(chat.updated_at)

    async def _fetch_messages(self, chat_id: str, seen: ChatSeen) -> list[ChatMessagesPage] | None:
        """Fetch every page into memory, decide responsiveness, then store (or remember exclusion)."""
        api_path = path("chat_messages", chat_id)
        responses: list[ApiResponse] = []
        query: Query = MESSAGE_QUERY
        guard = _message_guard()
        while True:
            response = await self.natives.fetch(api_path, query, list_endpoint=True)
            responses.append(response)
            following = guard.following(
                response.data, query, url=response.url, request_id=response.request_id
            )
            if following is None:
                break
            query = following
        pages = [_parse(ChatMessagesPage.from_json, r.data, "chat messages") for r in responses]
        if not self._responsive(pages):
            chat = pages[0].chat
            self.natives.state.put_snapshot_row(
                "excluded_chat", chat_id, {"updated_at": _ts(chat.updated_at)}
            )
            seen.status = "excluded"
            self._out_of_range(chat_id)
            return None
        for number, (response, page) in enumerate(zip(responses, pages, strict=True), start=1):
            self.natives.keep(
                response,
                path=native_path("chat_messages", chat_id, page=number),
                kind="chat_messages",
                source_id=chat_id,
                metadata=self._chat_metadata(page, number),
                custodians=(seen.user_id,),
            )
        return pages

    async def _replay_or_fetch_messages(self, chat_id: str, seen: ChatSeen) -> list[ChatMessagesPage]:
        """A responsive chat already (partly) stored: replay its pages, fetch any missing tail."""
        api_path = path("chat_messages", chat_id)
        pages: list[ChatMessagesPage] = []
        query: Query = MESSAGE_QUERY
        number = 1
        guard = _message_guard()
        while True:
            _entry, body = await self.natives.json(
                api_path,
                query,
                path=native_path("chat_messages", chat_id, page=number),
                kind="chat_messages",
                source_id=chat_id,
                custodians=(seen.user_id,),
                metadata=partial(self._chat_page_metadata, number),
                list_endpoint=True,
            )
            pages.append(_parse(ChatMessagesPage.from_json, body, "chat messages"))
            following = guard.following(body, query)
            if following is None:
                return pages
            query, number = following, number + 1

    def _responsive(self, pages: list[ChatMessagesPage]) -> bool:
        if not self.scope.bounded:
            return True
        return any(
            m.created_at is not None and self.scope.contains(m.created_at) for p in pages for m in p.messages
        )

    def _chat_metadata(self, page: ChatMessagesPage, number: int) -> dict[str, Any]:
        chat = page.chat
        return {
            "page": number,
            "chat_name": chat.name,
            "created_at": _ts(chat.created_at),
            "updated_at": _ts(chat.updated_at),
            "deleted_at": _ts(chat.deleted_at),
            "model": chat.model,
            "project_id": chat.project_id,
            "organization_uuid": chat.organization_uuid,
            "user_id": chat.user.id if chat.user else None,
            "href": chat.href,
            "messages": [
                {
                    "id": m.id,
                    "role": m.role,
                    "created_at": _ts(m.created_at),
                    "in_range": m.created_at is not None and self.scope.contains(m.created_at),
                }
                for m in page.messages
            ],
        }

    def _chat_page_metadata(self, number: int, body: Any) -> dict[str, Any]:
        return self._chat_metadata(_parse(ChatMessagesPage.from_json, body, "chat messages"), number)

    def _after_messages(self, chat_id: str, uid: str, page: ChatMessagesPage) -> None:
        """Record limitations and schedule every object the messages reference."""
        seen = self.tally.chats[chat_id]
        seen.message_ids = (*seen.message_ids, *(m.id for m in page.messages))
        self.reporter.advance("messages", len(page.messages))
        if page.chat.project_id:
            self._want_project(page.chat.project_id, "chat_in_project", uid)
        for message in page.messages:
            for block in message.content:
                if isinstance(block, TextBlock | ToolUseBlock | ToolResultBlock) and block.truncated:
                    self.tally.limit(
                        "truncated_block",
                        message.id,
                        f"A {block.type} block of message {message.id} in chat {chat_id} is marked truncated "
                        "by the API even with truncation disabled; the stored text is what the API served.",
                    )
            for ref in message.files:
                self._reference(ref.id, chat_id, message.id, uid)
                self._want_upload(ref.id, "file")
            for gen in message.generated_files:
                self._reference(gen.id, chat_id, message.id, uid)
                self._want_upload(gen.id, "generated_file")
            for art in message.artifacts:
                self._reference(art.version_id, chat_id, message.id, uid)
                self._spawn("artifact", art.version_id, partial(self._artifact, art.version_id))

    def _want_upload(self, file_id: str, kind: str) -> None:
        """Fetch a file once, however many messages list it and under which list.

        A ``claude_file_`` id may be listed both as a file and as a generated file (it is read
        from the files endpoints either way): it is stored once, as ``file`` when any message
        lists it as one, else as ``generated_file``. Generated ``claude_file_`` ids are fetched
        after every chat is read, so that choice never depends on which chat answered first.
        """
        if kind == "generated_file" and file_id.startswith("claude_file_"):
            self._generated_uploads.add(file_id)
        else:
            self._spawn(kind, file_id, partial(self._file, file_id, kind))

    def _spawn_uploads(self) -> None:
        for file_id in sorted(self._generated_uploads):
            if ("file", file_id) not in self._once:
                self._spawn("generated_file", file_id, partial(self._file, file_id, "generated_file"))

    def _reference(self, object_id: str, chat_id: str, message_id: str, uid: str) -> None:
        refs = self.tally.ref(object_id)
        refs.chat_ids.add(chat_id)
        refs.message_ids.add(message_id)
        refs.user_ids.add(uid)

    # --- files and artifacts ------------------------------------------------------------------

    def _carried(self, kind: str, object_id: str) -> bool:
        previous = self.plan.previous
        if previous is not None and previous.has(kind, object_id):
            self.tally.carried.setdefault(kind, set()).add(object_id)
            return True
        return False

    async def _file(self, file_id: str, kind: str) -> None:
        """Metadata then content of an uploaded or generated file (routed by id prefix)."""
        if self._carried(kind, file_id):
            return
        endpoint = "file" if file_id.startswith("claude_file_") else "generated_file"
        base = path(endpoint, file_id)
        users = tuple(sorted(self.tally.ref(file_id).user_ids))
        _entry, meta = await self.natives.json(
            base,
            (),
            path=native_path(f"{kind}_metadata", file_id),
            kind=f"{kind}_metadata",
            source_id=file_id,
            custodians=users,
        )
        if not isinstance(meta, dict):
            raise ResponseFormatError(f"The metadata of {file_id} is not a JSON object.")
        details = {
            "original_filename": meta.get("filename"),
            "mime_type": meta.get("mime_type"),
            "api_md5": meta.get("md5"),
        }
        api_md5 = meta.get("md5")
        size = meta.get("size_bytes")
        listed = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        entry = await self.natives.download(
            path(f"{endpoint}_content", file_id),
            path=native_path(kind, file_id),
            kind=kind,
            source_id=file_id,
            metadata=details,
            custodians=users,
            expected_md5=api_md5 if isinstance(api_md5, str) else None,
            expected_size=listed,
        )
        self._check_download(kind, file_id, entry)
        self.reporter.advance("files")

    def _check_download(self, kind: str, file_id: str, entry: Mapping[str, Any]) -> None:
        """An integrity failure is an error; bytes with nothing to check them against, a limitation."""
        meta = entry.get("metadata") or {}
        if entry["status"] == "integrity_failed":
            against = "the metadata md5" if meta.get("md5_source") == "api_md5" else "Content-MD5"
            problem = RuntimeError(
                f"{against} never matched the downloaded bytes of {file_id} "
                f"(kept, sha256 {entry['sha256']}, marked integrity_failed)."
            )
            self.tally.error(kind, file_id, problem, status="integrity_failed")
        elif meta.get("md5_matched") is None:
            self.tally.limit(
                "download_unverified",
                file_id,
                f"The API sent neither a Content-MD5 header nor a metadata md5 for {file_id}; its "
                "downloaded bytes could not be checked against what the API stores.",
            )

    async def _artifact(self, version_id: str) -> None:
        if self._carried("artifact", version_id):
            return
        base = path("artifact", version_id)
        users = tuple(sorted(self.tally.ref(version_id).user_ids))
        _entry, meta = await self.natives.json(
            base,
            (),
            path=native_path("artifact_metadata", version_id),
            kind="artifact_metadata",
            source_id=version_id,
            custodians=users,
        )
        meta = meta if isinstance(meta, dict) else {}
        details = {
            "artifact_id": meta.get("id"),
            "version_id": version_id,
            "title": meta.get("title"),
            "artifact_type": meta.get("artifact_type"),
        }
        await self.natives.json(
            path("artifact_content", version_id),
            (),
            path=native_path("artifact", version_id),
            kind="artifact",
            source_id=version_id,
            metadata=partial(_constant, details),
            custodians=users,
        )
        self.reporter.advance("files")

    # --- projects ----------------------------------------------------------------------------

    async def _project(self, project_id: str) -> None:
        await self._guard("project", project_id, lambda: self._project_inner(project_id))

    async def _project_inner(self, project_id: str) -> None:
        users = tuple(sorted(self.tally.ref(project_id).user_ids))
        reasons = sorted(self.tally.project_reasons.get(project_id, set()))
        base = path("project", project_id)
        replayed = self.natives.replay(native_path("project", project_id))
        if replayed is None:
            response = await self.natives.fetch(base)
            project = _parse(Project.from_json, response.data, "project")
            self.tally.projects[project_id] = {"updated_at": _ts(project.updated_at)}
            if not self._project_unchanged(project_id):
                self.natives.keep(
                    response,
                    path=native_path("project", project_id),
                    kind="project",
                    source_id=project_id,
                    metadata=_project_metadata(project, reasons),
                    custodians=users,
                )
        else:
            project = _parse(Project.from_json, replayed[1], "project")
            self.tally.projects[project_id] = {"updated_at": _ts(project.updated_at)}
        # Walked even when the project's updated_at did not move: adding a document or a file
        # is not promised to move it. Stored documents and files are carried, not fetched again.
        pages = await self._walk(
            path("project_attachments", project_id),
            ENDPOINTS["project_attachments"].query(),
            kind="project_attachments",
            source_id=project_id,
            scheme="token",
            page_path=lambda n: native_path("project_attachments", project_id, page=n),
            custodians=users,
        )
        await self._walk(
            path("project_collaborators", project_id),
            ENDPOINTS["project_collaborators"].query(),
            kind="project_collaborators",
            source_id=project_id,
            scheme="token",
            page_path=lambda n: native_path("project_collaborators", project_id, page=n),
            custodians=users,
        )
        for body in pages:
            for item in _items(body):
                self._attachment(project_id, _parse(ProjectAttachment.from_json, item, "attachment"), users)
        self.reporter.advance("projects")

    def _project_unchanged(self, project_id: str) -> bool:
        previous = self.plan.previous
        if previous is None or project_id not in previous.projects:
            return False
        before = previous.projects[project_id]
        same = bool(
            before.get("status") != "failed"
            and before.get("updated_at") == self.tally.projects[project_id]["updated_at"]
        )
        if same:
            self.tally.carried.setdefault("project", set()).add(project_id)
        return same

    def _attachment(self, project_id: str, attachment: ProjectAttachment, users: tuple[str, ...]) -> None:
        refs = self.tally.ref(attachment.id)
        refs.project_ids.add(project_id)
        refs.user_ids.update(users)
        if attachment.type == "project_doc":
            self._spawn("project_document", attachment.id, partial(self._document, attachment.id, project_id))
        elif attachment.type == "project_file":
            # Every chat is read by now: an id already stored as a generated file stays one.
            kind = "generated_file" if ("generated_file", attachment.id) in self._once else "file"
            self._spawn(kind, attachment.id, partial(self._file, attachment.id, kind))
        else:
            self.tally.limit(
                "unknown_attachment", attachment.id, f"Unknown attachment type {attachment.type!r}."
            )

    async def _document(self, doc_id: str, project_id: str) -> None:
        if self._carried("project_document", doc_id):
            return
        base = path("project_document", doc_id)
        users = tuple(sorted(self.tally.ref(doc_id).user_ids))
        _entry, meta = await self.natives.json(
            path("project_document_metadata", doc_id),
            (),
            path=native_path("project_document_metadata", doc_id),
            kind="project_document_metadata",
            source_id=doc_id,
            custodians=users,
        )
        name = meta.get("filename") if isinstance(meta, dict) else None
        await self.natives.json(
            base,
            (),
            path=native_path("project_document", doc_id),
            kind="project_document",
            source_id=doc_id,
            metadata=partial(_constant, {"project_id": project_id, "original_filename": name}),
            custodians=users,
        )


def _page_metadata(number: int, body: Any) -> dict[str, Any]:
    items = _items(body)
    metadata: dict[str, Any] = {"page": number, "item_count": len(items)}
    times = sorted(_created_times(items))
    if times:
        metadata["first_created_at"] = utc_iso(times[0])
        metadata["last_created_at"] = utc_iso(times[-1])
    return metadata


def _created_times(items: list[Any]) -> list[datetime]:
    """The parseable ``created_at`` of a page's items (unparseable ones are left to the reader)."""
    times = []
    for item in items:
        value = item.get("created_at") if isinstance(item, dict) else None
        if isinstance(value, str):
            try:
                times.append(parse_timestamp(value))
            except ValueError:
                continue
    return times


def _constant(value: dict[str, Any], _body: Any) -> dict[str, Any]:
    return value


def _project_metadata(project: Project, reasons: list[str]) -> dict[str, Any]:
    return {
        "name": project.name,
        "created_at": _ts(project.created_at),
        "updated_at": _ts(project.updated_at),
        "deleted_at": _ts(project.deleted_at),
        "reasons": reasons,
    }


def _ts(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)


def _items(body: Any) -> list[Any]:
    if not isinstance(body, Mapping):
        raise ResponseFormatError("A list response is not a JSON object.")
    data = body.get("data")
    if not isinstance(data, list):
        raise ResponseFormatError("A list response has no 'data' array.")
    return data


def _parse(build: Callable[[Any], Any], obj: Any, what: str) -> Any:
    try:
        return build(obj)
    except FormatProblem as exc:
        raise ResponseFormatError(f"Unexpected {what}: {exc}") from exc


def _message_guard() -> PageGuard:
    """The guard of one walk over a chat's messages (their pages repeat the largest limit)."""
    return PageGuard("cursor", items="chat_messages", limit=str(ENDPOINTS["chat_messages"].limit))


def parse_time(value: str | None) -> datetime | None:
    """An API timestamp string as aware UTC (None stays None)."""
    return None if value is None else parse_timestamp(value)
