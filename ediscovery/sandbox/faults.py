"""Fault injection: latency, 429 storms, 5xx, dropped connections, corrupted bytes, slow trickle.

Faults are configured with :class:`FaultConfig`: rates (drawn from a seeded RNG, so a run is
reproducible) and targeted :class:`FaultRule` s (a path glob and how many times), which make
tests deterministic. :class:`FaultPlan` is the per-app runtime state (rule counters,
per-object download counts, the RNG).

A dropped connection announces a ``Content-Length``, sends part of the body and then raises
``httpx.RemoteProtocolError``: under uvicorn the connection closes early, so the client sees
an incomplete body; in process through ``httpx.ASGITransport`` the same exception reaches the
client, which sees the transport error its retry logic must handle.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field

REQUEST_KINDS = ("rate_limit", "server_error")
BODY_KINDS = ("drop", "corrupt", "trickle")


@dataclass(frozen=True)
class FaultRule:
    """A targeted fault: ``kind`` on requests whose path matches ``path`` (fnmatch glob).

    ``times`` is how many matching requests get the fault (``None`` = all of them).
    Kinds: ``rate_limit`` (429, ``retry_after`` seconds), ``server_error`` (``status``, with
    ``x-should-retry: false`` when ``should_retry`` is false), ``latency`` (``latency_ms``),
    and the download faults ``drop``, ``corrupt``, ``trickle``.
    """

    kind: str
    path: str = "*"
    times: int | None = 1
    status: int = 500
    should_retry: bool = True
    retry_after: int = 1
    latency_ms: int = 0

    def __post_init__(self) -> None:
        if self.kind not in (*REQUEST_KINDS, *BODY_KINDS, "latency"):
            raise ValueError(f"unknown fault kind {self.kind!r}")


@dataclass(frozen=True)
class FaultConfig:
    """Every fault knob; the defaults inject nothing."""

    latency_ms: int = 0
    rate_limit_rate: float = 0.0
    rate_limit_next: int = 0
    retry_after: int = 1
    error_rate: float = 0.0
    error_no_retry_rate: float = 0.0
    drop_rate: float = 0.0
    corrupt_rate: float = 0.0
    corrupt_first: int = 0
    trickle_chunk: int = 0
    trickle_delay_ms: int = 0
    rules: tuple[FaultRule, ...] = ()


@dataclass(frozen=True)
class RequestFault:
    kind: str
    status: int = 500
    should_retry: bool = True
    retry_after: int = 1


@dataclass
class FaultPlan:
    """Decides, request by request, which configured faults fire."""

    config: FaultConfig
    seed: int = 0
    rng: random.Random = field(init=False)
    remaining: dict[int, int | None] = field(init=False)
    downloads: dict[str, int] = field(default_factory=dict)
    storm_left: int = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"faults:{self.seed}")
        self.remaining = {i: rule.times for i, rule in enumerate(self.config.rules)}
        self.storm_left = self.config.rate_limit_next

    def _fire(self, kinds: tuple[str, ...], path: str) -> FaultRule | None:
        for index, rule in enumerate(self.config.rules):
            left = self.remaining[index]
            if rule.kind in kinds and fnmatch.fnmatchcase(path, rule.path) and (left is None or left > 0):
                if left is not None:
                    self.remaining[index] = left - 1
                return rule
        return None

    def latency_ms(self, path: str) -> int:
        rule = self._fire(("latency",), path)
        return self.config.latency_ms + (rule.latency_ms if rule else 0)

    def request_fault(self, path: str) -> RequestFault | None:
        """A 429 or 5xx to answer instead of the real response, if one fires."""
        rule = self._fire(REQUEST_KINDS, path)
        if rule is not None:
            return RequestFault(rule.kind, rule.status, rule.should_retry, rule.retry_after)
        cfg = self.config
        if self.storm_left > 0:
            self.storm_left -= 1
            return RequestFault("rate_limit", 429, True, cfg.retry_after)
        if cfg.rate_limit_rate and self.rng.random() < cfg.rate_limit_rate:
            return RequestFault("rate_limit", 429, True, cfg.retry_after)
        if cfg.error_rate and self.rng.random() < cfg.error_rate:
            return RequestFault("server_error", 500, True)
        if cfg.error_no_retry_rate and self.rng.random() < cfg.error_no_retry_rate:
            return RequestFault("server_error", 500, False)
        return None

    def body_fault(self, path: str, object_id: str) -> str | None:
        """``drop``, ``corrupt``, ``trickle`` or ``None`` for one download of ``object_id``."""
        count = self.downloads.get(object_id, 0)
        self.downloads[object_id] = count + 1
        rule = self._fire(BODY_KINDS, path)
        if rule is not None:
            return rule.kind
        cfg = self.config
        if count < cfg.corrupt_first:
            return "corrupt"
        if cfg.corrupt_rate and self.rng.random() < cfg.corrupt_rate:
            return "corrupt"
        if cfg.drop_rate and self.rng.random() < cfg.drop_rate:
            return "drop"
        if cfg.trickle_chunk:
            return "trickle"
        return None
