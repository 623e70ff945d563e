"""Sidecar: checks of a sealed archive against its ``.sha256`` sidecar and ``.receipt.json``.

Runs before the archive is opened, on the files as they lie on disk; the receipt's bag facts
(Payload-Oxum, manifest digests) are compared once the bag's contents have been read, and its
``custody_event.hash`` is the chain head the custody layer expects. A bag folder is checked
against the receipt its archive left beside it (``<bag>.7z.receipt.json``), when there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery.archive import archive_base, attest, volume_paths
from ediscovery.archive.attestation import signature_path, signer_path, token_path
from ediscovery.errors import EvidenceError
from ediscovery.evidence.bag import parse_bag_info
from ediscovery.evidence.digest import sha256_files
from ediscovery.evidence.records import RECORDS_FILE, parse_records, records_root
from ediscovery.verify.contents import BagContents
from ediscovery.verify.problems import AttestationFailed, Problem, ReceiptMismatch, SidecarMismatch


def _sha256(paths: list[Path]) -> str:
    return sha256_files(paths)


def check_sidecar(archive: Path, computed: dict[str, str]) -> tuple[list[Problem], bool]:
    """Each volume's sha256 against ``<archive>.sha256``; returns (problems, sidecar present).

    The sidecar must describe this archive: a line naming any other file (another archive in
    the same folder) is a problem and that file is not hashed, and so is a volume it leaves out.
    The digests computed are left in ``computed`` (by file name) for the receipt check.
    """
    sidecar = Path(f"{archive_base(archive)}.sha256")
    if not sidecar.is_file():
        return [], False
    volumes = {v.name for v in volume_paths(archive)}
    problems: list[Problem] = []
    listed: set[str] = set()
    for line in sidecar.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        digest, _, raw = line.partition("  ")
        name = raw.strip().lstrip("*")
        target = archive.parent / name
        if name not in volumes:
            problems.append(SidecarMismatch(name, digest, f"not a volume of {archive.name}"))
        elif not target.is_file():
            problems.append(SidecarMismatch(name, digest, "missing"))
        else:
            listed.add(name)
            found = computed[name] = _sha256([target])
            if found != digest.lower():
                problems.append(SidecarMismatch(name, digest, found))
    problems += [SidecarMismatch(name, "not listed", "a volume") for name in sorted(volumes - listed)]
    return problems, True


def load_receipt(archive: Path) -> dict[str, Any] | None:
    """The archive's ``<archive>.receipt.json`` (``{}`` when unreadable), None when absent."""
    return _read_receipt(Path(f"{archive_base(archive)}.receipt.json"))


def receipt_beside_bag(bag: Path) -> dict[str, Any] | None:
    """The receipt of the archive sealed from a bag folder, where the pipeline leaves it:
    ``<bag>.7z.receipt.json`` in the bag's parent folder."""
    return _read_receipt(bag.parent / f"{bag.name}.7z.receipt.json")


def receipt_head(receipt: dict[str, Any] | None) -> str | None:
    """The custody chain head the receipt recorded (its ``custody_event.hash``), if any."""
    event = (receipt or {}).get("custody_event")
    head = event.get("hash") if isinstance(event, dict) else None
    return head if isinstance(head, str) else None


