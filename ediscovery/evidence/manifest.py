"""Manifest: the item-level ``manifest.json`` of a run, its dataclasses, writer and validator.

The manifest records, for every stored file in ``data/``, where it came from (endpoint,
request id, time), what it is (kind, source id, kind-specific metadata) and its digests. It is
written as pretty canonical JSON with entries sorted by path, so the same run always gives the
same bytes, and it is checked against ``manifests/manifest.schema.json``. Unknown fields read
from a newer manifest are kept (``extra``) and written back unchanged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from ediscovery import __version__
from ediscovery.errors import EvidenceError
from ediscovery.evidence.canonical import dumps_pretty, utc_iso
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.store import atomic_write
from ediscovery.resources import schema_path

__all__ = ["Manifest", "ManifestEntry", "load_manifest", "utc_iso", "validate_manifest", "write_manifest"]

MANIFEST_VERSION = 1
SCHEMA_NAME = "manifest.schema.json"


def _known(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls) if f.name != "extra")


@dataclass(frozen=True)
class ManifestEntry:
    """One stored file of the bag."""

    path: str
    kind: str
    source_id: str
    size: int
    md5: str
    sha256: str
    sha512: str
    endpoint: str | None
    request_id: str | None
    retrieved_at: str | None
    status: str = "ok"
    custodian_user_ids: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_digests(
        cls, path: str, kind: str, source_id: str, digests: Digests, **rest: Any
    ) -> ManifestEntry:
        """Build an entry from the digests the store returned for ``path``."""
        size, md5, sha256, sha512 = digests.size, digests.md5, digests.sha256, digests.sha512
        return cls(path, kind, source_id, size, md5, sha256, sha512, **rest)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update({name: getattr(self, name) for name in _known(ManifestEntry)})
        out["custodian_user_ids"] = list(self.custodian_user_ids)
        out["metadata"] = dict(self.metadata)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ManifestEntry:
        known = _known(cls)
        values = {key: value for key, value in data.items() if key in known}
        values["custodian_user_ids"] = tuple(data.get("custodian_user_ids", ()))
        values["metadata"] = dict(data.get("metadata", {}))
        extra = {key: value for key, value in data.items() if key not in known}
        try:
            return cls(**values, extra=extra)
        except TypeError as exc:
            raise EvidenceError(f"Manifest entry {data.get('path')!r} is incomplete: {exc}.") from exc


def _default_tool() -> dict[str, str]:
    return {"name": "ediscovery", "version": __version__}


@dataclass(frozen=True)
class Manifest:
    """The whole ``manifest.json``: run header plus entries."""

    run_id: str
    matter: str
    status: str
    started_at: str
    finished_at: str | None
    api: Mapping[str, Any]
    scope: Mapping[str, Any]
    custodians: tuple[Mapping[str, Any], ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[Mapping[str, Any], ...] = ()
    limitations: tuple[Mapping[str, Any], ...] = ()
    entries: tuple[ManifestEntry, ...] = ()
    tool: Mapping[str, str] = field(default_factory=_default_tool)
    manifest_version: int = MANIFEST_VERSION
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, entries sorted by path."""
        out: dict[str, Any] = dict(self.extra)
        for name in _known(Manifest) - {"entries"}:
            value = getattr(self, name)
            out[name] = [dict(item) for item in value] if isinstance(value, tuple) else value
        out["entries"] = [entry.to_dict() for entry in sorted(self.entries, key=lambda e: e.path)]
        for name in ("api", "scope", "counts", "tool"):
            out[name] = dict(out[name])
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        known = _known(cls)
        values = {key: value for key, value in data.items() if key in known}
        for name in ("custodians", "errors", "limitations"):
            values[name] = tuple(data.get(name, ()))
        values["entries"] = tuple(ManifestEntry.from_dict(item) for item in data.get("entries", ()))
        extra = {key: value for key, value in data.items() if key not in known}
        try:
            return cls(**values, extra=extra)
        except TypeError as exc:
            raise EvidenceError(f"Manifest header is incomplete: {exc}.") from exc


@cache
def _validator() -> Any:
    schema = json.loads(schema_path(SCHEMA_NAME).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _where(error: Any) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def validate_manifest(obj: Any) -> list[str]:
    """Every way ``obj`` breaks the manifest contract, as readable messages (empty when valid).

    Besides the JSON Schema this checks that entry paths are unique and sorted.
    """
    errors = sorted(_validator().iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    problems = [f"{_where(error)}: {error.message}" for error in errors]
    entries = obj.get("entries") if isinstance(obj, dict) else None
    if isinstance(entries, list):
        problems.extend(_order_problems(entries))
    return problems


def _order_problems(entries: Sequence[Any]) -> list[str]:
    paths: list[str] = [entry["path"] for entry in entries if isinstance(entry, dict) and "path" in entry]
    if len(paths) != len(entries) or not all(isinstance(path, str) for path in paths):
        return []
    counts = Counter(paths)
    problems = [f"/entries: duplicate path {path!r}" for path in sorted(counts) if counts[path] > 1]
    if paths != sorted(paths):
        problems.append("/entries: entries are not sorted by path")
    return problems


def manifest_bytes(manifest: Manifest) -> bytes:
    """The exact bytes of ``manifest.json`` for ``manifest`` (pretty canonical JSON)."""
    return dumps_pretty(manifest.to_dict())


def write_manifest(path: Path | str, manifest: Manifest) -> Digests:
    """Validate, then durably write ``manifest.json``; return its digests (for custody).

    Raises ``EvidenceError`` listing the problems when the manifest breaks the contract.
    """
    data = manifest.to_dict()
    problems = validate_manifest(data)
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise EvidenceError(f"Refusing to write an invalid manifest: {shown}", path=path)
    return atomic_write(Path(path), dumps_pretty(data))


def load_manifest(path: Path | str) -> Manifest:
    """Read ``manifest.json`` (no validation; call ``validate_manifest`` on the raw object)."""
    try:
        data = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"Cannot read manifest {path}: {exc}.", path=path) from exc
    if not isinstance(data, dict):
        raise EvidenceError(f"Manifest {path} is not a JSON object.", path=path)
    return Manifest.from_dict(data)
