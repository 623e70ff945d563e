"""Stored: one collected bag, opened once, as the renderer and the production read it.

The manifest is read into the typed :class:`~ediscovery.evidence.manifest.Manifest`; entries
are looked up by kind and source id; every bag-relative path goes through the one strict
guard, :func:`~ediscovery.evidence.paths.resolve_inside`; and a native read as JSON is
checked against the SHA-256 its entry records while it is parsed, so nothing derived is
ever built from altered evidence. Nothing here writes to the bag.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.digest import sha256_files
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import Manifest, ManifestEntry, load_manifest
from ediscovery.evidence.paths import resolve_inside


@dataclass(frozen=True)
class BagFiles:
    """The files of a bag, reached through the entries that record them."""

    root: Path

    def path_of(self, entry: ManifestEntry) -> Path:
        """The absolute path of an entry's file; UnsafePathError when it would leave the bag."""
        return resolve_inside(self.root, entry.path)

    def read_json(self, entry: ManifestEntry) -> Any:
        """The parsed JSON of an entry's native, after checking the SHA-256 its entry records."""
        data = self.read_checked(entry)
        try:
            return json.loads(data)
        except ValueError as exc:
            raise EvidenceError(
                f"Native {entry.path} is not valid JSON: {exc}", path=self.path_of(entry)
            ) from exc

    def read_json_or_text(self, entry: ManifestEntry) -> Any:
        """The parsed JSON of a native that may be JSON or text (artifact content); its text
        (undecodable bytes replaced) when it is not JSON."""
        data = self.read_checked(entry)
        try:
            return json.loads(data)
        except ValueError:
            return data.decode("utf-8", errors="replace")

    def read_checked(self, entry: ManifestEntry) -> bytes:
        """The bytes of an entry's native (a small one: read whole), after checking its SHA-256."""
        path = self.path_of(entry)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EvidenceError(f"Cannot read native {entry.path}: {exc.strerror}", path=path) from exc
        found = hashlib.sha256(data).hexdigest()
        if found != entry.sha256:
            raise EvidenceError(
                f"Native {entry.path} has SHA-256 {found}, the manifest says {entry.sha256}.",
                path=path,
                hint="Verify the bag; nothing is derived from altered evidence.",
            )
        return data


@dataclass(frozen=True)
class StoredBag(BagFiles):
    """A bag's typed manifest with checked access to its natives (see the module docstring)."""

    manifest: Manifest
    manifest_sha256: str
    _index: dict[tuple[str, str], list[ManifestEntry]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def open(cls, root: Path) -> StoredBag:
        """Read ``root/manifest.json``; EvidenceError when it is missing, unreadable or incomplete."""
        path = root / "manifest.json"
        if not path.is_file():
            raise EvidenceError(
                f"{root} holds no manifest.json.",
                path=path,
                hint="Pass a bag directory (or a sealed .7z archive where one is accepted).",
            )
        manifest = load_manifest(path)
        bag = cls(root, manifest, sha256_files([path]))
        for entry in sorted(manifest.entries, key=lambda e: e.path):
            bag._index.setdefault((entry.kind, entry.source_id), []).append(entry)
        return bag

    # -- the header --------------------------------------------------------------------------
    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    @property
    def matter(self) -> str:
        return self.manifest.matter

    @property
    def time_zone(self) -> str:
        return str(self.manifest.scope.get("time_zone") or "UTC")

    @property
    def custodians(self) -> tuple[Mapping[str, Any], ...]:
        return self.manifest.custodians

    @property
    def custodian_emails(self) -> list[str]:
        return sorted(_email(c) for c in self.custodians)

    def custodian_of(self, user_ids: Sequence[str]) -> Mapping[str, Any]:
        """The custodian owning any of ``user_ids`` (the first custodian when none does)."""
        wanted = set(user_ids)
        for custodian in self.custodians:
            if wanted & set(custodian.get("user_ids") or ()):
                return custodian
        return self.custodians[0] if self.custodians else {}

    def email_for(self, user_ids: Sequence[str]) -> str:
        """The email (else the query) of the custodian owning any of ``user_ids``."""
        wanted = set(user_ids)
        for custodian in self.custodians:
            if wanted & set(custodian.get("user_ids") or ()):
                return _email(custodian)
        emails = self.custodian_emails
        return emails[0] if emails else ""

    # -- entries -----------------------------------------------------------------------------
    def entries(self, kind: Kind | None = None) -> list[ManifestEntry]:
        """Entries (of ``kind``), in path order."""
        entries = sorted(self.manifest.entries, key=lambda e: e.path)
        return entries if kind is None else [e for e in entries if e.kind == kind]

    def find(self, kind: Kind, source_id: str) -> list[ManifestEntry]:
        """Entries of one kind and source id, in path order (pages in page order)."""
        return self._index.get((kind, source_id), [])


def _email(custodian: Mapping[str, Any]) -> str:
    return str(custodian.get("email") or custodian.get("query") or "")


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (for optional nested objects)."""
    return value if isinstance(value, dict) else {}
