"""Inclusion proofs: that one record was in a sealed collection, checkable with the root alone.

:func:`prove` reads a bag folder or a sealed archive (only ``manifest.json``,
``records.jsonl`` and, for an item, the page holding it), finds every record with the given
id, re-hashes an item from its page, and returns a proof document: the root, the tree size and,
per record, its record line, its audit path and (for an item) the item's canonical JSON.
:func:`check_proof` needs nothing but that document and, to tie it to a collection, the root
from the receipt, the manifest or the custody log. ``docs/records.md`` describes both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ediscovery.archive import list_members, read_members
from ediscovery.errors import EvidenceError
from ediscovery.evidence.merkle import audit_path, leaf_hash, root_from_path, tree_root
from ediscovery.evidence.records import (
    CONSTRUCTION,
    RECORDS_FILE,
    Record,
    item_content,
    page_items,
    parse_records,
)

PROOF_VERSION = 1
MAX_MEMBER = 512 << 20
"""The largest tag file or page :func:`prove` reads into memory."""


class _Buffer:
    def __init__(self, name: str, into: dict[str, bytes]) -> None:
        self.name, self.into, self.parts, self.size = name, into, [], 0

    parts: list[bytes]

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > MAX_MEMBER:
            raise EvidenceError(f"{self.name} is larger than {MAX_MEMBER >> 20} MiB; not read into memory.")
        self.parts.append(chunk)

    def close(self) -> None:
        self.into[self.name] = b"".join(self.parts)


def read_bag_files(source: Path, names: Collection[str], password: str | None = None) -> dict[str, bytes]:
    """The named files (paths inside the bag) of a bag folder or sealed archive; absent ones left out."""
    if source.is_dir():
        found = {}
        for name in names:
            path = source / name
            if path.is_file():
                if path.stat().st_size > MAX_MEMBER:
                    raise EvidenceError(
                        f"{name} is larger than {MAX_MEMBER >> 20} MiB; not read into memory."
                    )
                found[name] = path.read_bytes()
        return found
    members = [m.name for m in list_members(source, password=password) if not m.is_dir]
    root = members[0].split("/", 1)[0] if members else ""
    wanted = {f"{root}/{name}": name for name in names}
    into: dict[str, bytes] = {}
    targets = [m for m in members if m in wanted]
    read_members(source, lambda member: _Buffer(wanted[member], into), password=password, targets=targets)
    return into


def _hex(values: list[bytes]) -> list[str]:
    return [value.hex() for value in values]


def prove(source: Path, record_id: str, password: str | None = None) -> dict[str, Any]:
    """The proof document for every record named ``record_id`` in ``source``."""
    tags = read_bag_files(source, ["manifest.json", RECORDS_FILE], password)
    if RECORDS_FILE not in tags:
        raise EvidenceError(f"{source.name} has no {RECORDS_FILE}: it was collected without record hashes.")
    lines = parse_records(tags[RECORDS_FILE])
    manifest = _json(tags.get("manifest.json", b"{}"), "manifest.json")
    summary = manifest.get("records") or {}
    leaves = [leaf_hash(line) for line in lines]
    root = tree_root(leaves).hex()
    if summary.get("root") != root:
        raise EvidenceError(
            f"{RECORDS_FILE} hashes to root {root}, but manifest.json records {summary.get('root')}: "
            "the bag is not as it was sealed; run `ediscovery verify`."
        )
    wanted = [(i, Record.from_line(line)) for i, line in enumerate(lines) if _names(line, record_id)]
    if not wanted:
        raise EvidenceError(f"No record with id {record_id!r} in {source.name}.")
    pages = read_bag_files(source, sorted({r.path for _, r in wanted if r.item is not None}), password)
    proofs = [_one(index, record, lines[index], leaves, pages) for index, record in wanted]
    return {
        "proof_version": PROOF_VERSION,
        "construction": CONSTRUCTION,
        "matter": manifest.get("matter"),
        "run_id": manifest.get("run_id"),
        "root": root,
        "tree_size": len(lines),
        "proofs": proofs,
    }


def _names(line: bytes, record_id: str) -> bool:
    return record_id.encode("utf-8") in line and Record.from_line(line).id == record_id


def _one(
    index: int, record: Record, line: bytes, leaves: list[bytes], pages: Mapping[str, bytes]
) -> dict[str, Any]:
    proof: dict[str, Any] = {
        "index": index,
        "record": line.decode("utf-8"),
        "audit_path": _hex(audit_path(leaves, index)),
    }
    if record.item is not None:
        if record.path not in pages:
            raise EvidenceError(f"{record.path}, the page holding {record.id}, is missing from the bag.")
        items = page_items(record.kind, _json(pages[record.path], record.path), record.path)
        content = item_content(items[record.item]) if record.item < len(items) else b""
        if hashlib.sha256(content).hexdigest() != record.sha256:
            raise EvidenceError(
                f"{record.id} in {record.path} no longer hashes to its record: run `ediscovery verify`."
            )
        proof["content"] = content.decode("utf-8")
    return proof


def _json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except ValueError as exc:
        raise EvidenceError(f"{name} is not valid JSON: {exc}.") from exc


def check_proof(document: Any, *, root: str | None = None, file: Path | None = None) -> list[str]:
    """Every way ``document`` fails to prove its records (empty when it proves them).

    ``root`` (hex) is the root the proof must reach, taken from the receipt, the manifest or the
    custody log; without it the proof is checked against the root it carries. ``file`` is the
    content of a whole-file record, checked against the record's SHA-256.
    """
    if not isinstance(document, Mapping) or document.get("proof_version") != PROOF_VERSION:
        return [f"not a proof document of version {PROOF_VERSION}"]
    claimed = str(document.get("root", ""))
    problems = (
        [] if root is None or root.lower() == claimed else [f"proves root {claimed}, expected {root.lower()}"]
    )
    size = document.get("tree_size")
    proofs = document.get("proofs")
    if not isinstance(size, int) or not isinstance(proofs, list) or not proofs:
        return [*problems, "the proof has no tree_size or no proofs"]
    for number, proof in enumerate(proofs, 1):
        problems += [f"proof {number}: {p}" for p in _check_one(proof, size, claimed)]
    if file is not None and not problems:
        problems += _file_problems(proofs, file)
    return problems


def _file_problems(proofs: list[Any], file: Path) -> list[str]:
    """``file`` must be the content of one of the proven whole-file records."""
    digest = _file_sha256(file)
    wholes = [Record.from_line(str(p["record"]).encode("utf-8")) for p in proofs]
    wholes = [r for r in wholes if r.item is None]
    if any(r.sha256 == digest for r in wholes):
        return []
    listed = ", ".join(f"{r.kind} {r.sha256}" for r in wholes) or "no whole-file record"
    return [f"{file.name} hashes to {digest}; the proof's files: {listed}"]


def _check_one(proof: Any, size: int, root: str) -> list[str]:
    try:
        line = str(proof["record"]).encode("utf-8")
        record = Record.from_line(line)
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        found = root_from_path(leaf_hash(line), int(proof["index"]), size, path)
    except (KeyError, TypeError, ValueError, EvidenceError) as exc:
        return [f"malformed: {exc}"]
    problems = []
    if found is None or found.hex() != root:
        problems.append(f"the record of {record.id} and its audit path do not lead to root {root}")
    if "content" in proof:
        digest = hashlib.sha256(str(proof["content"]).encode("utf-8")).hexdigest()
        if digest != record.sha256:
            problems.append(f"the content given hashes to {digest}, the record says {record.sha256}")
    elif record.item is not None:
        problems.append(f"the content of item {record.id} is missing")
    return problems


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
