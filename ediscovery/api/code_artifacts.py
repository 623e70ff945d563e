"""Typed views of code artifacts: sites published from Claude Code and documents of the built-in
artifact types (Claude Docs, Slides, Design), with their listed versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ediscovery.api.fields import Extra, Fields


@dataclass(frozen=True)
class CodeArtifactVersionRef:
    """One version as the list names it (about the 20 most recent are listed)."""

    id: str
    name: str | None
    created_at: datetime | None

    @classmethod
    def from_json(cls, obj: object) -> CodeArtifactVersionRef:
        f = Fields(obj, "code artifact version")
        return cls(f.req_text("id"), f.text("name"), f.time("created_at"))


@dataclass(frozen=True)
class CodeArtifact:
    id: str
    organization_uuid: str | None
    owner_user_id: str | None
    read_mode: str | None  # owner | users | org | public | anything newer
    published_version_id: str | None
    updated_at: datetime | None
    versions: tuple[CodeArtifactVersionRef, ...]
    extra: Extra = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: object) -> CodeArtifact:
        f = Fields(obj, "code artifact")
        return cls(
            id=f.req_text("id"),
            organization_uuid=f.text("organization_uuid"),
            owner_user_id=f.text("owner_user_id"),
            read_mode=f.text("read_mode"),
            published_version_id=f.text("published_version_id"),
            updated_at=f.time("updated_at"),
            versions=tuple(CodeArtifactVersionRef.from_json(v) for v in f.array("versions") or []),
            extra=f.extra(),
        )
