"""When to try an HTTP request again, and how long to wait first.

The Compliance API's retry table: 429 waits ``retry-after`` (else backs off), counted apart
from other failures; a timed-out attempt is tried at most ``max_timeouts`` times; 500 is retried
unless ``x-should-retry: false``; 502/503/504/529 back off exponentially with full jitter,
from 1 s doubling to 60 s; connection errors, timeouts and truncated bodies are retried;
every other status is final. Randomness is injected so tests are exact.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts with full-jitter exponential backoff."""

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    max_timeouts: int = 3
    max_throttled: int = 100

    def limit(self, kind: str) -> int:
        """Attempts of one request that may end in ``kind`` (``failure``, ``timeout`` or
        ``throttled``) before it is given up: a 429 is flow control and does not use up the
        failures' attempts, and a server that does not answer is not waited for eight times."""
        if kind == "throttled":
            return self.max_throttled
        if kind == "timeout":
            return min(self.max_timeouts, self.max_attempts)
        return self.max_attempts

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1``: uniform in [0, min(max, base * 2**(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(attempt - 1, 0))
        return self.rng.uniform(0.0, ceiling)

    def should_retry_status(self, status: int, headers: Mapping[str, str]) -> bool:
        """Whether an error status may succeed if sent again."""
        if status not in RETRYABLE_STATUSES:
            return False
        return headers.get("x-should-retry", "").strip().lower() != "false"

    def delay_for(self, status: int | None, headers: Mapping[str, str], attempt: int) -> float:
        """How long to wait after a failed attempt (``retry-after`` wins on 429)."""
        if status == 429:
            retry_after = parse_retry_after(headers.get("retry-after"))
            if retry_after is not None:
                return retry_after
        return self.backoff(attempt)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``retry-after`` header (delta-seconds); None when absent or unusable.

    Capped at an hour; the session stops a run that is asked to wait longer than it will."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, 3600.0)
