"""Resolution: custodians (emails or ``user_...`` ids) found in the directory of every linked org.

Walks ``/organizations`` and each organization's ``/users`` (every page is kept as a native),
then matches each query case-insensitively against emails and user ids. One person may hold
memberships in several organizations: every matching ``user_...`` id and organization is
kept. An unknown custodian raises :class:`CustodianNotFound` with close matches, before
anything is collected.

This is the collector's seam onto directory resolution; when ``collect.custodians`` offers
the same, this module delegates to it.
"""

from __future__ import annotations

import difflib
from typing import Any

from ediscovery.api.models import DirectoryUser, Organization, parse_items
from ediscovery.collect.plan import Custodian
from ediscovery.collect.run import DirectoryPage, Resolution
from ediscovery.errors import CustodianNotFound

Member = tuple[Organization, DirectoryUser]


async def resolve_directory(client: Any, queries: tuple[str, ...]) -> Resolution:
    """Resolve ``queries`` through ``client`` (a ``ComplianceClient``); see the module docstring."""
    pages: list[DirectoryPage] = []
    orgs: list[Organization] = []
    async for number, page in _numbered(client.organizations()):
        pages.append(DirectoryPage("organizations", (), number, page))
        orgs.extend(parse_items(page, Organization))
    members: list[Member] = []
    for org in orgs:
        async for number, page in _numbered(client.organization_users(org.uuid)):
            pages.append(DirectoryPage("users", (org.uuid,), number, page))
            members.extend((org, user) for user in parse_items(page, DirectoryUser))
    return Resolution(tuple(match(query, members) for query in queries), tuple(pages))


async def _numbered(pages: Any) -> Any:
    number = 0
    async for page in pages:
        number += 1
        yield number, page


def match(query: str, members: list[Member]) -> Custodian:
    """The custodian ``query`` names (email, case-insensitive, or user id)."""
    wanted = query.strip().casefold()
    hits = [
        (org, user) for org, user in members if wanted in (user.id.casefold(), (user.email or "").casefold())
    ]
    if hits:
        email = next((user.email for _, user in hits if user.email), query)
        same = [
            (o, u)
            for o, u in members
            if u.id in {u.id for _, u in hits} or (u.email or "").casefold() == email.casefold()
        ]
        orgs = {o.uuid: o.name or "" for o, _ in same}
        return Custodian(
            query=query,
            email=email.lower(),
            full_name=next((u.full_name for _, u in same if u.full_name), None),
            user_ids=tuple(sorted({u.id for _, u in same})),
            organizations=tuple({"uuid": uuid, "name": name} for uuid, name in sorted(orgs.items())),
        )
    choices = sorted({user.email for _, user in members if user.email})
    raise CustodianNotFound(
        query, difflib.get_close_matches(query.strip().lower(), choices, n=3, cutoff=0.85)
    )
