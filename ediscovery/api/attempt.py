"""Attempts: the facts of one try of a request, its deadline, and why a failed one is final.

An :class:`Attempt` is filled in while it runs (status, request id, bytes so far); its
:class:`Deadline` is the moment its whole answer is due, moved on as bytes arrive; a
:class:`Retry` says a failure may be tried again, after how long and of which kind; a
:class:`Wait` is what the session tells its observer before it pauses. :func:`unfixable`
names the transport failures no retry can cure (a bad URL scheme, DNS, TLS).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ediscovery.api.query import Pairs
from ediscovery.errors import ApiError


@dataclass(frozen=True)
class Wait:
    """One pause before a request is sent again: why, for how long, which attempt comes next."""

    method: str
    path: str
    reason: str
    seconds: float
    attempt: int
    throttled: bool


WaitObserver = Callable[[Wait], None]


class Retry(Exception):
    """An attempt failed in a way the retry table allows to try again."""

    def __init__(self, error: ApiError, delay: float, kind: str = "failure") -> None:
        super().__init__(str(error))
        self.error = error
        self.delay = delay
        self.kind = kind  # failure | timeout | throttled


class Deadline:
    """The moment an attempt's whole answer is due, moved on as its bytes arrive."""

    def __init__(self, scope: asyncio.Timeout, timeout: float, min_rate: float) -> None:
        self._scope = scope
        self._start = asyncio.get_running_loop().time()
        self._timeout = timeout
        self._min_rate = min_rate
        scope.reschedule(self._start + timeout)

    def received(self, size: int) -> None:
        self._scope.reschedule(self._start + self._timeout + size / self._min_rate)


@dataclass
class Attempt:
    """Mutable facts about one attempt, filled in while it runs."""

    method: str
    path: str
    query: Pairs
    url: str
    number: int
    list_endpoint: bool
    status: int | None = None
    request_id: str | None = None
    bytes: int = 0
    deadline: Deadline | None = None
    started: float = 0.0  # the client's clock when the request left

    def received(self) -> None:
        if self.deadline is not None:
            self.deadline.received(self.bytes)


def chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def root_cause(exc: BaseException) -> BaseException:
    return chain(exc)[-1]


def unfixable(exc: BaseException) -> str | None:
    """Why a transport error cannot succeed when sent again (a bad URL, DNS, TLS), or None."""
    for link in chain(exc):
        if isinstance(link, httpx.UnsupportedProtocol):
            return "the API URL must start with https:// (or http:// for a local sandbox)"
        if isinstance(link, socket.gaierror):
            return "the API host name cannot be resolved (DNS)"
        if isinstance(link, ssl.SSLError):
            reason = getattr(link, "reason", None) or type(link).__name__
            return (
                f"TLS failed ({reason}): is the URL https:// for a server that speaks plain http, or "
                "is its certificate not trusted?"
            )
    return None
