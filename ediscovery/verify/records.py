"""The ``records`` and ``corroboration`` layers: what the collection says of its own records and
of the platform's record of its calls, recomputed from the stored files.

``records``: ``records.jsonl`` against its Merkle root, the manifest and the natives.
The root recomputed from the record lines must be the one ``manifest.json`` holds (and the
receipt, checked by the sidecar layer); every native entry has its whole-file record with the
entry's SHA-256 and no record names a file the manifest does not list; every item record has
the digest (and id) of the item re-hashed from its page as the page was read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.kinds import KINDS, Kind
from ediscovery.evidence.records import RECORDS_FILE, Record, parse_records, records_root
from ediscovery.verify.contents import BagContents
from ediscovery.verify.corroboration import corroborate_bytes, corroboration_of, verdict
from ediscovery.verify.problems import CorroborationMismatch, Problem, RecordMismatch


def records(obj: Mapping[str, Any] | None, contents: BagContents) -> tuple[list[Problem], list[str], bool]:
    """(problems, limits, absent): ``absent`` for a bag collected before record hashes."""
    summary = (obj or {}).get("records")
    data = contents.read_tag(RECORDS_FILE)
    if data is None:
        if summary is None and RECORDS_FILE not in contents.sizes:
            return [], [], True
        return contents.missing(RECORDS_FILE, "records"), [], False
    if not isinstance(summary, Mapping):
        return [RecordMismatch("manifest.json records", "the root of records.jsonl", "none")], [], False
    try:
        lines = parse_records(data)
        parsed = [Record.from_line(line) for line in lines]
    except EvidenceError as exc:
        return [RecordMismatch(RECORDS_FILE, "canonical record lines", exc.message)], [], False
    problems = _summary(summary, lines)
    problems += _natives(obj or {}, parsed)
    found, limits = _items(parsed, contents)
    return problems + found, limits, False


def _summary(summary: Mapping[str, Any], lines: list[bytes]) -> list[Problem]:
    problems: list[Problem] = []
    root = records_root(lines)
    if summary.get("root") != root:
        problems.append(RecordMismatch("Merkle root of records.jsonl", str(summary.get("root")), root))
    if summary.get("count") != len(lines):
        problems.append(RecordMismatch("records.jsonl lines", str(summary.get("count")), str(len(lines))))
    return problems


def _natives(obj: Mapping[str, Any], parsed: list[Record]) -> list[Problem]:
    expected = {
        str(e.get("path")): str(e.get("sha256"))
        for e in obj.get("entries") or []
        if isinstance(e, Mapping) and e.get("kind") in KINDS and KINDS[Kind(e["kind"])].path is not None
    }
    recorded = {r.path: r.sha256 for r in parsed if r.item is None}
    problems: list[Problem] = []
    for path in sorted(set(expected) | set(recorded)):
        want, got = expected.get(path, "no manifest.json entry"), recorded.get(path, "no record")
        if want != got:
            problems.append(RecordMismatch(f"record of {path}", want, got))
    return problems


def _items(parsed: list[Record], contents: BagContents) -> tuple[list[Problem], list[str]]:
    by_page: dict[str, list[Record]] = {}
    for record in parsed:
        if record.item is not None:
            by_page.setdefault(record.path, []).append(record)
    problems: list[Problem] = []
    limits: list[str] = []
    for path in sorted(set(by_page) | {p for p, v in contents.items.items() if isinstance(v, list)}):
        found = contents.items.get(path)
        if isinstance(found, str):
            limits.append(f"{path}: {found}")
            continue
        if found is None:
            continue  # not read (--fast, or unreadable: the archive layer says so)
        listed = sorted(by_page.get(path, []), key=lambda r: r.item or 0)
        if [r.item for r in listed] != list(range(len(found))):
            problems.append(
                RecordMismatch(f"item records of {path}", f"{len(found)} items", f"{len(listed)} records")
            )
            continue
        for record, (ident, sha256) in zip(listed, found, strict=True):
            if record.sha256 != sha256 or (ident is not None and record.id != ident):
                problems.append(
                    RecordMismatch(
                        f"record of item {record.item} of {path}",
                        f"{ident} {sha256}",
                        f"{record.id} {record.sha256}",
                    )
                )
    return problems, limits


def corroboration(
    obj: Mapping[str, Any] | None, contents: BagContents
) -> tuple[list[Problem], list[str], bool]:
    """(problems, notes, absent): the recorded corroboration recomputed from the stored pages and
    ``requests.jsonl``; its findings are stated as notes (they are facts of the run, not damage)."""
    recorded = corroboration_of(obj or {})
    if recorded is None:
        return [], [], True
    paths = sorted(
        str(e.get("path"))
        for e in (obj or {}).get("entries") or []
        if e.get("kind") == Kind.COMPLIANCE_ACCESS
    )
    if any(p not in contents.kept for p in paths):
        return [], ["corroboration not re-checked: a stored audit log page was not read"], False
    try:
        found = corroborate_bytes(
            contents.read_tag("requests.jsonl") or b"", [contents.kept[p] for p in paths]
        )
    except EvidenceError as exc:
        return [CorroborationMismatch("pages", "readable", exc.message)], [], False
    problems: list[Problem] = [
        CorroborationMismatch(
            key, json.dumps(recorded.get(key), sort_keys=True), json.dumps(value, sort_keys=True)
        )
        for key, value in sorted(found.items())
        if recorded.get(key) != value
    ]
    return problems, [f"corroboration: {verdict(found)}"], False


def _shown(value: Any) -> str:
    """A finding by its count, anything else as (at most 160 characters of) JSON."""
    if isinstance(value, Mapping) and "count" in value:
        return f"{value['count']} listed"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 160 else text[:157] + "..."
