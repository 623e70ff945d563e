"""Natives: the manifest of a bag and its stored API responses, as the renderer reads them.

Everything a transcript shows comes from the native bytes listed in ``manifest.json``.
Each native is read once, its SHA-256 checked against the manifest while it is parsed, and
paths are confined to the bag. Chat pages are read one at a time so a long chat never has
to be held as raw JSON all at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediscovery.errors import EvidenceError, RenderError, UnsafePathError


@dataclass(frozen=True)
class Entry:
    """One manifest entry (a stored file)."""

    path: str
    kind: str
    source_id: str
    sha256: str
    metadata: dict[str, Any] = field(hash=False, compare=False)
    custodian_user_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bag:
    """A bag's manifest header and entries, with safe access to its natives."""

    root: Path
    header: dict[str, Any] = field(hash=False, compare=False)
    entries: tuple[Entry, ...]

    @classmethod
    def open(cls, root: Path) -> Bag:
        manifest = root / "manifest.json"
        try:
            with manifest.open("rb") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise EvidenceError(f"Cannot read {manifest}: {exc}", path=manifest) from exc
        if not isinstance(data, dict):
            raise EvidenceError(f"{manifest} is not a JSON object.", path=manifest)
        entries = tuple(_entry(raw) for raw in data.get("entries") or [] if isinstance(raw, dict))
        header = {k: v for k, v in data.items() if k != "entries"}
        return cls(root=root, header=header, entries=entries)

    def of_kind(self, kind: str) -> list[Entry]:
        """Entries of ``kind`` with status ok, sorted by path."""
        return sorted((e for e in self.entries if e.kind == kind), key=lambda e: e.path)

    def read(self, entry: Entry) -> Any:
        """The parsed JSON of ``entry``'s native, after checking its SHA-256."""
        path = self.resolve(entry.path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EvidenceError(f"Cannot read native {entry.path}: {exc.strerror}", path=path) from exc
        found = hashlib.sha256(data).hexdigest()
        if entry.sha256 and found != entry.sha256:
            raise RenderError(
                f"Native {entry.path} has SHA-256 {found}, the manifest says {entry.sha256}.",
                hint="Verify the bag; a transcript is never rendered from altered evidence.",
            )
        try:
            return json.loads(data)
        except ValueError as exc:
            raise RenderError(f"Native {entry.path} is not valid JSON: {exc}") from exc

    def resolve(self, relative: str) -> Path:
        """The absolute path of a bag-relative path; refuses anything escaping the bag."""
        root = self.root.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or Path(relative).is_absolute():
            raise UnsafePathError(f"Manifest path {relative!r} escapes the bag.", path=relative)
        return candidate


def _entry(raw: dict[str, Any]) -> Entry:
    metadata = raw.get("metadata")
    users = raw.get("custodian_user_ids") or ()
    return Entry(
        path=str(raw.get("path", "")),
        kind=str(raw.get("kind", "")),
        source_id=str(raw.get("source_id", "")),
        sha256=str(raw.get("sha256") or ""),
        metadata=metadata if isinstance(metadata, dict) else {},
        custodian_user_ids=tuple(str(u) for u in users),
    )


def iter_pages(bag: Bag, entries: list[Entry]) -> Iterator[Any]:
    """Parsed natives of ``entries`` one at a time, in order."""
    for entry in entries:
        yield bag.read(entry)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (for optional nested objects)."""
    return value if isinstance(value, dict) else {}
