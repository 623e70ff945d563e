"""The Activity Feed: ``GET /v1/compliance/activities`` with every documented filter.

Newest first by default (``order=asc`` available), ties broken by activity id; cursors are
activity ids (``after_id`` moves forward in result order). ``actor_ids[]`` and ``user_ids[]``
are merged. Combining ``activity_types[]`` with ``exclude_activity_types[]`` is a 400 (text
UNCONFIRMED). A well-formed activity id that is not in the log is a 400 in the Aug wording.

Indexing lag (§3, "queryable within 1 minute"): an activity becomes visible once the app's
clock has passed its ``created_at`` by the app's ``indexing_lag_seconds`` (60 by default), so
the ``compliance_api_accessed`` record of a call shows up a minute later, not at once.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.activity_log import ActivityQuery
from ediscovery.sandbox.activity_types import ACTIVITY_TYPES
from ediscovery.sandbox.chats import one_cursor, org_uuids
from ediscovery.sandbox.model import Activity
from ediscovery.sandbox.pagination import cursor_slice, ordered_keys
from ediscovery.sandbox.params import Params, range_names
from ediscovery.sandbox.problems import bad_request
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.tenant import Tenant
from ediscovery.sandbox.wire import JSONResponse

PARAMS = (
    "activity_types[]",
    "exclude_activity_types[]",
    "actor_ids[]",
    "user_ids[]",
    "organization_ids[]",
    *range_names("created_at"),
    "order",
    "after_id",
    "before_id",
    "limit",
)
_ACTIVITY_ID = re.compile(r"^activity_[A-Za-z0-9]{1,64}$")


def _types(params: Params, name: str) -> frozenset[str]:
    values = params.many(name)
    for index, value in enumerate(values):
        if value not in ACTIVITY_TYPES:
            raise bad_request(f"{name}.{index}: Input is not one of the permitted values.")
    return frozenset(values)


def _query(tenant: Tenant, params: Params, indexed_until: datetime) -> ActivityQuery:
    include = _types(params, "activity_types[]")
    exclude = _types(params, "exclude_activity_types[]")
    if include and exclude:
        raise bad_request("activity_types[]: Cannot be combined with exclude_activity_types[].")
    actors = params.many("actor_ids[]") + params.many("user_ids[]")
    orgs = org_uuids(tenant, params.many("organization_ids[]"))
    bounds = params.time_range("created_at")
    return ActivityQuery(
        types=include or None,
        exclude_types=exclude,
        actor_ids=frozenset(actors) if actors else None,
        org_uuids=frozenset(orgs) if orgs is not None else None,
        gte=bounds.get("gte"),
        gt=bounds.get("gt"),
        lte=bounds.get("lte"),
        lt=bounds.get("lt"),
        indexed_until=indexed_until,
    )


def _cursor(tenant: Tenant, raw: str, param: str, descending: bool) -> Any:
    if not _ACTIVITY_ID.match(raw):
        raise bad_request(f"Invalid activity_id format: '{raw}'")
    found = tenant.activities.get(raw)
    if found is None:
        raise bad_request(f'Invalid `{param}`. No activity found for `{param}` "{raw}"')
    return ordered_keys([found], lambda a: (a.created_at, a.id), descending)[0]


def activity_json(tenant: Tenant, item: Activity) -> dict[str, Any]:
    return wire.activity(item, tenant.orgs.get(item.org_uuid) if item.org_uuid else None)


async def list_activities(call: Call) -> Response:
    tenant = call.tenant
    params = call.params(PARAMS)
    limit = params.limit(100, 5000)
    descending = params.choice("order", ("asc", "desc"), "desc") == "desc"
    after, before = one_cursor(params)
    query = _query(tenant, params, call.clock() - call.indexing_lag)
    after_key = _cursor(tenant, after, "after_id", descending) if after else None
    before_key = _cursor(tenant, before, "before_id", descending) if before else None
    items = tenant.activities.select(query)
    if descending:
        items.reverse()
    keys = ordered_keys(items, lambda a: (a.created_at, a.id), descending)
    start, end, more = cursor_slice(keys, after_key, before_key, limit)
    page = items[start:end]
    return JSONResponse(
        {
            "data": [activity_json(tenant, a) for a in page],
            "has_more": more,
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
        }
    )


ENDPOINTS: list[Endpoint] = [endpoint("GET", "activities", "activities", list_activities)]
