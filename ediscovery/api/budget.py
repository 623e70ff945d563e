"""The request budget shared by every concurrent task of one client.

A token bucket refilled at ``(max_rpm - burst) / 60`` tokens per second with room for
``burst`` tokens, so that *any* 60-second window holds at most ``max_rpm`` requests — the
server counts 600 per minute per parent organization, whatever window it uses. The budget
also listens to the server: when ``anthropic-ratelimit-requests-remaining`` runs low it
spreads the remaining requests evenly until ``-reset``, and at none left it waits for the
reset -- unless the reset is due within about a second, as on a server that admits a strict
rate and saves nothing up (it answers "none left" after every request): there requests leave
:data:`STRICT_MARGIN` times the budget's interval apart, and an answer slower than the fastest
one so far may have been admitted that much late, so the next request leaves no sooner than
an interval after the latest the server can have admitted it. A 429's ``retry-after`` pauses
every task, not only the one that received it.

The server's window algorithm is not documented, so the default burst is one: requests leave
evenly spaced, never several at once after a pause. A 429 is flow control: it pauses every
task for ``retry-after`` and lowers the rate by a quarter; each answered request raises it
back by a fiftieth of the budget (additive increase, multiplicative decrease), so a server
stricter than the budget is met at its own pace instead of with a storm of 429s.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_EPSILON = 1e-6
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


REFILL_HORIZON = 1.0
"""Seconds: a server whose budget is back within one request interval and this much (its reset
timestamps are whole seconds) admits a strict rate rather than a saved-up burst."""
ANSWER_WINDOW = 64
"""How many recent answers the fastest answer time is taken from (so it follows the network)."""
STRICT_MARGIN = 1.05
"""Against a strict rate, requests leave this much further apart than the limit allows, so the
jitter of the way to the server does not make one arrive early (the 429 costs a second)."""


@dataclass(frozen=True)
class ServerQuota:
    """What the server said about its own budget on one response."""

    remaining: int
    reset_in: float  # seconds until the server's window resets (>= 0)


class RequestBudget:
    """A token bucket with server feedback; ``await acquire()`` before every HTTP attempt."""

    def __init__(
        self,
        max_rpm: int = 500,
        *,
        burst: int = 1,
        low_water: int = 20,
        clock: Clock,
        sleep: Sleep,
    ) -> None:
        if max_rpm < 1:
            raise ValueError("max_rpm must be at least 1")
        self.max_rpm = max_rpm
        self.burst = max(1, min(burst, max_rpm // 2 or 1))
        self.max_rate = max(max_rpm - self.burst, 1) / 60.0  # tokens per second
        self.rate = self.max_rate
        self.throttles = 0
        self.low_water = low_water
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._tokens = float(self.burst)
        self._updated = clock()
        self._not_before = 0.0
        self._pace_until = 0.0
        self._pace_interval = 0.0
        self._last_grant = float("-inf")
        self._answers: collections.deque[float] = collections.deque(maxlen=ANSWER_WINDOW)

    async def acquire(self) -> None:
        """Wait until one request may be sent, then take its token."""
        async with self._lock:
            while True:
                wait = self._wait_needed(self._clock())
                if wait <= _EPSILON:  # float rounding must not spin forever
                    break
                await self._sleep(wait)
            self._tokens -= 1.0
            self._last_grant = self._clock()

    def _wait_needed(self, now: float) -> float:
        self._refill(now)
        waits = [self._not_before - now]
        if self._tokens < 1.0:
            waits.append((1.0 - self._tokens) / self.rate)
        if now < self._pace_until:
            waits.append(self._last_grant + self._pace_interval - now)
        return max(waits)

    def _refill(self, now: float) -> None:
        elapsed = max(now - self._updated, 0.0)
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate)
        self._updated = now

    def pause(self, seconds: float) -> None:
        """Hold every task for ``seconds`` (a 429's ``retry-after``)."""
        self._not_before = max(self._not_before, self._clock() + max(seconds, 0.0))

    def throttled(self, seconds: float) -> None:
        """The server answered 429: pause every task and slow down by a quarter."""
        self.throttles += 1
        self.pause(seconds)
        self._refill(self._clock())
        self.rate = max(self.rate * 0.75, 1 / 60.0)

    def succeeded(self) -> None:
        """The server answered: win back a little of the rate a 429 took."""
        if self.rate < self.max_rate:
            self.rate = min(self.max_rate, self.rate + self.max_rate / 50)

    def observe(self, quota: ServerQuota, answered_in: float | None = None) -> None:
        """Slow down when the server reports few requests left in its window (see the module
        docstring); ``answered_in`` is the seconds from sending the request to its answer."""
        now = self._clock()
        if answered_in is not None:
            self._answers.append(max(answered_in, 0.0))
        if quota.remaining <= 0:
            if quota.reset_in <= REFILL_HORIZON + 60.0 / self.max_rpm:
                # a strict rate: no saved-up request absorbs one sent a little early
                self._pace_interval = STRICT_MARGIN * 60.0 / self.max_rpm
                self._pace_until = now + REFILL_HORIZON
                if answered_in is not None:  # admitted at the latest at now - fastest (+ the way there)
                    self._not_before = max(self._not_before, now - min(self._answers) + 60.0 / self.max_rpm)
                return
            self._not_before = max(self._not_before, now + quota.reset_in)
            logger.debug("server budget exhausted; pausing %.1fs", quota.reset_in)
        elif quota.remaining <= self.low_water and quota.reset_in > 0:
            self._pace_interval = quota.reset_in / quota.remaining
            self._pace_until = now + quota.reset_in
        elif now >= self._pace_until:
            self._pace_interval = 0.0
