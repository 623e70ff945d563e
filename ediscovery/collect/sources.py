"""Sources: the corpora of a custodian an examiner chooses to collect (``--sources``).

A collection gathers every source by default. Choosing fewer is recorded in the manifest's
``scope`` (the sources chosen and those left out), is part of what makes two commands the
same run, and is kept by a resume. Sources the API serves that this version does not collect
yet are named in every manifest as limitations, so a collection never claims a custodian's
whole record silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from ediscovery.errors import UsageError


class Source(StrEnum):
    """A ``--sources`` name."""

    CHATS = "chats"  # chats with every message, and the files, generated files and artifacts they reference
    PROJECTS = "projects"  # projects created by or holding a custodian's chat, with documents and files
    ACTIVITIES = "activities"  # the custodian's Activity Feed events
    SETTINGS = "settings"  # the organization settings in force (retention) and the key records
    CODE_ARTIFACTS = "code-artifacts"  # code artifacts the custodian owns, every listed version
    LOCAL_SESSIONS = "local-sessions"  # agent sessions captured on users' machines (Cowork, Claude Code, …)
    REMOTE_SESSIONS = "remote-sessions"  # cloud Cowork sessions


ALL_SOURCES = frozenset(Source)

NOT_COLLECTED: dict[str, str] = {}
"""Sources the Compliance API serves that this version does not collect."""


def parse_sources(values: Iterable[str] | None) -> frozenset[Source]:
    """The chosen sources from ``--sources`` values (comma-separated; none given: all)."""
    names = [part.strip().lower() for value in values or () for part in value.split(",") if part.strip()]
    if not names:
        return ALL_SOURCES
    unknown = sorted(set(names) - set(Source))
    later = [name for name in unknown if name in NOT_COLLECTED]
    if later:
        raise UsageError(
            f"This version does not collect {', '.join(later)} yet.",
            hint="Leave it out; every manifest names the sources not collected.",
        )
    if unknown:
        raise UsageError(
            f"Unknown source(s): {', '.join(unknown)}.", hint=f"Use {','.join(str(s) for s in Source)}."
        )
    return frozenset(Source(name) for name in names)
