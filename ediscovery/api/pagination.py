"""Walk both pagination schemes of the Compliance API, one raw page at a time.

*Cursor* endpoints (activities, chats, chat messages) continue with ``after_id=<last_id>``
while ``has_more`` is true; *page-token* endpoints continue with ``page=<next_page>`` while
``next_page`` is set and ``has_more`` is not false (session lists have no ``has_more``).
Cursors and tokens are opaque: copied, never built or parsed. A failed page is retried by
the session with the same query, so a cursor never advances past a page we did not get.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from ediscovery.api.query import Pairs, with_param
from ediscovery.api.response import ApiResponse
from ediscovery.errors import ResponseFormatError

Fetch = Callable[[Pairs], Awaitable[ApiResponse]]


def _envelope(page: ApiResponse) -> Mapping[str, object]:
    if not isinstance(page.data, Mapping):
        raise ResponseFormatError(
            "A list response is not a JSON object.", url=page.url, request_id=page.request_id
        )
    return page.data


async def cursor_pages(fetch: Fetch, query: Pairs) -> AsyncIterator[ApiResponse]:
    """Pages of a cursor endpoint, starting from ``query``."""
    seen: set[str] = set()
    while True:
        page = await fetch(query)
        yield page
        envelope = _envelope(page)
        if envelope.get("has_more") is not True:
            return
        cursor = envelope.get("last_id")
        if not isinstance(cursor, str) or not cursor:
            raise ResponseFormatError(
                "has_more is true but last_id is missing.", url=page.url, request_id=page.request_id
            )
        if cursor in seen:
            raise ResponseFormatError(
                "The API returned the same cursor twice.", url=page.url, request_id=page.request_id
            )
        seen.add(cursor)
        query = with_param(query, "after_id", cursor)


async def token_pages(fetch: Fetch, query: Pairs) -> AsyncIterator[ApiResponse]:
    """Pages of a page-token endpoint, starting from ``query``."""
    seen: set[str] = set()
    while True:
        page = await fetch(query)
        yield page
        envelope = _envelope(page)
        token = envelope.get("next_page")
        if envelope.get("has_more") is False or not token:
            return
        if not isinstance(token, str) or token in seen:
            raise ResponseFormatError(
                "The API returned an unusable or repeated next_page.",
                url=page.url,
                request_id=page.request_id,
            )
        seen.add(token)
        query = with_param(query, "page", token)
