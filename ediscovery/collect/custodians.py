"""The custodian directory: every person across every linked organization, and how to find one.

The directory is loaded from ``organizations`` then each organization's ``users``. One person
may appear in several organizations (same ``user_...`` id, or the same email in another
case); those rows are merged into one :class:`DirectoryPerson`. :func:`resolve` finds the
person a custodian query names (email, case-insensitive, or user id) and otherwise raises
``CustodianNotFound`` with close matches.

:func:`resolve_custodians` is the collector's resolution: every query resolved (all of them
checked before anything is collected) plus the numbered directory pages it relied on, which
the run keeps as natives. The users list shows current members only, while the feeds keep a
removed user's history under the same id; so a ``user_...`` id found in no organization is
a *departed* custodian (:func:`departed_custodian`), collected by that id alone. An unknown
email stays an error: without the directory it names no one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from ediscovery.api import ApiResponse, ComplianceClient, DirectoryUser, Organization, parse_items
from ediscovery.collect.plan import Custodian
from ediscovery.errors import CustodianNotFound
from ediscovery.evidence.kinds import Kind

USER_ID = re.compile(r"user_[A-Za-z0-9]{1,123}")
"""What a ``user_...`` id looks like; only such a query may name a departed custodian."""


@dataclass(frozen=True)
class OrgRef:
    uuid: str
    name: str | None


@dataclass(frozen=True)
class DirectoryPerson:
    """One human, possibly a member of several organizations under several user ids."""

    email: str
    full_name: str | None
    user_ids: tuple[str, ...]
    organizations: tuple[OrgRef, ...]


@dataclass(frozen=True)
class DirectoryPage:
    """One directory response: ``organizations`` (no ids) or ``users`` of one org, page 1, 2, …"""

    kind: str
    ids: tuple[str, ...]
    page: int
    response: ApiResponse


@dataclass(frozen=True)
class Directory:
    """Everyone in the tenant, sorted by email; plus the raw pages it was built from."""

    people: tuple[DirectoryPerson, ...]
    organizations: tuple[OrgRef, ...]
    pages: tuple[DirectoryPage, ...] = ()


@dataclass(frozen=True)
class Resolution:
    """Custodians as resolved, and the directory pages the resolution relied on."""

    custodians: tuple[Custodian, ...]
    pages: tuple[DirectoryPage, ...] = ()


async def load_directory(client: ComplianceClient) -> Directory:
    """Fetch organizations and their users and merge the people."""
    pages: list[DirectoryPage] = []
    orgs: list[OrgRef] = []
    async for number, page in _numbered(client.organizations()):
        pages.append(DirectoryPage(Kind.ORGANIZATIONS, (), number, page))
        orgs.extend(OrgRef(o.uuid, o.name) for o in parse_items(page, Organization))
    members: list[tuple[OrgRef, DirectoryUser]] = []
    for org in orgs:
        async for number, page in _numbered(client.organization_users(org.uuid)):
            pages.append(DirectoryPage(Kind.USERS, (org.uuid,), number, page))
            members.extend((org, user) for user in parse_items(page, DirectoryUser))
    return Directory(merge_people(members), tuple(orgs), tuple(pages))


async def resolve_custodians(client: ComplianceClient, queries: tuple[str, ...]) -> Resolution:
    """Every custodian ``queries`` names, or CustodianNotFound for the first unknown one."""
    directory = await load_directory(client)
    return Resolution(tuple(_custodian(directory, query) for query in queries), directory.pages)


def _custodian(directory: Directory, query: str) -> Custodian:
    try:
        return as_custodian(query, resolve(directory, query))
    except CustodianNotFound:
        if USER_ID.fullmatch(query.strip()):
            return departed_custodian(query)
        raise


def departed_custodian(query: str) -> Custodian:
    """A ``user_...`` id in no organization's directory: no email, no name, no organization."""
    return Custodian(query=query, email=None, full_name=None, user_ids=(query.strip(),))


def as_custodian(query: str, person: DirectoryPerson) -> Custodian:
    """The collection's view of a person: email lower-cased, organizations by uuid."""
    orgs = sorted(person.organizations, key=lambda o: o.uuid)
    return Custodian(
        query=query,
        email=person.email.lower() if person.email else query.strip().lower(),
        full_name=person.full_name,
        user_ids=person.user_ids,
        organizations=tuple({"uuid": o.uuid, "name": o.name or ""} for o in orgs),
    )


async def _numbered(pages: AsyncIterator[ApiResponse]) -> AsyncIterator[tuple[int, ApiResponse]]:
    number = 0
    async for page in pages:
        number += 1
        yield number, page


def merge_people(members: Iterable[tuple[OrgRef, DirectoryUser]]) -> tuple[DirectoryPerson, ...]:
    """Group rows sharing a user id or a case-insensitive email into one person each."""
    rows = list(members)
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[str, int] = {}
    for index, (_, user) in enumerate(rows):
        for key in (f"id:{user.id}", f"email:{(user.email or '').casefold()}" if user.email else None):
            if key is None:
                continue
            if key in first_by_key:
                parent[find(index)] = find(first_by_key[key])
            else:
                first_by_key[key] = index
    groups: dict[int, list[tuple[OrgRef, DirectoryUser]]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(find(index), []).append(row)
    people = [_person(group) for group in groups.values()]
    return tuple(sorted(people, key=lambda p: (p.email.casefold(), p.user_ids)))


def _person(group: list[tuple[OrgRef, DirectoryUser]]) -> DirectoryPerson:
    emails = sorted({u.email for _, u in group if u.email}, key=str.casefold)
    names = sorted({u.full_name for _, u in group if u.full_name})
    orgs = {o.uuid: o for o, _ in group}
    return DirectoryPerson(
        email=emails[0] if emails else "",
        full_name=names[0] if names else None,
        user_ids=tuple(sorted({u.id for _, u in group})),
        organizations=tuple(sorted(orgs.values(), key=lambda o: ((o.name or "").casefold(), o.uuid))),
    )


def resolve(directory: Directory, query: str) -> DirectoryPerson:
    """The person ``query`` names (email, any case, or ``user_...`` id); CustodianNotFound otherwise."""
    wanted = query.strip()
    for person in directory.people:
        if wanted in person.user_ids or (person.email and person.email.casefold() == wanted.casefold()):
            return person
    raise CustodianNotFound(query, close_matches(directory, wanted))


def close_matches(directory: Directory, text: str, limit: int = 3) -> list[str]:
    """Emails of the people whose email user part or name is closest to ``text``."""
    by_key: dict[str, str] = {}
    for person in directory.people:
        by_key.setdefault(person.email.split("@")[0].casefold(), person.email)
        if person.full_name:
            by_key.setdefault(person.full_name.casefold(), person.email)
    wanted = text.split("@")[0].casefold()
    hits = difflib.get_close_matches(wanted, list(by_key), n=limit * 2, cutoff=0.6)
    return list(dict.fromkeys(by_key[h] for h in hits))[:limit]


def search(directory: Directory, text: str) -> list[DirectoryPerson]:
    """People whose email, name, user id or organization contains ``text`` (case-insensitive)."""
    needle = text.strip().casefold()
    if not needle:
        return list(directory.people)
    return [p for p in directory.people if needle in _haystack(p)]


def _haystack(person: DirectoryPerson) -> str:
    parts = [person.email, person.full_name or "", *person.user_ids]
    parts += [o.name or "" for o in person.organizations] + [o.uuid for o in person.organizations]
    return "\n".join(parts).casefold()
