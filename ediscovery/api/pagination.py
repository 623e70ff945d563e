"""Walk both pagination schemes of the Compliance API, one raw page at a time.

*Cursor* endpoints (activities, chats, chat messages) continue with ``after_id=<last_id>``
while ``has_more`` is true; *page-token* endpoints continue with ``page=<next_page>`` while
``next_page`` is set and ``has_more`` is not false (session lists have no ``has_more``).
Cursors and tokens are opaque: copied, never built or parsed. A failed page is retried by
the session with the same query, so a cursor never advances past a page we did not get.

A misbehaving server must not make a walk endless. :class:`PageGuard` stops one with a
:class:`~ediscovery.errors.ResponseFormatError` when a cursor or token comes back a second
time, and when :data:`MAX_IDLE_PAGES` pages in a row bring no item that earlier pages did not
already hold (fresh cursors over the same items, or empty pages with fresh tokens for ever).
Short and empty pages on their own are normal and the walk goes on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Literal

from ediscovery.api.query import Pairs, with_param
from ediscovery.api.response import ApiResponse
from ediscovery.errors import ResponseFormatError

Fetch = Callable[[Pairs], Awaitable[ApiResponse]]
PageScheme = Literal["cursor", "token"]
MAX_IDLE_PAGES = 100


class PageGuard:
    """The next query of one walk, refusing walks that do not advance (see the module docstring).

    ``items`` names the member holding the page's items (``data``; ``chat_messages`` for a
    chat's messages); ``limit``, when set, is repeated on every following cursor query.
    """

    def __init__(self, scheme: PageScheme, *, items: str = "data", limit: str | None = None) -> None:
        self.scheme = scheme
        self.items = items
        self.limit = limit
        self._positions: set[str] = set()
        self._ids: set[str] = set()
        self._idle = 0
        self.pages = 0

    def following(
        self, body: Any, query: Pairs, *, url: str | None = None, request_id: str | None = None
    ) -> Pairs | None:
        """The query of the page after ``body`` (fetched with ``query``), or None after the last."""
        if not isinstance(body, Mapping):
            raise ResponseFormatError("A list response is not a JSON object.", url=url, request_id=request_id)
        self.pages += 1
        self._count_new(body, url, request_id)
        position = self._position(body, url, request_id)
        if position is None:
            return None
        if position in self._positions:
            raise ResponseFormatError(
                f"The API returned the same {'cursor' if self.scheme == 'cursor' else 'next_page'} "
                f"twice (page {self.pages}); the listing does not advance.",
                url=url,
                request_id=request_id,
            )
        self._positions.add(position)
        if self.scheme == "token":
            return with_param(query, "page", position)
        following = with_param(query, "after_id", position)
        return with_param(following, "limit", self.limit) if self.limit else following

    def _position(self, body: Mapping[str, Any], url: str | None, request_id: str | None) -> str | None:
        if self.scheme == "cursor":
            if body.get("has_more") is not True:
                return None
            cursor = body.get("last_id")
            if not isinstance(cursor, str) or not cursor:
                raise ResponseFormatError(
                    "has_more is true but last_id is missing.", url=url, request_id=request_id
                )
            return cursor
        token = body.get("next_page")
        if body.get("has_more") is False or not token:
            return None
        if not isinstance(token, str):
            raise ResponseFormatError(
                "The API returned an unusable next_page.", url=url, request_id=request_id
            )
        return token

    def _count_new(self, body: Mapping[str, Any], url: str | None, request_id: str | None) -> None:
        items = body.get(self.items)
        keys = {_identity(item) for item in items} if isinstance(items, list) else set()
        new = keys - self._ids
        self._ids.update(new)
        self._idle = 0 if new else self._idle + 1
        if self._idle >= MAX_IDLE_PAGES:
            raise ResponseFormatError(
                f"The API returned {self._idle} pages in a row without an item that earlier pages "
                f"did not already hold (page {self.pages}); the listing does not advance.",
                url=url,
                request_id=request_id,
                hint="The server is misbehaving; the listing was stopped so the run cannot loop for ever.",
            )


def _identity(item: Any) -> str:
    """What makes a listed item the same item again: its ``id`` (or ``uuid``), else its content."""
    if isinstance(item, Mapping):
        for key in ("id", "uuid"):
            if isinstance(item.get(key), str):
                return f"{key}:{item[key]}"
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


async def walk(fetch: Fetch, query: Pairs, guard: PageGuard) -> AsyncIterator[ApiResponse]:
    """Pages from ``query`` on, each followed through ``guard``."""
    while True:
        page = await fetch(query)
        yield page
        following = guard.following(page.data, query, url=page.url, request_id=page.request_id)
        if following is None:
            return
        query = following
