"""The shared request budget: a token bucket of ``limit`` requests per minute on an injected clock.

One bucket per tenant (the parent organization), shared by all keys and endpoints. The
reference leaves fixed-window versus leaky/sliding UNCONFIRMED; a token bucket refilled
continuously (``limit`` per 60 s, burst ``limit``) is the closest to the "leaky bucket" a
vendor describes; a smaller burst, down to one request, plays a stricter server. Requests
that fail authentication never reach it; scope failures do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: datetime
    retry_after: int

    def headers(self) -> dict[str, str]:
        return {
            "anthropic-ratelimit-requests-limit": str(self.limit),
            "anthropic-ratelimit-requests-remaining": str(self.remaining),
            "anthropic-ratelimit-requests-reset": self.reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


class TokenBucket:
    """Room for ``burst`` tokens (``limit`` by default), refilled at ``limit / 60`` per second of
    the injected clock. A ``burst`` of one is a strict rate: requests are admitted one every
    ``60 / limit`` seconds, and none may be saved up during a pause."""

    def __init__(self, limit: int, clock: Callable[[], datetime], burst: int | None = None) -> None:
        self.limit = limit
        self.capacity = float(max(1, min(burst or limit, limit)))
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()

    def take(self) -> Decision:
        now = self._clock()
        rate = self.limit / 60.0
        elapsed = max(0.0, (now - self._stamp).total_seconds())
        self._tokens = min(self.capacity, self._tokens + elapsed * rate)
        self._stamp = now
        allowed = self._tokens >= 1.0
        if allowed:
            self._tokens -= 1.0
        retry_after = 0 if allowed else max(1, math.ceil((1.0 - self._tokens) / rate))
        full_in = (self.capacity - self._tokens) / rate
        reset = (now + timedelta(seconds=math.ceil(full_in))).astimezone(UTC)
        return Decision(allowed, self.limit, int(self._tokens), reset, retry_after)
