"""Plan: what one collection run is asked to gather, and what it knows of the run before it.

A :class:`Custodian` is a resolved person (one email, one or more ``user_...`` ids across
linked organizations), or a departed one known by a ``user_...`` id alone (no email, no
name, no organization: the directory lists current members only); a :class:`Plan` is the
custodians, the scope and the earlier run (``collect.increment.Previous``) of one traversal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ediscovery.collect.increment import Previous
from ediscovery.collect.scope import Scope


@dataclass(frozen=True)
class Custodian:
    """A custodian as resolved through the directory (``email`` None: not in it, by id alone)."""

    query: str
    email: str | None
    full_name: str | None
    user_ids: tuple[str, ...]
    organizations: tuple[Mapping[str, str], ...] = ()

    @property
    def in_directory(self) -> bool:
        """False for a departed custodian, collected by user id without a directory entry."""
        return self.email is not None

    @property
    def label(self) -> str:
        """How folders and notes name the custodian: the email, else the first user id."""
        return self.email if self.email is not None else min(self.user_ids)

    def to_json(self) -> dict[str, Any]:
        """The manifest's ``custodians[]`` item."""
        return {
            "query": self.query,
            "email": self.email,
            "full_name": self.full_name,
            "user_ids": sorted(self.user_ids),
            "organizations": [dict(org) for org in self.organizations],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Custodian:
        return cls(
            query=str(data["query"]),
            email=None if data.get("email") is None else str(data["email"]),
            full_name=data.get("full_name"),
            user_ids=tuple(data.get("user_ids", ())),
            organizations=tuple(dict(org) for org in data.get("organizations", ())),
        )


@dataclass(frozen=True)
class Plan:
    """Everything the traversal needs besides the API and the bag."""

    custodians: tuple[Custodian, ...]
    scope: Scope
    jobs: int = 8
    previous: Previous | None = None
    feed_lag: float | None = None
    """Seconds to let the Activity Feed index the run's calls before reading them back
    (``collect --corroborate``); None: the platform's record of the calls is not read."""

    @property
    def user_ids(self) -> tuple[str, ...]:
        return tuple(sorted({uid for custodian in self.custodians for uid in custodian.user_ids}))