def _read_receipt(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        receipt = json.loads(path.read_bytes())
    except ValueError:
        return {}
    return receipt if isinstance(receipt, dict) else {}


def check_receipt_archive(archive: Path, receipt: dict[str, Any], computed: dict[str, str]) -> list[Problem]:
    """The archive's whole sha256 and size against the receipt (reusing a single volume's digest)."""
    facts = receipt.get("archive") or {}
    volumes = volume_paths(archive)
    whole = computed.get(volumes[0].name) if len(volumes) == 1 else None
    found = {"sha256": whole or _sha256(volumes), "size": sum(v.stat().st_size for v in volumes)}
    return [
        ReceiptMismatch(f"archive.{key}", str(facts.get(key)), str(value))
        for key, value in found.items()
        if facts.get(key) != value
    ]


_UNKNOWN = "(not read)"


def _tag_sha256(contents: BagContents, name: str) -> str | None:
    """The sha256 of a tag file (None when absent, as the receipt records it); ``_UNKNOWN`` when
    it was not read (``--fast``) or could not be (the archive layer reports that)."""
    if name not in contents.sizes:
        return None
    return contents.digests.get(name, {}).get("sha256", _UNKNOWN)


def _records_root(contents: BagContents) -> str | None:
    """The Merkle root of the bag's ``records.jsonl`` (None when absent or unreadable)."""
    data = contents.read_tag(RECORDS_FILE)
    if data is None:
        return _UNKNOWN if RECORDS_FILE in contents.unreadable else None
    try:
        return records_root(parse_records(data))
    except EvidenceError:
        return "unreadable records.jsonl"


def check_receipt_bag(receipt: dict[str, Any], contents: BagContents) -> list[Problem]:
    """The receipt's bag facts against the bag read from the archive (facts not read are skipped)."""
    facts = receipt.get("bag") or {}
    info = dict(parse_bag_info(contents.read_tag("bag-info.txt") or b""))
    found: dict[str, Any] = {
        "payload_oxum": info.get("Payload-Oxum") if "bag-info.txt" not in contents.unreadable else _UNKNOWN,
        "manifest_json_sha256": _tag_sha256(contents, "manifest.json"),
    }
    for name in facts.get("bagit_manifests_sha256") or {}:
        found[f"bagit_manifests_sha256.{name}"] = _tag_sha256(contents, name)
    if facts.get("records_root") is not None:  # receipts of bags with record hashes
        found["records_root"] = _records_root(contents)
    problems: list[Problem] = []
    for key, value in found.items():
        recorded: Any = facts
        for part in key.split(".", 1):
            recorded = recorded.get(part) if isinstance(recorded, dict) else None
        if value != _UNKNOWN and recorded != value:
            problems.append(ReceiptMismatch(f"bag.{key}", str(recorded), str(value)))
    return problems


@dataclass(frozen=True)
class Anchors:
    """What the user trusts: the TSA root(s) (``--tsa-cert``) and the signer(s) (``--trust``)."""

    tsa_roots: tuple[Path, ...] = ()
    signers: tuple[Path, ...] = ()


def receipt_path_of(target: Path) -> Path:
    """Where the receipt of an archive, or of the archive sealed from a bag folder, lies."""
    if target.is_dir():
        return target.parent / f"{target.name}.7z.receipt.json"
    return Path(f"{archive_base(target)}.receipt.json")


def check_attestation(
    receipt: Path, anchors: Anchors, *, required: bool = True
) -> tuple[list[Problem], list[str]]:
    """The receipt's time-stamp and signature, each checked when present (and, when ``required``,
    demanded when its trust anchor is given); returns (problems, notes naming what each showed)."""
    if not receipt.is_file():
        return [], []
    data = receipt.read_bytes()
    token, signature, signer = (
        token_path(receipt),
        signature_path(receipt),
        signer_path(receipt),
    )
    findings: list[attest.Finding] = []
    if token.is_file():
        roots = attest.load_certificates(list(anchors.tsa_roots))
        findings.append(attest.check_token(data, token.read_bytes(), roots))
    elif anchors.tsa_roots and required:
        findings.append(attest.Finding(False, "time-stamp", f"none beside the receipt ({token.name})"))
    if signature.is_file() and signer.is_file():
        trust = attest.load_certificates(list(anchors.signers))
        findings.append(attest.check_signature(data, signature.read_bytes(), signer.read_bytes(), trust))
    elif anchors.signers and required:
        findings.append(attest.Finding(False, "signature", f"none beside the receipt ({signature.name})"))
    problems: list[Problem] = [AttestationFailed(f.what, f.detail) for f in findings if not f.ok]
    return problems, [f"{f.what}: {f.detail}" for f in findings if f.ok]


PREVIOUS_DIR = "previous/"


def check_previous(contents: BagContents, obj: Any, anchors: Anchors) -> tuple[list[Problem], list[str]]:
    """The receipt an incremental run carried from the run it built on (``collect.lineage``):
    it must name the manifest this run's ``previous_run`` names, and its attestation must hold."""
    problems: list[Problem] = []
    notes: list[str] = []
    expected = ((obj or {}).get("previous_run") or {}).get("manifest_sha256")
    for name in sorted(
        n for n in contents.sizes if n.startswith(PREVIOUS_DIR) and n.endswith(".receipt.json")
    ):
        path = contents.tag_path(name)
        if path is None:
            continue
        said = ((_read_receipt(path) or {}).get("bag") or {}).get("manifest_json_sha256")
        if expected is not None and said != expected:
            problems.append(ReceiptMismatch(f"{name} bag.manifest_json_sha256", str(expected), str(said)))
        found, seen = check_attestation(path, anchors, required=False)
        problems += found
        notes += [f"previous run's {note}" for note in seen]
    return problems, notes
