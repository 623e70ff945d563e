"""Layers: the checks of a bag's contents, one function per layer, each returning problems.

``bagit`` (completeness, both payload manifests, tag manifests, Payload-Oxum), ``manifest_json``
(agreement with the BagIt manifests and the JSON Schema), ``custody`` (hash chain and agreement
with manifest.json) and ``transcripts`` (recorded source hashes). The archive-level layers live
in :mod:`ediscovery.verify.sidecar`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.bag import ALGORITHMS, PAYLOAD_DIR, is_tag_manifest, parse_bag_info, parse_manifest
from ediscovery.evidence.custody import verify_chain
from ediscovery.evidence.manifest import validate_manifest
from ediscovery.verify.contents import BagContents, nfc
from ediscovery.verify.problems import (
    BagFormatError,
    ChecksumMismatch,
    CustodyChainBroken,
    CustodyMismatch,
    FileMissing,
    ManifestJsonMismatch,
    OxumMismatch,
    Problem,
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
    problems: list[Problem] = []
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
    return problems


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
    return problems


def _events(contents: BagContents) -> list[tuple[int, dict[str, Any]]]:
    data = contents.read_tag("custody.jsonl") or b""
    events: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append((number, event))
    return events


def _custody_agreement(
    contents: BagContents, obj: Mapping[str, Any] | None, events: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    problems: list[Problem] = []
    stored: dict[str, tuple[int, str]] = {}
    for number, event in events:
        details = event.get("details") or {}
        if event.get("action") == "item_stored" and isinstance(details, dict):
            stored[nfc(str(details.get("path")))] = (number, str(details.get("sha256")))
        if (
            event.get("action") == "run_finished"
            and isinstance(details, dict)
            and "manifest_sha256" in details
        ):
            actual = contents.digest("manifest.json" if "manifest.json" in contents.sizes else None)
            if actual is not None and details["manifest_sha256"] != actual:
                problems.append(
                    CustodyMismatch(number, "manifest.json", actual, str(details["manifest_sha256"]))
                )
    for path, (number, recorded) in sorted(stored.items()):
        actual = contents.digest(contents.lookup(path))
        if actual is not None and actual != recorded:
            problems.append(CustodyMismatch(number, path, actual, recorded))
    for entry in (obj or {}).get("entries", []):
        path = nfc(str(entry.get("path")))
        if entry.get("kind") != "transcript" and entry.get("status", "ok") == "ok" and path not in stored:
            problems.append(CustodyMismatch(None, path, str(entry.get("sha256")), "no item_stored event"))
    return problems


def custody(contents: BagContents, obj: Mapping[str, Any] | None) -> list[Problem]:
    """The hash chain is unbroken and agrees with manifest.json and the files."""
    path = contents.tag_path("custody.jsonl")
    if path is None:
        return contents.missing("custody.jsonl", "custody")
    problems: list[Problem] = [
        CustodyChainBroken(p.line, p.message, p.expected, p.found) for p in verify_chain(path)
    ]
    return problems + _custody_agreement(contents, obj, _events(contents))


def transcripts(obj: Mapping[str, Any] | None, contents: BagContents) -> list[Problem]:
    """Each transcript's recorded source hashes equal the natives' actual hashes."""
    problems: list[Problem] = []
    for entry in (obj or {}).get("entries", []):
        if not isinstance(entry, dict) or entry.get("kind") != "transcript":
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
