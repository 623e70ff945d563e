"""What one HTTP exchange produced: the raw bytes (the evidence), where they came from, and when.

``ApiResponse`` is a JSON answer, ``DownloadResult`` a streamed download, ``RequestRecord``
one attempt as logged to ``requests.jsonl``. None of them holds a header that could carry
the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

# Response headers worth keeping; everything else (and every request header) is dropped.
SAFE_HEADERS = (
    "content-type",
    "content-length",
    "content-md5",
    "content-disposition",
    "request-id",
    "anthropic-ratelimit-requests-limit",
    "anthropic-ratelimit-requests-remaining",
    "anthropic-ratelimit-requests-reset",
    "retry-after",
    "x-should-retry",
)


def safe_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The subset of ``headers`` in :data:`SAFE_HEADERS`, names lower-cased."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return {name: lowered[name] for name in SAFE_HEADERS if name in lowered}


@dataclass(frozen=True)
class ApiResponse:
    """One successful JSON response: the bytes as received plus their provenance."""

    raw: bytes
    request_id: str | None
    status: int
    url: str
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    data: Any
    retrieved_at: datetime

    @property
    def endpoint(self) -> str:
        """``GET /path?query`` as recorded in manifest entries."""
        qs = urlencode(self.query, safe="[].-")
        return f"{self.method} {self.path}" + (f"?{qs}" if qs else "")

    def items(self) -> list[Any]:
        """The ``data`` list of a list envelope (empty when absent)."""
        if isinstance(self.data, Mapping):
            value = self.data.get("data")
            if isinstance(value, list):
                return value
        return []


@dataclass(frozen=True)
class DownloadResult:
    """A streamed download: sizes and digests computed while the bytes went to the sink."""

    size: int
    md5: str
    sha256: str
    sha512: str
    content_md5: str | None
    md5_matched: bool | None
    filename: str | None
    content_type: str | None
    request_id: str | None
    url: str
    retrieved_at: datetime


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP attempt, for ``requests.jsonl``. Never headers, never the key."""

    at: datetime
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int | None
    request_id: str | None
    attempt: int
    bytes: int
    duration_ms: int
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (timestamps as ``...Z``)."""
        return {
            "at": self.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "status": self.status,
            "request_id": self.request_id,
            "attempt": self.attempt,
            "bytes": self.bytes,
            "duration_ms": self.duration_ms,
            "error": self.error,
        }
