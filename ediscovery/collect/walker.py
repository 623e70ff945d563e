"""Walker: every page of one list endpoint, the stored pages replayed and the rest fetched and kept.

Pages are stored as page-1-based natives (``evidence.paths.native_path``). A resumed walk
replays the stored pages through the same :class:`~ediscovery.api.pagination.PageGuard` that
follows the live ones, and goes on from the cursor (or page token) of the last stored page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.api.models import body_items
from ediscovery.api.pagination import PageGuard
from ediscovery.api.query import Pairs
from ediscovery.collect.recorder import Recorder
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path
from ediscovery.timestamps import parse_timestamp


async def walk(
    natives: Recorder,
    endpoint: str,
    *pairs: tuple[str, str],
    kind: Kind,
    source_id: str,
    custodians: tuple[str, ...],
    ids: tuple[str, ...] = (),
) -> list[Any]:
    """The bodies of every page of ``endpoint`` (for ``ids``) asked with ``pairs``.

    Each page is stored as native ``kind`` of ``source_id``, attributed to ``custodians``.
    """
    spec = ENDPOINTS[endpoint]
    assert spec.scheme is not None, f"{endpoint} is not a list endpoint"
    query: Pairs = spec.query(*pairs)
    bodies: list[Any] = []
    page = 1
    guard = PageGuard(spec.scheme)
    while (replayed := natives.replay(native_path(kind, source_id, page=page))) is not None:
        bodies.append(replayed[1])
        following = guard.following(replayed[1], query)
        if following is None:
            return bodies
        query, page = following, page + 1
    async for response in natives.pages(path(endpoint, *ids), query, guard):
        natives.keep(
            response,
            path=native_path(kind, source_id, page=page),
            kind=kind,
            source_id=source_id,
            metadata=page_metadata(page, response.data),
            custodians=custodians,
        )
        bodies.append(response.data)
        page += 1
    return bodies


def page_metadata(number: int, body: Any) -> dict[str, Any]:
    """A list page's manifest metadata: its number, item count and span of ``created_at``."""
    items = body_items(body)
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
