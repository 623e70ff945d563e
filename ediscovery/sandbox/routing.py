"""The route table of the simulated API and the per-request context handlers receive."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from ediscovery.sandbox.faults import FaultPlan
from ediscovery.sandbox.model import ApiKey
from ediscovery.sandbox.params import Params
from ediscovery.sandbox.tenant import Tenant

SCOPES = {
    "activities": ("read:compliance_activities", "read:org_audit"),
    "user": ("read:compliance_user_data", "read:org_audit"),
    "org": ("read:compliance_org_data", "read:org_audit"),
    "delete": ("delete:compliance_user_data",),
}


@dataclass
class Call:
    """What a handler needs: the tenant, the request, path arguments, the key, clock and faults.

    ``indexing_lag`` is how long a new activity takes to become visible in the Activity Feed.
    """

    tenant: Tenant
    request: Request
    args: dict[str, str]
    key: ApiKey
    clock: Callable[[], datetime]
    plan: FaultPlan
    sleep: Callable[[float], Awaitable[None]]
    indexing_lag: timedelta = timedelta(seconds=60)

    def params(self, accepted: Iterable[str]) -> Params:
        return Params(self.request.query_params.multi_items(), accepted)


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: re.Pattern[str]
    scope: str
    handler: Handler


def endpoint(method: str, template: str, scope: str, handler: Handler) -> Endpoint:
    """``template`` uses ``{name}`` for one path segment."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Endpoint(method, re.compile(f"^/v1/compliance/{regex}$"), scope, handler)


def match(endpoints: list[Endpoint], method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    for item in endpoints:
        found = item.pattern.match(path)
        if found and item.method == method:
            return item, found.groupdict()
    return None
