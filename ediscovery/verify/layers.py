"""Layers: the checks of a bag's contents, one function per layer, each returning problems.

``bagit`` (completeness, both payload manifests, tag manifests, Payload-Oxum), ``manifest_json``
(every entry's size, md5, sha256 and sha512 against the bag, and the JSON Schema), ``custody``
(hash chain, the ending of a finished run, agreement with manifest.json and the receipt's chain
head) and ``transcripts`` (recorded source hashes). The archive-level layers live
in :mod:`ediscovery.verify.sidecar`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.bag import (
    ALGORITHMS,
    CUSTODY_LOG,
    PAYLOAD_DIR,
    is_tag_manifest,
    parse_bag_info,
    parse_manifest,
)
from ediscovery.evidence.canonical import printable
from ediscovery.evidence.custody import verify_chain
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.manifest import validate_manifest
from ediscovery.verify.contents import BagContents, nfc
from ediscovery.verify.problems import (
    BagFormatError,
    ChecksumMismatch,
    CustodyChainBroken,
    CustodyMismatch,
    CustodyTruncated,
    FileMissing,
    ManifestJsonMismatch,
    OxumMismatch,
    Problem,
    ReceiptMismatch,
    SchemaViolation,
    TagManifestMismatch,
    TranscriptSourceMismatch,
    UnexpectedFile,
)

Manifests = dict[str, dict[str, str]]
OWNED_TAGS = ("manifest.json", "custody.jsonl")
"""Tag files whose absence their own layer reports (once), not the tag manifest check."""


def _manifests(contents: BagContents, prefix: str, problems: list[Problem]) -> Manifests:
    out: Manifests = {}
    for algorithm in ALGORITHMS:
        name = f"{prefix}-{algorithm}.txt"
        data = contents.read_tag(name)
        if data is None:
            problems += contents.missing(name)
            continue
        try:
            out[algorithm] = parse_manifest(data, name=name)
        except EvidenceError as exc:
            problems.append(BagFormatError(name, exc.message))
    return out


def _completeness(contents: BagContents, manifests: Manifests) -> list[Problem]:
    problems: list[Problem] = []
    listed = {nfc(path) for lines in manifests.values() for path in lines}
    problems += [FileMissing(path) for path in sorted(listed) if contents.lookup(path) is None]
    for algorithm, lines in sorted(manifests.items()):
        covered = {nfc(path) for path in lines}
        problems += [
            UnexpectedFile(name, f"manifest-{algorithm}.txt")
            for name in contents.payload()
            if nfc(name) not in covered
        ]
    return problems


def _oxum(contents: BagContents) -> list[Problem]:
    data = contents.read_tag("bag-info.txt")
    if data is None:
        return contents.missing("bag-info.txt")
    recorded = dict(parse_bag_info(data)).get("Payload-Oxum")
    payload = contents.payload()
    found = f"{sum(contents.sizes[n] for n in payload)}.{len(payload)}"
    if recorded is None:
        return [BagFormatError("bag-info.txt", "no Payload-Oxum")]
    return [OxumMismatch(recorded, found)] if recorded.strip() != found else []


def _checksums(contents: BagContents, manifests: Manifests, tag: bool) -> list[Problem]:
    problems: list[Problem] = []
    for algorithm, lines in sorted(manifests.items()):
        for listed, expected in sorted(lines.items()):
            name = contents.lookup(listed)
            if name is None:
                if tag and listed not in OWNED_TAGS:
                    problems += contents.missing(listed)
                continue
            found = contents.digests.get(name, {}).get(algorithm)
            if found is not None and found != expected:
                kind = TagManifestMismatch if tag else ChecksumMismatch
                problems.append(kind(listed, algorithm, expected, found))
    return problems


def _uncovered_tags(contents: BagContents, tags: Manifests) -> list[Problem]:
    covered = {nfc(path) for path in tags.get("sha256", {})}
    return [
        UnexpectedFile(name, "tagmanifest-sha256.txt")
        for name in sorted(contents.sizes)
        if not name.startswith(PAYLOAD_DIR + "/") and not is_tag_manifest(name) and nfc(name) not in covered
    ]


def bagit(contents: BagContents, *, fast: bool) -> tuple[list[Problem], Manifests]:
    """Completeness, Payload-Oxum, and (unless fast) every payload and tag digest."""
    problems: list[Problem] = [
        BagFormatError(name, f"is a symbolic link (to {target!r}); a bag holds regular files only")
        for name, target in sorted(contents.links.items())
    ]
    if contents.read_tag("bagit.txt") is None:
        problems += contents.missing("bagit.txt")
    manifests = _manifests(contents, "manifest", problems)
    problems += _completeness(contents, manifests)
    problems += _oxum(contents)
    if fast:
        return problems, manifests
    problems += _checksums(contents, manifests, tag=False)
    tags = _manifests(contents, "tagmanifest", problems)
    problems += _checksums(contents, tags, tag=True)
    if "sha256" in tags:
        problems += _uncovered_tags(contents, tags)
    return problems, manifests


def load_manifest_json(contents: BagContents) -> tuple[dict[str, Any] | None, list[Problem]]:
    data = contents.read_tag("manifest.json")
    if data is None:
        return None, contents.missing("manifest.json", "manifest.json")
    try:
        obj = json.loads(data)
    except ValueError as exc:
        return None, [SchemaViolation(f"not JSON ({exc})")]
    if not isinstance(obj, dict):
        return None, [SchemaViolation("not a JSON object")]
    return obj, [SchemaViolation(message) for message in validate_manifest(obj)]


def _entry_problems(entry: Mapping[str, Any], contents: BagContents, manifests: Manifests) -> list[Problem]:
    path = str(entry.get("path"))
    name = contents.lookup(path)
    if name is None:
        return [ManifestJsonMismatch(path, "path", "no such payload file", "an entry")]
    problems: list[Problem] = []
    if entry.get("size") != contents.sizes[name]:
        problems.append(ManifestJsonMismatch(path, "size", str(contents.sizes[name]), str(entry.get("size"))))
    for algorithm in ALGORITHMS:
        bagit_value = manifests.get(algorithm, {}).get(path) or contents.digests.get(name, {}).get(algorithm)
        if bagit_value is not None and entry.get(algorithm) != bagit_value:
            problems.append(ManifestJsonMismatch(path, algorithm, bagit_value, str(entry.get(algorithm))))
    return problems + _md5_problems(entry, path, contents.digests.get(name, {}))


def _md5_problems(entry: Mapping[str, Any], path: str, found: Mapping[str, str]) -> list[Problem]:
    """The entry's ``md5`` against the file's, hashed in the same pass as its BagIt digests.

    Checked where the file's sha256 agrees with the entry: bytes that differ are already
    reported (checksum, CRC or sha256 mismatch), and their MD5 would only repeat it.
    """
    md5 = found.get("md5")
    if md5 is None or found.get("sha256") != entry.get("sha256") or entry.get("md5") == md5:
        return []
    return [ManifestJsonMismatch(path, "md5", md5, str(entry.get("md5")))]


def manifest_json(obj: Mapping[str, Any], contents: BagContents, manifests: Manifests) -> list[Problem]:
    """Every manifest.json entry agrees with the BagIt manifests and the files, and covers the payload."""
    entries = [e for e in obj.get("entries", []) if isinstance(e, dict)]
    problems: list[Problem] = []
    for entry in entries:
        problems += _entry_problems(entry, contents, manifests)
    described = {nfc(str(e.get("path"))) for e in entries}
    problems += [
        ManifestJsonMismatch(name, "entry", "a payload file", "no entry")
        for name in contents.payload()
        if nfc(name) not in described
    ]
    return problems + bag_info_agreement(obj, contents)


def bag_info_agreement(obj: Mapping[str, Any], contents: BagContents) -> list[Problem]:
    """``bag-info.txt`` says what manifest.json says: matter, run, custodians, zone, API version."""
    raw = contents.read_tag("bag-info.txt")
    if raw is None:
        return []
    found: dict[str, list[str]] = {}
    for label, value in parse_bag_info(raw):
        found.setdefault(label, []).append(value)
    custodians = [c for c in obj.get("custodians") or [] if isinstance(c, dict)]
    user_ids = sorted({str(u) for c in custodians for u in c.get("user_ids") or []})
    scope, api = obj.get("scope") or {}, obj.get("api") or {}
    expected: dict[str, list[Any]] = {
        "External-Identifier": [obj.get("matter")],
        "Collection-Run-Id": [obj.get("run_id")],
        "Custodian-Email": sorted(str(c["email"]) for c in custodians if c.get("email")),
        "Custodian-User-Ids": [", ".join(user_ids)],
        "Date-Range-Time-Zone": [scope.get("time_zone") if isinstance(scope, dict) else None],
        "API-Version": [api.get("version") if isinstance(api, dict) else None],
    }
    problems: list[Problem] = []
    for label, values in expected.items():
        want = [" ".join(printable(str(v)).split()) for v in values if v]
        got = [" ".join(v.split()) for v in found.get(label, [])]
        if got != want:
            problems.append(
                ManifestJsonMismatch("bag-info.txt", label, "; ".join(got) or "absent", "; ".join(want))
            )
    return problems


Event = tuple[int, dict[str, Any]]


@dataclass
class _Log:
    """What the custody layer needs from one streamed pass over ``custody.jsonl``."""

    stored: dict[str, tuple[int, str]] = field(default_factory=dict)
    last: Event | None = None
    finished: Event | None = None


def _read_log(path: Path) -> _Log:
    """The last event, the last ``run_finished`` and every ``item_stored`` (the last per path)."""
    log = _Log()
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            log.last = (number, event)
            details = _details(event)
            if event.get("action") == "item_stored":
                log.stored[nfc(str(details.get("path")))] = (number, str(details.get("sha256")))
            elif event.get("action") == "run_finished":
                log.finished = (number, event)
    return log


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    details = event.get("details")
    return details if isinstance(details, dict) else {}


def _entries(obj: Mapping[str, Any] | None) -> list[Mapping[str, Any]] | None:
    if obj is None or not isinstance(obj.get("entries"), list):
        return None
    return [e for e in obj["entries"] if isinstance(e, dict)]


def _ending(contents: BagContents, obj: Mapping[str, Any] | None, log: _Log) -> list[Problem]:
    """A finished run's log ends with ``run_finished`` (the final manifest.json's sha256), then
    ``bag_written`` as the very last event. A resumed finish may repeat the pair: the last counts."""
    if log.last is None:
        return [CustodyTruncated(None, "no custody event at all; a finished run ends with bag_written")]
    problems: list[Problem] = []
    number, last = log.last
    if last.get("action") != "bag_written":
        detail = (
            f"the log ends with {last.get('action')!r} (seq {last.get('seq')}), not bag_written: "
            "events were cut from its end, or the run never finished"
        )
        problems.append(CustodyTruncated(number, detail))
    else:
        problems += _bag_written(contents, number, last, _entries(obj))
    if log.finished is None:
        problems.append(
            CustodyTruncated(None, "no run_finished event: the log does not close the collection")
        )
    else:
        problems += _run_finished(contents, *log.finished)
    return problems


def _run_finished(contents: BagContents, number: int, event: Mapping[str, Any]) -> list[Problem]:
    actual = contents.digest("manifest.json" if "manifest.json" in contents.sizes else None)
    recorded = _details(event).get("manifest_sha256")
    if actual is None or recorded == actual:
        return []
    return [CustodyMismatch(number, "manifest.json", actual, str(recorded or "no manifest_sha256"))]


def _bag_written(
    contents: BagContents, number: int, event: Mapping[str, Any], entries: list[Mapping[str, Any]] | None
) -> list[Problem]:
    recorded = _details(event).get("entries")
    problems: list[Problem] = []
    if recorded is not None and entries is not None and recorded != len(entries):
        problems.append(CustodyMismatch(number, "manifest.json entries", str(len(entries)), str(recorded)))
    return problems + _anchored_tags(contents, number, _details(event).get("tag_files"))


def _anchored_tags(contents: BagContents, number: int, recorded: Any) -> list[Problem]:
    """Every tag file (but the custody log and tag manifests) has the sha256 ``bag_written`` recorded.

    Without this a tag file (bag-info.txt, requests.jsonl, a report) could be edited and the tag
    manifests recomputed, and the bag would still be consistent.
    """
    if not isinstance(recorded, dict):
        return []  # a bag written before tag files were anchored
    present = {
        name
        for name in contents.sizes
        if not name.startswith(PAYLOAD_DIR + "/") and not is_tag_manifest(name) and name != CUSTODY_LOG
    }
    problems: list[Problem] = []
    for name in sorted(present | set(recorded)):
        actual = contents.digest(name if name in present else None)
        expected = recorded.get(name, "not recorded by bag_written")
        if actual is not None and actual != expected:
            problems.append(CustodyMismatch(number, name, actual, str(expected)))
    return problems


def _stored_agreement(contents: BagContents, obj: Mapping[str, Any] | None, log: _Log) -> list[Problem]:
    """Every ``item_stored`` names an entry and the file's sha256; every stored entry has one."""
    entries = _entries(obj)
    described = None if entries is None else {nfc(str(e.get("path"))) for e in entries}
    problems: list[Problem] = []
    for path, (number, recorded) in sorted(log.stored.items()):
        if described is not None and path not in described:
            problems.append(CustodyMismatch(number, path, "no manifest.json entry", recorded))
            continue
        actual = contents.digest(contents.lookup(path))
        if actual is not None and actual != recorded:
            problems.append(CustodyMismatch(number, path, actual, recorded))
    for entry in entries or []:
        path = nfc(str(entry.get("path")))
        if (
            entry.get("kind") != Kind.TRANSCRIPT
            and entry.get("status", "ok") == "ok"
            and path not in log.stored
        ):
            problems.append(CustodyMismatch(None, path, str(entry.get("sha256")), "no item_stored event"))
    return problems


