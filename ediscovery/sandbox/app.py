"""The ASGI application: one request pipeline in the documented order, then the endpoint.

Order (§15.1): request id → added latency → authentication (no key or a foreign key type →
404 ``Not found``; unknown or deactivated ``sk-ant-api01-``/``sk-ant-admin01-`` key → 401,
consuming no quota) → route match (unknown path → 404 ``Not found``) → API enabled (400) →
rate budget (429; every authenticated response carries the three ratelimit headers) →
scope (403, which consumes quota) → injected request faults (429/5xx) → validation and the
endpoint's own 400/404/409. Every authenticated call records a ``compliance_api_accessed``
activity (actor ``api_actor`` with the key's ``apikey_...`` id). An ``anthropic-version``
that is empty or not a known version is a 400 after authentication (a missing header is
accepted: production refuses it on some endpoints only). Keys travel only in ``x-api-key``; ``Authorization:
Bearer`` alone counts as no key (UNCONFIRMED).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ediscovery.sandbox import chats, code, directory, downloads, feed, projects, sessions
from ediscovery.sandbox.actors import api_actor
from ediscovery.sandbox.faults import FaultConfig, FaultPlan
from ediscovery.sandbox.ids import IdFactory
from ediscovery.sandbox.model import Activity, ApiKey
from ediscovery.sandbox.problems import RATE_LIMIT_MESSAGE, ApiProblem, not_found
from ediscovery.sandbox.ratelimit import Decision, TokenBucket
from ediscovery.sandbox.routing import SCOPES, Call, Endpoint, match
from ediscovery.sandbox.tenant import Tenant
from ediscovery.sandbox.wire import JSONResponse

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
ENDPOINTS: list[Endpoint] = [
    *directory.ENDPOINTS,
    *chats.ENDPOINTS,
    *downloads.ENDPOINTS,
    *projects.ENDPOINTS,
    *feed.ENDPOINTS,
    *code.ENDPOINTS,
    *sessions.ENDPOINTS,
]
REMOTE_SESSIONS = "/v1/compliance/apps/sessions/remote"
KEY_PREFIXES = ("sk-ant-api01-", "sk-ant-admin01-")
API_VERSIONS = frozenset({"2023-06-01", "2026-10-21"})
"""The ``anthropic-version`` values production is known to accept."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    """Runs one request through the documented checks; holds the per-app mutable state."""

    def __init__(
        self,
        tenant: Tenant,
        faults: FaultConfig,
        clock: Clock,
        rng_seed: int,
        rate_limit: int,
        sleep: Sleep,
        indexing_lag: timedelta = timedelta(seconds=60),
        remote_rate_limit: int = 120,
        rate_burst: int | None = None,
    ) -> None:
        self.tenant = tenant
        self.indexing_lag = indexing_lag
        self.clock = clock
        self.sleep = sleep
        self.plan = FaultPlan(faults, seed=rng_seed)
        self.bucket = TokenBucket(rate_limit, clock, rate_burst)
        self.remote_bucket = TokenBucket(remote_rate_limit, clock)  # the remote sessions' own budget
        self.ids = IdFactory(f"requests:{rng_seed}")

    async def handle(self, request: Request) -> Response:
        request_id = self.ids.request_id()
        key: ApiKey | None = None
        decision: Decision | None = None
        try:
            latency = self.plan.latency_ms(request.url.path)
            if latency:
                await self.sleep(latency / 1000)
            key = self._authenticate(request)
            _check_version(request)
            response, decision = await self._dispatch(request, key)
        except ApiProblem as problem:
            response = JSONResponse(problem.body(request_id), problem.status, headers=problem.headers)
            decision = decision or getattr(problem, "decision", None)
        response.headers["request-id"] = request_id
        if decision is not None:
            response.headers.update(decision.headers())
        if key is not None:
            self._record(request, key, request_id, response.status_code)
        return response

    def _authenticate(self, request: Request) -> ApiKey:
        secret = request.headers.get("x-api-key", "")
        if not secret.startswith(KEY_PREFIXES):
            raise not_found()
        key = self.tenant.keys.get(secret)
        if key is None:
            raise ApiProblem(401, "API key is invalid.")
        if not key.active:
            raise ApiProblem(401, "API key has been deactivated.")
        return key

    async def _dispatch(self, request: Request, key: ApiKey) -> tuple[Response, Decision]:
        found = match(ENDPOINTS, request.method, request.url.path)
        if found is None:
            raise not_found()
        target, args = found
        if not self.tenant.api_enabled:
            raise ApiProblem(400, "Compliance API is not enabled for this organization")
        if any(request.url.path.startswith(f"/v1/compliance/{prefix}") for prefix in self.tenant.disabled):
            raise not_found()  # an endpoint family the tenant does not have (beta)
        decision = self.bucket.take()
        try:
            self._admit(request, key, target, decision)
            if request.url.path.startswith(REMOTE_SESSIONS) and not self.remote_bucket.take().allowed:
                raise sessions.remote_throttled()
            call = Call(self.tenant, request, args, key, self.clock, self.plan, self.sleep, self.indexing_lag)
            return await target.handler(call), decision
        except ApiProblem as problem:
            problem.decision = decision  # type: ignore[attr-defined]
            raise

    def _admit(self, request: Request, key: ApiKey, target: Endpoint, decision: Decision) -> None:
        if not decision.allowed:
            message = RATE_LIMIT_MESSAGE.format(limit=decision.limit)
            raise ApiProblem(429, message, headers={"retry-after": str(decision.retry_after)})
        needed = SCOPES[target.scope]
        if not set(needed) & set(key.scopes):
            wording = "Needed:" if target.scope == "delete" else "Needed one of:"
            raise ApiProblem(
                403, f"Missing required scopes. Got: {list(key.scopes)} {wording} {list(needed)}"
            )
        fault = self.plan.request_fault(request.url.path)
        if fault is None:
            return
        if fault.kind == "rate_limit":
            message = RATE_LIMIT_MESSAGE.format(limit=decision.limit)
            raise ApiProblem(429, message, headers={"retry-after": str(fault.retry_after)})
        headers = {} if fault.should_retry else {"x-should-retry": "false"}
        raise ApiProblem(fault.status, "Internal server error", headers=headers)

    def _record(self, request: Request, key: ApiKey, request_id: str, status: int) -> None:
        host = request.client.host if request.client else None
        actor = api_actor(key.key_id, host, request.headers.get("user-agent"))
        fields = {
            "request_id": request_id,
            "request_method": request.method,
            "status_code": status,
            "url": str(request.url),
            "request_body": None,
        }
        activity_id = self.ids.tagged("activity_")
        self.tenant.activities.add(
            Activity(activity_id, self.clock(), None, "compliance_api_accessed", actor, fields)
        )


def _check_version(request: Request) -> None:
    version = request.headers.get("anthropic-version")
    if version is not None and version.strip() not in API_VERSIONS:
        raise ApiProblem(400, f"anthropic-version: {version!r} is not a valid version.")


def create_app(
    tenant: Tenant,
    *,
    faults: FaultConfig | None = None,
    clock: Clock | None = None,
    rng_seed: int = 0,
    rate_limit: int = 600,
    sleep: Sleep | None = None,
    indexing_lag_seconds: float = 60,
    remote_rate_limit: int = 120,
    rate_burst: int | None = None,
) -> Starlette:
    """The simulated Compliance API over ``tenant`` as a Starlette app.

    ``remote_rate_limit`` is the remote session endpoints' own budget per minute (their 429 says
    ``retry-after: 1``); ``rate_burst`` is how many requests the shared budget lets through at
    once (``rate_limit`` by default; one plays a server that admits a strict rate). ``clock``
    drives the rate budget, recorded activities and the feed's indexing lag (an activity shows
    ``indexing_lag_seconds`` after its ``created_at``); ``sleep`` is awaited for added latency
    and trickled bodies (both default to the real ones); ``rng_seed`` seeds request ids and
    rate-based faults.
    """
    lag = timedelta(seconds=indexing_lag_seconds)
    pipeline = Pipeline(tenant, faults or FaultConfig(), clock or _utc_now, rng_seed, rate_limit,
                        sleep or asyncio.sleep, lag, remote_rate_limit, rate_burst)  # fmt: skip
    methods = ["GET", "DELETE", "POST", "PUT", "PATCH"]

    async def entry(request: Request) -> Response:
        return await pipeline.handle(request)

    app = Starlette(routes=[Route("/{path:path}", entry, methods=methods)])
    app.state.pipeline = pipeline
    return app
