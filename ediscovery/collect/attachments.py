"""Attachments: the objects chats and projects reference — files, generated files, artifacts, documents.

Each is fetched once however often it is referenced (metadata, then content) and attributed to
every custodian that references it. Uploaded and generated files are routed by id prefix: a
``claude_file_`` id is read from the files endpoints whichever list named it. Content is stored
as served and hashed as it streams (an artifact's content is its text when it is not JSON). An
object an earlier run of the series stored intact is carried, not fetched again.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ediscovery.api.endpoints import path
from ediscovery.collect.context import Context
from ediscovery.collect.limitations import DownloadUnverified, ServedAsText
from ediscovery.errors import ResponseFormatError
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path
from ediscovery.evidence.sniff import served_as_text

UPLOAD_PREFIX = "claude_file_"
"""Ids of files uploaded to a chat or project (anything else is a generated file's id)."""


class Attachments:
    """Fetches what messages and projects reference; see the module docstring."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._generated_uploads: set[str] = set()  # claude_file_ ids listed as generated files

    def want_upload(self, file_id: str, kind: Kind) -> None:
        """Fetch a file once, however many messages list it and under which list.

        A ``claude_file_`` id may be listed both as a file and as a generated file (it is read
        from the files endpoints either way): it is stored once, as ``file`` when any message
        lists it as one, else as ``generated_file``. Generated ``claude_file_`` ids are fetched
        after every chat is read (:meth:`spawn_uploads`), so that choice never depends on which
        chat answered first.
        """
        if kind == Kind.GENERATED_FILE and file_id.startswith(UPLOAD_PREFIX):
            self._generated_uploads.add(file_id)
        else:
            self.ctx.tasks.once(kind, file_id, partial(self._file, file_id, kind))

    def spawn_uploads(self) -> None:
        """Every chat is read: fetch the ``claude_file_`` ids listed only as generated files."""
        for file_id in sorted(self._generated_uploads):
            if not self.ctx.tasks.started(Kind.FILE, file_id):
                self.want_upload_as(file_id, Kind.GENERATED_FILE)

    def want_project_file(self, file_id: str) -> None:
        """A project's file; every chat is read by now, so an id stored as a generated file stays one."""
        generated = self.ctx.tasks.started(Kind.GENERATED_FILE, file_id)
        self.want_upload_as(file_id, Kind.GENERATED_FILE if generated else Kind.FILE)

    def want_upload_as(self, file_id: str, kind: Kind) -> None:
        self.ctx.tasks.once(kind, file_id, partial(self._file, file_id, kind))

    def want_artifact(self, version_id: str) -> None:
        self.ctx.tasks.once(Kind.ARTIFACT, version_id, partial(self._artifact, version_id))

    def want_document(self, doc_id: str, project_id: str) -> None:
        self.ctx.tasks.once(Kind.PROJECT_DOCUMENT, doc_id, partial(self._document, doc_id, project_id))

    async def _file(self, file_id: str, kind: Kind) -> None:
        """Metadata then content of an uploaded or generated file (routed by id prefix)."""
        if self.ctx.carried(kind, file_id):
            return
        endpoint = "file" if file_id.startswith(UPLOAD_PREFIX) else "generated_file"
        metadata_kind = Kind.FILE_METADATA if kind == Kind.FILE else Kind.GENERATED_FILE_METADATA
        users = self.ctx.tally.users_of(file_id)
        natives = self.ctx.natives
        _entry, meta = await natives.json(
            path(endpoint, file_id),
            (),
            path=native_path(metadata_kind, file_id),
            kind=metadata_kind,
            source_id=file_id,
            custodians=users,
        )
        if not isinstance(meta, dict):
            raise ResponseFormatError(f"The metadata of {file_id} is not a JSON object.")
        api_md5 = meta.get("md5")
        size = meta.get("size_bytes")
        listed = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        entry = await natives.download(
            path(f"{endpoint}_content", file_id),
            path=native_path(kind, file_id),
            kind=kind,
            source_id=file_id,
            metadata={
                "original_filename": meta.get("filename"),
                "mime_type": meta.get("mime_type"),
                "api_md5": api_md5,
            },
            custodians=users,
            expected_md5=api_md5 if isinstance(api_md5, str) else None,
            expected_size=listed,
        )
        self._check_download(kind, file_id, entry)
        detected = (entry.get("metadata") or {}).get("detected_mime_type")
        if served_as_text(detected, meta.get("filename"), meta.get("mime_type")):
            self.ctx.tally.limit(ServedAsText(file_id, meta.get("filename"), meta.get("mime_type")))
        self.ctx.reporter.advance("files")

    def _check_download(self, kind: Kind, file_id: str, entry: Mapping[str, Any]) -> None:
        """An integrity failure is an error; bytes with nothing to check them against, a limitation."""
        meta = entry.get("metadata") or {}
        if entry["status"] == "integrity_failed":
            against = "the metadata md5" if meta.get("md5_source") == "api_md5" else "Content-MD5"
            problem = RuntimeError(
                f"{against} never matched the downloaded bytes of {file_id} "
                f"(kept, sha256 {entry['sha256']}, marked integrity_failed)."
            )
            self.ctx.tally.error(kind, file_id, problem, status="integrity_failed")
        elif meta.get("md5_matched") is None:
            self.ctx.tally.limit(DownloadUnverified(file_id))

    async def _artifact(self, version_id: str) -> None:
        if self.ctx.carried(Kind.ARTIFACT, version_id):
            return
        users = self.ctx.tally.users_of(version_id)
        natives = self.ctx.natives
        _entry, meta = await natives.json(
            path("artifact", version_id),
            (),
            path=native_path(Kind.ARTIFACT_METADATA, version_id),
            kind=Kind.ARTIFACT_METADATA,
            source_id=version_id,
            custodians=users,
        )
        meta = meta if isinstance(meta, dict) else {}
        details = {
            "artifact_id": meta.get("id"),
            "version_id": version_id,
            "title": meta.get("title"),
            "artifact_type": meta.get("artifact_type"),
        }
        # Stored as served: the reference promises "the full text content", not a JSON object.
        entry = await natives.download(
            path("artifact_content", version_id),
            path=native_path(Kind.ARTIFACT, version_id),
            kind=Kind.ARTIFACT,
            source_id=version_id,
            metadata=details,
            custodians=users,
        )
        self._check_download(Kind.ARTIFACT, version_id, entry)
        self.ctx.reporter.advance("files")

    async def _document(self, doc_id: str, project_id: str) -> None:
        if self.ctx.carried(Kind.PROJECT_DOCUMENT, doc_id):
            return
        users = self.ctx.tally.users_of(doc_id)
        natives = self.ctx.natives
        _entry, meta = await natives.json(
            path("project_document_metadata", doc_id),
            (),
            path=native_path(Kind.PROJECT_DOCUMENT_METADATA, doc_id),
            kind=Kind.PROJECT_DOCUMENT_METADATA,
            source_id=doc_id,
            custodians=users,
        )
        name = meta.get("filename") if isinstance(meta, dict) else None
        await natives.json(
            path("project_document", doc_id),
            (),
            path=native_path(Kind.PROJECT_DOCUMENT, doc_id),
            kind=Kind.PROJECT_DOCUMENT,
            source_id=doc_id,
            metadata=partial(_constant, {"project_id": project_id, "original_filename": name}),
            custodians=users,
        )


def _constant(value: dict[str, Any], _body: Any) -> dict[str, Any]:
    return value
