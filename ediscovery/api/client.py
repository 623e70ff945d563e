"""``ComplianceClient``: the Compliance API's read endpoints, built on the one table of them.

Every path, page scheme and largest ``limit`` comes from :mod:`ediscovery.api.endpoints`.
Lists are async iterators of raw :class:`ApiResponse` pages (the evidence), asking for the
largest page the endpoint allows. :meth:`ComplianceClient.get`, :meth:`~ComplianceClient.pages`
and :meth:`~ComplianceClient.download` reach any read endpoint by a path from that table, for
callers that keep their own cursors (the collector, which resumes a walk from a stored page).
Single objects are one ``ApiResponse``; file and generated-file content is streamed to a sink
and returns a :class:`DownloadResult`. The
documented chats-list rules are checked before any request is spent. Deliberately, there
is no method that deletes anything.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from types import TracebackType

import httpx

from ediscovery.api.attempt import WaitObserver
from ediscovery.api.budget import Clock, RequestBudget, Sleep
from ediscovery.api.credentials import DEFAULT_KEY_ENV, ApiKey, api_key_from_env
from ediscovery.api.download import SinkLike, as_sink
from ediscovery.api.endpoints import ENDPOINTS, V1, path
from ediscovery.api.pagination import PageGuard, PageScheme, walk
from ediscovery.api.query import Pairs, TimeRange, build_query
from ediscovery.api.response import ApiResponse, DownloadResult
from ediscovery.api.retry import RetryPolicy
from ediscovery.api.session import API_VERSION, MAX_JSON_BYTES, MIN_RATE, ApiSession, RequestObserver
from ediscovery.errors import UsageError

DEFAULT_BASE_URL = "https://api.anthropic.com"
MAX_USER_IDS_PER_CHAT_QUERY = 10
LIMIT = {name: endpoint.limit or 0 for name, endpoint in ENDPOINTS.items()}
"""The largest ``limit`` of each list endpoint: the default of every typed list method."""
Pages = AsyncIterator[ApiResponse]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _compliance_path(path: str) -> str:
    """``path`` if it is a plain path under ``/v1/compliance/``; UsageError otherwise."""
    dots = {".", ".."} & set(path.split("/"))
    if not path.startswith(f"{V1}/") or "?" in path or "#" in path or dots:
        raise UsageError(f"Not a Compliance API path: {path!r}.")
    return path


class ComplianceClient:
    """Async client for ``/v1/compliance/*``; use ``async with`` or call :meth:`aclose`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: ApiKey | str | None = None,
        *,
        key_env: str = DEFAULT_KEY_ENV,
        transport: httpx.AsyncBaseTransport | None = None,
        max_rpm: int = 500,
        burst: int = 1,
        concurrency: int = 8,
        max_attempts: int = 8,
        max_throttled: int = 100,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
        timeout: float = 60.0,
        on_request: RequestObserver | None = None,
        on_wait: WaitObserver | None = None,
        max_json_bytes: int = MAX_JSON_BYTES,
        min_rate: float = MIN_RATE,
        api_version: str = API_VERSION,
    ) -> None:
        key = api_key if isinstance(api_key, ApiKey) else None
        if key is None:
            key = ApiKey(api_key) if isinstance(api_key, str) else api_key_from_env(key_env)
        self.api_key_fingerprint = key.fingerprint
        self.budget = RequestBudget(max_rpm, burst=burst, clock=clock, sleep=sleep)
        retry = RetryPolicy(
            max_attempts=max(1, max_attempts), max_throttled=max(1, max_throttled), rng=rng or random.Random()
        )
        self._session = ApiSession(
            base_url, key, transport=transport, budget=self.budget, retry=retry, concurrency=concurrency,
            sleep=sleep, clock=clock, now=now, timeout=timeout, on_request=on_request, on_wait=on_wait,
            max_json_bytes=max_json_bytes, min_rate=min_rate, api_version=api_version,
        )  # fmt: skip
        self.base_url = str(self._session.base_url)
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"ComplianceClient(base_url={self.base_url!r}, key={self.api_key_fingerprint})"

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` on the client's clock (a test's manual clock, or the real one)."""
        await self._sleep(seconds)

    async def __aenter__(self) -> ComplianceClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    # -- by path (for callers that keep their own cursors, e.g. a resumed collection) ------

    async def get(self, path: str, query: Pairs = (), *, list_endpoint: bool = False) -> ApiResponse:
        """``GET`` one JSON ``path`` under ``/v1/compliance/`` with ``query`` pairs, as sent.

        ``list_endpoint`` marks a list, so a bare 404 gets the "key or URL is wrong" hint.
        A caller resuming a list passes the stored ``after_id`` or ``page`` in ``query``.
        """
        return await self._session.get_json(_compliance_path(path), query, list_endpoint=list_endpoint)

    def pages(
        self, path: str, query: Pairs = (), *, scheme: PageScheme, guard: PageGuard | None = None
    ) -> Pages:
        """Every page of a list ``path`` from ``query`` on (``scheme`` ``cursor`` or ``token``).

        Starting ``query`` with ``after_id=<last_id>`` (cursor) or ``page=<next_page>``
        (token) resumes a list after the last page already kept; pass the walk's ``guard``
        (which has seen the pages kept) so the resumed walk is still checked as one.
        """
        if scheme not in ("cursor", "token"):
            raise UsageError(f"Unknown pagination scheme {scheme!r} (cursor or token).")
        fetch = partial(self.get, _compliance_path(path), list_endpoint=True)
        return walk(fetch, query, guard or PageGuard(scheme))

    async def download(
        self, path: str, sink: SinkLike, *, expected_size: int | None = None, query: Pairs = ()
    ) -> DownloadResult:
        """Stream binary ``path`` (with ``query``) into ``sink``; IntegrityError (``.result``) on MD5
        mismatch, or as soon as more than ``expected_size`` bytes (the size the API listed) arrive."""
        return await self._session.download(
            _compliance_path(path), as_sink(sink), expected_size=expected_size, query=query
        )

    # -- typed endpoints (paths, schemes and largest limits from ``api.endpoints``) ----------

    def _list(self, name: str, *ids: str, query: Pairs = ()) -> Pages:
        scheme = ENDPOINTS[name].scheme
        assert scheme is not None, f"{name} is not a list endpoint"
        return self.pages(_path(name, *ids), query, scheme=scheme)

    def organizations(self, *, limit: int = LIMIT["organizations"]) -> Pages:
        """``GET /organizations`` pages (page token)."""
        return self._list("organizations", query=build_query({"limit": limit}))

    def organization_users(self, org_uuid: str, *, limit: int = LIMIT["organization_users"]) -> Pages:
        """``GET /organizations/{org_uuid}/users`` pages (current members)."""
        return self._list("organization_users", org_uuid, query=build_query({"limit": limit}))

    async def chats(
        self,
        *,
        user_ids: Sequence[str] | None = None,
        organization_ids: Sequence[str] | None = None,
        project_ids: Sequence[str] | None = None,
        order_by: str | None = None,
        created_at: TimeRange | None = None,
        updated_at: TimeRange | None = None,
        limit: int = LIMIT["chats"],
    ) -> Pages:
        """``GET /apps/chats`` pages: per user (``user_ids`` in chunks of 10) or org-wide."""
        _check_chat_list_rules(user_ids, project_ids, order_by, created_at, updated_at)
        chunks: list[list[str] | None] = [None]
        if user_ids:
            ids = list(dict.fromkeys(user_ids))
            step = MAX_USER_IDS_PER_CHAT_QUERY
            chunks = [ids[i : i + step] for i in range(0, len(ids), step)]
        for chunk in chunks:
            query = build_query(
                {"order_by": order_by, "limit": limit},
                arrays={"user_ids": chunk, "organization_ids": organization_ids, "project_ids": project_ids},
                ranges={"created_at": created_at, "updated_at": updated_at},
            )
            async for page in self._list("chats", query=query):
                yield page

    async def chat_messages(
        self,
        chat_id: str,
        *,
        order: str | None = None,
        created_at: TimeRange | None = None,
        updated_at: TimeRange | None = None,
    ) -> ApiResponse:
        """The whole chat in one response (``limit`` omitted), tool input/results untruncated."""
        ranges = {"created_at": created_at, "updated_at": updated_at}
        query = (*ENDPOINTS["chat_messages"].fixed, *build_query({"order": order}, ranges=ranges))
        return await self.get(_path("chat_messages", chat_id), query)

    async def download_file(self, file_id: str, sink: SinkLike) -> DownloadResult:
        """Stream an uploaded file's bytes to ``sink``; IntegrityError (``.result``) on MD5 mismatch."""
        return await self.download(_path("file_content", file_id), sink)

    async def download_generated_file(self, file_id: str, sink: SinkLike) -> DownloadResult:
        """Stream a generated file's bytes to ``sink`` (``claude_file_...`` ids use the files endpoint)."""
        if file_id.startswith("claude_file_"):
            return await self.download_file(file_id, sink)
        return await self.download(_path("generated_file_content", file_id), sink)

    def projects(
        self,
        *,
        user_ids: Sequence[str] | None = None,
        organization_ids: Sequence[str] | None = None,
        created_at: TimeRange | None = None,
        updated_at: TimeRange | None = None,
        limit: int = LIMIT["projects"],
    ) -> Pages:
        """``GET /apps/projects`` pages (page token)."""
        query = build_query(
            {"limit": limit},
            arrays={"user_ids": user_ids, "organization_ids": organization_ids},
            ranges={"created_at": created_at, "updated_at": updated_at},
        )
        return self._list("projects", query=query)

    async def project(self, project_id: str) -> ApiResponse:
        return await self.get(_path("project", project_id))

    async def project_document(self, document_id: str) -> ApiResponse:
        return await self.get(_path("project_document", document_id))

    def activities(
        self,
        *,
        activity_types: Sequence[str] | None = None,
        exclude_activity_types: Sequence[str] | None = None,
        actor_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        organization_ids: Sequence[str] | None = None,
        created_at: TimeRange | None = None,
        order: str | None = None,
        after_id: str | None = None,
        limit: int = LIMIT["activities"],
    ) -> Pages:
        """``GET /activities`` pages (newest first unless ``order="asc"``)."""
        if activity_types and exclude_activity_types:
            raise UsageError("activity_types and exclude_activity_types cannot be combined.")
        arrays = {
            "activity_types": activity_types,
            "exclude_activity_types": exclude_activity_types,
            "actor_ids": actor_ids,
            "user_ids": user_ids,
            "organization_ids": organization_ids,
        }
        query = build_query(
            {"order": order, "after_id": after_id, "limit": limit},
            arrays=arrays,
            ranges={"created_at": created_at},
        )
        return self._list("activities", query=query)

    async def has_content(self, user_id: str) -> bool:
        """Whether the API holds anything of ``user_id``: a chat, a project or an activity.

        One small page of each list (three requests); used to tell a departed custodian's id
        from a mistyped one before a collection is started.
        """
        probes = (
            self.chats(user_ids=[user_id], limit=1),
            self.projects(user_ids=[user_id], limit=1),
            self.activities(actor_ids=[user_id], limit=1),
        )
        for pages in probes:
            async for page in pages:
                data = page.data.get("data") if isinstance(page.data, dict) else None
                if data:
                    return True
                break
        return False


def _path(name: str, *ids: str) -> str:
    """The path of endpoint ``name``; an empty id from the caller is a usage error."""
    if not all(ids):
        raise UsageError("An empty ID was given.")
    return path(name, *ids)


def _check_chat_list_rules(
    user_ids: Sequence[str] | None,
    project_ids: Sequence[str] | None,
    order_by: str | None,
    created_at: TimeRange | None,
    updated_at: TimeRange | None,
) -> None:
    """The documented chats-list rules, checked before a request is spent."""
    if user_ids:
        if order_by == "updated_at":
            raise UsageError("order_by=updated_at is only allowed on org-wide chat listing (no user_ids).")
        if updated_at:
            raise UsageError("updated_at bounds are not accepted together with user_ids.")
        return
    if project_ids:
        raise UsageError("project_ids can only be combined with user_ids.")
    if order_by == "updated_at" and created_at:
        raise UsageError("Org-wide chat listing by updated_at accepts updated_at bounds only.")
    if order_by in (None, "created_at") and updated_at:
        raise UsageError("Org-wide chat listing by created_at accepts created_at bounds only.")