def _chain(path: Path, expected_head: str | None) -> list[Problem]:
    """Breaks in the hash chain; a head other than the receipt's is the receipt's finding."""
    problems: list[Problem] = []
    for p in verify_chain(path, expected_head=expected_head):
        if expected_head is not None and p.line == 0 and p.expected == expected_head:
            problems.append(ReceiptMismatch("custody_event.hash", expected_head, str(p.found)))
        else:
            problems.append(CustodyChainBroken(p.line, p.message, p.expected, p.found))
    return problems


def custody(
    contents: BagContents, obj: Mapping[str, Any] | None, *, expected_head: str | None = None
) -> list[Problem]:
    """The hash chain is unbroken, ends as a finished run ends, and agrees with manifest.json and
    the files. ``expected_head`` (the receipt's ``custody_event.hash``) catches a cut-off tail
    even when the tag manifests were recomputed; a mismatch is a (sidecar) ``ReceiptMismatch``.
    """
    path = contents.tag_path("custody.jsonl")
    if path is None:
        return contents.missing("custody.jsonl", "custody")
    log = _read_log(path)
    return _chain(path, expected_head) + _ending(contents, obj, log) + _stored_agreement(contents, obj, log)


def transcripts(obj: Mapping[str, Any] | None, contents: BagContents) -> list[Problem]:
    """Each transcript's recorded source hashes equal the natives' actual hashes."""
    problems: list[Problem] = []
    for entry in (obj or {}).get("entries", []):
        if not isinstance(entry, dict) or entry.get("kind") != Kind.TRANSCRIPT:
            continue
        for source in (entry.get("metadata") or {}).get("sources") or []:
            actual = contents.digest(contents.lookup(str(source.get("path"))))
            if actual is not None and actual != source.get("sha256"):
                problems.append(
                    TranscriptSourceMismatch(
                        str(entry.get("path")), str(source.get("path")), str(source.get("sha256")), actual
                    )
                )
    return problems
