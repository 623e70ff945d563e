"""Code artifacts: every code artifact a custodian owns, each listed version and its current content.

The list (``user_ids[]``) is sorted by artifact id and its pages can be short or empty while
``next_page`` is set: the walk follows ``next_page``, never the page length. Every listed
version is downloaded once (versions do not change: an incremental run carries the ones it
has) and the current content once per run. A version still uploading answers 503, which the
session retries; a version that rotated out answers 404 and becomes a limitation. A multi-file
artifact (a Claude Doc is a ZIP of Word files) is asked again with ``multi_file_format=zip``
when the API says it needs it; any other 422 is a typed limitation naming the API's
``error_code``. Code artifacts are not selected by the date range (the list filters by
``updated_at`` only, and a site published before the range may still hold evidence).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from ediscovery.api.code_artifacts import CodeArtifact
from ediscovery.api.endpoints import path
from ediscovery.api.models import body_items
from ediscovery.api.models import parse_value as parse
from ediscovery.collect.context import Context
from ediscovery.collect.limitations import Limitation
from ediscovery.collect.walker import walk
from ediscovery.errors import ApiStatusError
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path
from ediscovery.timestamps import format_timestamp

NEEDS_ZIP = "multi_file_unavailable"


@dataclass(frozen=True)
class ContentUnavailable(Limitation):
    """The current content of a code artifact the API would not serve (``source_id``: its id)."""

    KIND: ClassVar[str] = "code_artifact_content_unavailable"
    error_code: str | None
    reason: str

    @property
    def message(self) -> str:
        code = f" ({self.error_code})" if self.error_code else ""
        return (
            f"The current content of code artifact {self.source_id} was not served{code}: {self.reason} "
            "Its listed versions are collected where available."
        )

    def details(self) -> dict[str, Any]:
        return {"error_code": self.error_code}


class CodeArtifacts:
    """Lists and fetches code artifacts; see the module docstring."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def listing(self, uid: str) -> None:
        """Every code artifact ``uid`` owns, then its versions and content (once each)."""
        pages = await walk(
            self.ctx.natives,
            "code_artifacts",
            ("user_ids[]", uid),
            kind=Kind.CODE_ARTIFACT_LIST,
            source_id=uid,
            custodians=(uid,),
        )
        for body in pages:
            for item in body_items(body):
                artifact = parse(item, CodeArtifact, "code artifact list item")
                self._want(artifact, uid)

    def _want(self, artifact: CodeArtifact, uid: str) -> None:
        tasks, tally = self.ctx.tasks, self.ctx.tally
        tally.ref(artifact.id).user_ids.add(uid)
        for version in artifact.versions:
            tally.ref(version.id).user_ids.add(uid)
            details = {
                "artifact_id": artifact.id,
                "version_name": version.name,
                "version_created_at": None
                if version.created_at is None
                else format_timestamp(version.created_at),
                "published": version.id == artifact.published_version_id,
            }
            job = partial(self._version, artifact.id, version.id, details)
            tasks.once(Kind.CODE_ARTIFACT_VERSION, version.id, job)
        tasks.once(Kind.CODE_ARTIFACT_CONTENT, artifact.id, partial(self._content, artifact))

    async def _version(self, artifact_id: str, version_id: str, details: dict[str, Any]) -> None:
        if self.ctx.carried(Kind.CODE_ARTIFACT_VERSION, version_id):
            return
        await self.ctx.natives.download(
            path("code_artifact_version", artifact_id, version_id),
            path=native_path(Kind.CODE_ARTIFACT_VERSION, artifact_id, version_id),
            kind=Kind.CODE_ARTIFACT_VERSION,
            source_id=version_id,
            metadata=details,
            custodians=self.ctx.tally.users_of(version_id),
        )
        self.ctx.reporter.advance("files")

    async def _content(self, artifact: CodeArtifact) -> None:
        """The current content; asked again as a ZIP when the API says the artifact needs it."""
        try:
            await self._download_content(artifact, ())
        except ApiStatusError as exc:
            if exc.status != 422:
                raise
            if exc.error_code != NEEDS_ZIP:
                self.ctx.tally.limit(ContentUnavailable(artifact.id, exc.error_code, exc.message))
                return
            try:
                await self._download_content(artifact, (("multi_file_format", "zip"),))
            except ApiStatusError as again:
                if again.status != 422:
                    raise
                self.ctx.tally.limit(ContentUnavailable(artifact.id, again.error_code, again.message))

    async def _download_content(self, artifact: CodeArtifact, query: tuple[tuple[str, str], ...]) -> None:
        await self.ctx.natives.download(
            path("code_artifact_content", artifact.id),
            path=native_path(Kind.CODE_ARTIFACT_CONTENT, artifact.id),
            kind=Kind.CODE_ARTIFACT_CONTENT,
            source_id=artifact.id,
            metadata={
                "published_version_id": artifact.published_version_id,
                "read_mode": artifact.read_mode,
                "multi_file_format": dict(query).get("multi_file_format"),
            },
            custodians=self.ctx.tally.users_of(artifact.id),
            query=query,
        )
        self.ctx.reporter.advance("files")
