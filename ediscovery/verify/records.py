"""The ``records`` layer: ``records.jsonl`` against its Merkle root, the manifest and the natives.

The root recomputed from the record lines must be the one ``manifest.json`` holds (and the
receipt, checked by the sidecar layer); every native entry has its whole-file record with the
entry's SHA-256 and no record names a file the manifest does not list; every item record has
the digest (and id) of the item re-hashed from its page as the page was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.kinds import KINDS, Kind
from ediscovery.evidence.records import RECORDS_FILE, Record, parse_records, records_root
from ediscovery.verify.contents import BagContents
from ediscovery.verify.problems import Problem, RecordMismatch


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
