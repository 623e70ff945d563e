"""Records: a content hash per record of a collection, and the Merkle root over them.

Every native file of the bag is a record, and so is every item of a paged native (each
message of a chat's pages, each activity, each session event, each listed object). A record's
``sha256`` is of its content: the stored bytes of a file (the digest the manifest already
holds; nothing is re-read), or the canonical JSON (:func:`ediscovery.evidence.canonical.dumps`)
of an item. Its **record line** is the canonical JSON of ``{id, item, kind, path, sha256}``
(``item`` the item's position in its page, null for a whole file); ``records.jsonl``, a tag
file of the bag, holds the lines in manifest path order, a page's items after the page itself
in the order the API returned them. The leaves of the tree (``evidence/merkle.py``) are the
lines' bytes without their newline, so the root can be recomputed from ``records.jsonl`` with
any SHA-256 tool. ``docs/records.md`` gives the construction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.canonical import dumps
from ediscovery.evidence.kinds import KINDS, Kind
from ediscovery.evidence.merkle import leaf_hash, tree_root
from ediscovery.evidence.store import atomic_write

RECORDS_FILE = "records.jsonl"
CONSTRUCTION = "RFC 6962 Merkle tree, SHA-256; leaves are the lines of records.jsonl (docs/records.md)"


@dataclass(frozen=True)
class Record:
    """One record: what it is, where it lives, and the SHA-256 of its content."""

    kind: str
    id: str
    path: str
    item: int | None
    sha256: str

    def line(self) -> bytes:
        """The record line (canonical JSON, no newline): the Merkle leaf's data."""
        return dumps(
            {"id": self.id, "item": self.item, "kind": self.kind, "path": self.path, "sha256": self.sha256}
        )

    @classmethod
    def from_line(cls, line: bytes) -> Record:
        try:
            data = json.loads(line)
            record = cls(data["kind"], data["id"], data["path"], data["item"], data["sha256"])
        except (ValueError, KeyError, TypeError) as exc:
            raise EvidenceError(f"Not a record line: {line[:120]!r}.") from exc
        if record.line() != line:
            raise EvidenceError(f"Record line is not in canonical form: {line[:120]!r}.")
        return record


def item_content(item: Any) -> bytes:
    """The bytes an item's record hashes: its canonical JSON."""
    return dumps(item)


def page_items(kind: str, body: Any, path: str) -> list[Any]:
    """The items of a paged native's parsed ``body``; a page without its items list is malformed."""
    member = KINDS[Kind(kind)].items
    items = body.get(member) if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        raise EvidenceError(f"{path}: the page has no {member!r} list, so its records cannot be hashed.")
    return items


def _path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{\w*\})", template)
    pattern = "".join(
        r"\d{4}" if p == "{page}" else "[^/]+" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(pattern + "$")


_PAGED = [(_path_pattern(info.path), kind) for kind, info in KINDS.items() if info.paged and info.path]


def paged_kind(path: str) -> Kind | None:
    """The kind of the paged native stored at bag path ``path`` (None for any other file)."""
    return next((kind for pattern, kind in _PAGED if pattern.match(path)), None)


ItemDigest = tuple[str | None, str]
"""An item's own ``id`` (None without one) and the SHA-256 of its canonical JSON."""


def item_digests(kind: str, path: str, data: bytes) -> list[ItemDigest]:
    """The digests of a stored page's items, from its bytes; EvidenceError when it is not a page."""
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise EvidenceError(f"{path} is not valid JSON: {exc}.", path=path) from exc
    out: list[ItemDigest] = []
    for item in page_items(kind, body, path):
        ident = item.get("id") if isinstance(item, Mapping) else None
        out.append(
            (
                ident if isinstance(ident, str) and ident else None,
                hashlib.sha256(item_content(item)).hexdigest(),
            )
        )
    return out


def bag_records(bag: Path, entries: Iterable[Any]) -> list[Record]:
    """Every record of the bag's native entries (manifest entries), in the documented order.

    Whole files take the manifest's digest; a paged native is parsed to hash its items (an item
    without an ``id`` is named by its page's source id and its position).
    """
    records: list[Record] = []
    for entry in sorted(entries, key=lambda e: e.path):
        info = KINDS[Kind(entry.kind)]
        if info.path is None:  # derived (transcripts, reports): not what the API sent
            continue
        records.append(Record(entry.kind, entry.source_id, entry.path, None, entry.sha256))
        if info.paged:
            digests = item_digests(entry.kind, entry.path, _read(bag / entry.path, entry.path))
            records += [
                Record(entry.kind, ident or f"{entry.source_id}#{n}", entry.path, n, sha256)
                for n, (ident, sha256) in enumerate(digests)
            ]
    return records


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"Cannot read {name} to hash its records: {exc}.", path=name) from exc


def records_root(lines: Iterable[bytes]) -> str:
    """The hex Merkle root over record lines."""
    return tree_root([leaf_hash(line) for line in lines]).hex()


def write_records(bag: Path, records: list[Record]) -> dict[str, Any]:
    """Write ``records.jsonl`` durably; return its summary for the manifest and custody log."""
    lines = [record.line() for record in records]
    digests = atomic_write(bag / RECORDS_FILE, b"".join(line + b"\n" for line in lines))
    return {
        "file": RECORDS_FILE,
        "count": len(lines),
        "root": records_root(lines),
        "file_sha256": digests.sha256,
        "construction": CONSTRUCTION,
    }


def parse_records(data: bytes) -> list[bytes]:
    """The record lines of a ``records.jsonl`` (each without its newline)."""
    if data and not data.endswith(b"\n"):
        raise EvidenceError(f"{RECORDS_FILE} does not end with a newline (cut short?).")
    return data.split(b"\n")[:-1] if data else []
