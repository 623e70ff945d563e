"""Directory endpoints: organizations, organization users, roles, permissions, groups, members.

All page-token paginated. The organizations list shows the linked organizations (claude.ai
and Console) but not the parent itself (UNCONFIRMED). Roles, permissions, groups and members
are sorted by ``created_at`` then id (their order is UNCONFIRMED).
"""

from __future__ import annotations

from starlette.responses import Response

from ediscovery.sandbox import wire
from ediscovery.sandbox.model import Organization
from ediscovery.sandbox.pagination import page_slice
from ediscovery.sandbox.problems import not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.wire import JSONResponse

PAGE = ("page", "limit")


def _org(call: Call) -> Organization:
    org_uuid = call.args["org_uuid"]
    org = call.tenant.orgs.get(org_uuid)
    if org is None:
        raise not_found(
            f'The "{org_uuid}" organization does not exist or the requester is not authorized to access it.'
        )
    return org


async def list_organizations(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(1000, 1000) or 1000
    orgs = sorted(call.tenant.orgs.values(), key=lambda o: (o.created_at, o.uuid))
    page = page_slice(orgs, params.one("page"), limit, "orgs")
    page["data"] = [wire.organization(o) for o in page["data"]]
    return JSONResponse(page)


async def get_settings(call: Call) -> Response:
    """Effective settings of a linked organization; an unknown, non-UUID or parent id, or the
    endpoint not enabled for the tenant, all answer the same 404."""
    call.params(())
    tenant = call.tenant
    org = tenant.orgs.get(call.args["org_uuid"])
    if org is None or not tenant.settings_enabled:
        raise not_found()
    keys = [wire.api_key(key, tenant.parent.created_at) for key in tenant.keys.values()]
    return JSONResponse(
        {
            "type": "effective_organization_settings",
            "organization_id": org.uuid,
            "settings": tenant.settings.get(org.uuid, []),
            "api_keys": keys,
        }
    )


async def list_users(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(500, 1000) or 500
    org = _org(call)
    members = [
        (m.joined_at, u.id, u)
        for u in call.tenant.users.values()
        for m in u.memberships
        if m.org_uuid == org.uuid
    ]
    members.sort(key=lambda row: (row[0], row[1]))
    page = page_slice(members, params.one("page"), limit, f"users:{org.uuid}")
    page["data"] = [wire.org_user(row[2], org.uuid) for row in page["data"]]
    return JSONResponse(page)


async def list_roles(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(500, 1000) or 500
    org = _org(call)
    roles = sorted(
        (r for r in call.tenant.roles.values() if r.org_uuid == org.uuid), key=lambda r: (r.created_at, r.id)
    )
    page = page_slice(roles, params.one("page"), limit, f"roles:{org.uuid}")
    page["data"] = [wire.role(r) for r in page["data"]]
    return JSONResponse(page)


def _role(call: Call) -> tuple[Organization, str]:
    org = _org(call)
    role = call.tenant.roles.get(call.args["role_id"])
    if role is None or role.org_uuid != org.uuid:
        raise not_found("Role not found.")
    return org, role.id


async def get_role(call: Call) -> Response:
    call.params(())
    _, role_id = _role(call)
    return JSONResponse(wire.role(call.tenant.roles[role_id]))


async def list_permissions(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(500, 1000) or 500
    _, role_id = _role(call)
    perms = call.tenant.roles[role_id].permissions
    page = page_slice(perms, params.one("page"), limit, f"perms:{role_id}")
    page["data"] = [wire.permission(p) for p in page["data"]]
    return JSONResponse(page)


async def list_groups(call: Call) -> Response:
    params = call.params((*PAGE, "name_prefix"))
    limit = params.limit(500, 1000) or 500
    prefix = params.one("name_prefix") or ""
    groups = sorted(
        (g for g in call.tenant.groups.values() if g.name.startswith(prefix)),
        key=lambda g: (g.created_at, g.id),
    )
    page = page_slice(groups, params.one("page"), limit, f"groups:{prefix}")
    page["data"] = [wire.group(g) for g in page["data"]]
    return JSONResponse(page)


async def get_group(call: Call) -> Response:
    call.params(())
    group = call.tenant.groups.get(call.args["group_id"])
    if group is None:
        raise not_found("Group not found.")
    return JSONResponse(wire.group(group))


async def list_members(call: Call) -> Response:
    params = call.params(PAGE)
    limit = params.limit(500, 1000) or 500
    group = call.tenant.groups.get(call.args["group_id"])
    if group is None:
        raise not_found("Group not found.")
    members = sorted(group.members, key=lambda m: (m.created_at, m.user_id))
    page = page_slice(members, params.one("page"), limit, f"members:{group.id}")
    page["data"] = [wire.group_member(m, call.tenant.users.get(m.user_id)) for m in page["data"]]
    return JSONResponse(page)


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "organizations", "org", list_organizations),
    endpoint("GET", "organizations/{org_uuid}/users", "user", list_users),
    endpoint("GET", "organizations/{org_uuid}/settings", "org", get_settings),
    endpoint("GET", "organizations/{org_uuid}/roles", "org", list_roles),
    endpoint("GET", "organizations/{org_uuid}/roles/{role_id}", "org", get_role),
    endpoint("GET", "organizations/{org_uuid}/roles/{role_id}/permissions", "org", list_permissions),
    endpoint("GET", "groups", "org", list_groups),
    endpoint("GET", "groups/{group_id}", "org", get_group),
    endpoint("GET", "groups/{group_id}/members", "user", list_members),
]
