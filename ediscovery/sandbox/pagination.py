"""The two pagination schemes: opaque cursors (``after_id``/``before_id``) and page tokens.

* chat cursors: base64 of JSON ``{"k": <order_by>, "t": <sort value>, "id": <chat id>}``; a
  cursor whose ``k`` is not the request's ``order_by`` is rejected;
* message cursors: base64 of JSON ``{"msg_uuid": <message id>}``;
* activity cursors: the activity ID itself;
* page tokens: ``page_`` + base64 of JSON ``{"o": <offset>, "e": <endpoint tag>}``.

``after_id`` moves forward in result order and ``before_id`` backward; ``has_more`` says
whether more items exist in the direction of travel.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ediscovery.sandbox.problems import bad_request

T = TypeVar("T")
K = TypeVar("K")


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(raw: str, param: str) -> dict[str, Any]:
    """Decode a base64-JSON cursor or answer 400 ``Invalid pagination cursor for '<param>'``."""
    try:
        value = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_request(f"Invalid pagination cursor for '{param}'") from None
    if not isinstance(value, dict):
        raise bad_request(f"Invalid pagination cursor for '{param}'")
    return value


def encode_page(offset: int, endpoint: str) -> str:
    payload = json.dumps({"o": offset, "e": endpoint}, separators=(",", ":")).encode()
    return "page_" + base64.b64encode(payload).decode()


def decode_page(raw: str, endpoint: str) -> int:
    try:
        payload = json.loads(base64.b64decode(raw.removeprefix("page_"), validate=True))
        if raw.startswith("page_") and payload["e"] == endpoint and int(payload["o"]) >= 0:
            return int(payload["o"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise bad_request("page: The page parameter is not a valid page token for this request.")


def page_slice(items: Sequence[T], page: str | None, limit: int, endpoint: str) -> dict[str, Any]:
    """Slice one page-token page; the caller maps ``data`` to JSON."""
    offset = decode_page(page, endpoint) if page is not None else 0
    data = list(items[offset : offset + limit])
    more = offset + limit < len(items)
    return {
        "data": data,
        "has_more": more,
        "next_page": encode_page(offset + limit, endpoint) if more else None,
    }


def cursor_slice(
    keys: Sequence[K], after: K | None, before: K | None, limit: int | None
) -> tuple[int, int, bool]:
    """Indices ``[start, end)`` of one cursor page over ascending ``keys``, and ``has_more``."""
    if after is not None:
        start = bisect.bisect_right(keys, after)  # type: ignore[call-overload]
        end = len(keys) if limit is None else min(len(keys), start + limit)
        return start, end, end < len(keys)
    if before is not None:
        end = bisect.bisect_left(keys, before)  # type: ignore[call-overload]
        start = 0 if limit is None else max(0, end - limit)
        return start, end, start > 0
    end = len(keys) if limit is None else min(len(keys), limit)
    return 0, end, end < len(keys)


class Desc:
    """Wraps a sort key so that ascending comparison follows descending result order."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: Desc) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)


def ordered_keys(items: Sequence[T], key: Callable[[T], Any], descending: bool) -> list[Any]:
    return [Desc(key(item)) if descending else key(item) for item in items]
