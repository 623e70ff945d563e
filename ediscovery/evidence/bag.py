"""Bag: the BagIt 1.0 (RFC 8493) files that turn a run directory into a self-describing bag.

This module owns ``bagit.txt``, ``bag-info.txt``, the payload manifests
(``manifest-sha256.txt``, ``manifest-sha512.txt`` over ``data/``), the tag manifests
(``tagmanifest-sha256.txt``, ``tagmanifest-sha512.txt`` over every other file) and
``VERIFY.txt`` (how to check the bag with standard tools only). It also owns reading those
files back (``parse_manifest``, ``parse_bag_info``) so the verifier and the writer agree on one
format. Manifest paths are bag-relative with ``/`` separators, ``%``, CR and LF percent-encoded,
lines sorted by path: the same bag always gives the same bytes. Requirements are stated as a
BagIt Profile in ``manifests/bagit-profile.json``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ediscovery import __version__
from ediscovery.errors import EvidenceError
from ediscovery.evidence.canonical import encode_text
from ediscovery.evidence.digest import Digests, hash_file
from ediscovery.evidence.store import atomic_write

ALGORITHMS = ("sha256", "sha512")
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
PAYLOAD_DIR = "data"
PROFILE_IDENTIFIER = "urn:ediscovery:bagit-profile:1"
SOFTWARE_AGENT = f"ediscovery {__version__}"


@dataclass(frozen=True)
class BagInfo:
    """The metadata written to ``bag-info.txt`` (``Payload-Oxum`` is computed)."""

    source_organization: str
    external_identifier: str
    bagging_date: str
    collection_run_id: str
    collector: str
    custodian_emails: tuple[str, ...] = ()
    custodian_user_ids: tuple[str, ...] = ()
    date_range_from: str | None = None
    date_range_to: str | None = None
    date_range_time_zone: str = "UTC"
    source_system: str = "Claude Enterprise (Anthropic Compliance API)"
    api_version: str = "2023-06-01"
    software_agent: str = SOFTWARE_AGENT
    previous_run_id: str | None = None  # an incremental run: the run it continues
    previous_manifest_sha256: str | None = None
    data_retention: str | None = None  # the retention policies in force, as one line

    def labels(self, payload_oxum: str) -> list[tuple[str, str]]:
        """The ``(label, value)`` pairs in file order; unset optional values are left out."""
        pairs = [
            ("Source-Organization", self.source_organization),
            ("External-Identifier", self.external_identifier),
            ("Bagging-Date", self.bagging_date),
            ("Payload-Oxum", payload_oxum),
            ("Bag-Software-Agent", self.software_agent),
            ("BagIt-Profile-Identifier", PROFILE_IDENTIFIER),
        ]
        pairs += [("Custodian-Email", email) for email in self.custodian_emails]
        pairs += [
            ("Custodian-User-Ids", ", ".join(self.custodian_user_ids)),
            ("Date-Range-From", self.date_range_from or ""),
            ("Date-Range-To", self.date_range_to or ""),
            ("Date-Range-Time-Zone", self.date_range_time_zone),
            ("Source-System", self.source_system),
            ("API-Version", self.api_version),
            ("Collection-Run-Id", self.collection_run_id),
            ("Collector", self.collector),
            ("Data-Retention", self.data_retention or ""),
        ]
        if self.previous_run_id:
            pairs.append(("Previous-Run-Id", self.previous_run_id))
            pairs.append(("Previous-Manifest-SHA256", self.previous_manifest_sha256 or ""))
        return [(label, _one_line(value)) for label, value in pairs if value]


CUSTODY_LOG = "custody.jsonl"


@dataclass(frozen=True)
class BagSummary:
    """What ``write_bag`` wrote: payload totals and the tag files it covered."""

    payload_oxum: str
    payload_files: int
    payload_bytes: int
    hashed_files: int
    tag_files: tuple[str, ...]


def _one_line(value: str) -> str:
    return " ".join(value.split("\n")).replace("\r", " ")


def encode_path(relpath: str) -> str:
    """Percent-encode ``%``, CR and LF of a manifest path (RFC 8493 section 2.1.3)."""
    return relpath.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def decode_path(encoded: str) -> str:
    """Undo :func:`encode_path` (also accepts lower-case hex)."""
    out = encoded.replace("%0D", "\r").replace("%0d", "\r").replace("%0A", "\n").replace("%0a", "\n")
    return out.replace("%25", "%")


def manifest_bytes(digests: Mapping[str, str]) -> bytes:
    """``<hex>  <path>`` lines sorted by path, the format ``sha256sum -c`` reads."""
    lines = [f"{digests[path]}  {encode_path(path)}\n" for path in sorted(digests)]
    return "".join(lines).encode("utf-8")


def parse_manifest(data: bytes, *, name: str = "manifest") -> dict[str, str]:
    """Read a (tag) manifest into ``{path: lowercase hex}``; malformed lines raise EvidenceError."""
    out: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, path = line.partition(" ")
        path = path.lstrip(" ").lstrip("*")
        if not sep or not path or not digest:
            raise EvidenceError(f"{name} line {number} is not '<digest>  <path>': {line[:80]!r}.")
        out[decode_path(path)] = digest.lower()
    return out


def parse_bag_info(data: bytes) -> list[tuple[str, str]]:
    """Read ``bag-info.txt`` into ``(label, value)`` pairs, joining continuation lines."""
    pairs: list[tuple[str, str]] = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        if line[:1] in (" ", "\t") and pairs:
            label, value = pairs[-1]
            pairs[-1] = (label, f"{value} {line.strip()}")
        elif ":" in line:
            label, _, value = line.partition(":")
            pairs.append((label.strip(), value.strip()))
    return pairs


def payload_oxum(sizes: Iterable[int]) -> str:
    """``<octets>.<file count>`` of the payload."""
    total = count = 0
    for size in sizes:
        total += size
        count += 1
    return f"{total}.{count}"


def _walk(root: Path, start: Path) -> list[str]:
    found: list[str] = []
    for folder, _dirs, files in os.walk(start):
        found.extend(Path(folder, name).relative_to(root).as_posix() for name in files)
    return sorted(found)


def list_bag_files(bag_root: Path | str) -> list[str]:
    """Bag-relative paths of every file in the bag (payload and tag files), sorted."""
    root = Path(bag_root)
    return _walk(root, root)


def list_payload(bag_root: Path | str) -> list[str]:
    """Bag-relative paths of every file under ``data/``, sorted."""
    root = Path(bag_root)
    return _walk(root, root / PAYLOAD_DIR) if (root / PAYLOAD_DIR).is_dir() else []


def is_tag_manifest(relpath: str) -> bool:
    return relpath.startswith("tagmanifest-") and "/" not in relpath


def list_tag_files(bag_root: Path | str) -> list[str]:
    """Every file outside ``data/`` except the tag manifests themselves, sorted."""
    root = Path(bag_root)
    every = _walk(root, root)
    return [p for p in every if not p.startswith(PAYLOAD_DIR + "/") and not is_tag_manifest(p)]


def _payload_digests(root: Path, known: Mapping[str, Digests]) -> tuple[dict[str, Digests], int]:
    out: dict[str, Digests] = {}
    hashed = 0
    for rel in list_payload(root):
        digests = known.get(rel)
        if digests is None:
            try:
                digests = hash_file(root / rel)
            except OSError as exc:
                raise EvidenceError(f"Cannot read payload file {rel}: {exc}.", path=root / rel) from exc
            hashed += 1
        out[rel] = digests
    return out, hashed


def _write_manifests(root: Path, prefix: str, digests: Mapping[str, Digests]) -> None:
    for algorithm in ALGORITHMS:
        lines = {path: getattr(d, algorithm) for path, d in digests.items()}
        atomic_write(root / f"{prefix}-{algorithm}.txt", manifest_bytes(lines))


def _bag_info_bytes(info: BagInfo, oxum: str) -> bytes:
    return encode_text("".join(f"{label}: {value}\n" for label, value in info.labels(oxum)))


@dataclass(frozen=True)
class PreparedBag:
    """The BagIt files of a bag, computed but not yet written (see :func:`prepare_bag`)."""

    root: Path
    files: Mapping[str, bytes]
    payload: Mapping[str, Digests]
    hashed: int

    def tag_sha256(self) -> dict[str, str]:
        """The sha256 of every tag file the bag will hold except ``custody.jsonl`` and the tag
        manifests: what the custody log's ``bag_written`` event anchors."""
        digests = {name: hashlib.sha256(data).hexdigest() for name, data in self.files.items()}
        for rel in list_tag_files(self.root):
            if rel not in digests and rel != CUSTODY_LOG:
                digests[rel] = hash_file(self.root / rel).sha256
        return dict(sorted(digests.items()))

    def write(self) -> BagSummary:
        """Write the files, then the tag manifests over every file outside ``data/``."""
        for name, data in self.files.items():
            atomic_write(self.root / name, data)
        tag_files = list_tag_files(self.root)
        _write_manifests(self.root, "tagmanifest", {rel: hash_file(self.root / rel) for rel in tag_files})
        return BagSummary(
            payload_oxum=payload_oxum(d.size for d in self.payload.values()),
            payload_files=len(self.payload),
            payload_bytes=sum(d.size for d in self.payload.values()),
            hashed_files=self.hashed,
            tag_files=tuple(tag_files),
        )


def prepare_bag(
    bag_root: Path | str,
    info: BagInfo,
    *,
    known_digests: Mapping[str, Digests] | None = None,
    encrypted: bool = False,
    split: bool = False,
) -> PreparedBag:
    """Compute ``bagit.txt``, ``bag-info.txt``, the payload manifests and ``VERIFY.txt``.

    ``known_digests`` maps bag-relative payload paths to the digests computed while the files
    streamed in; payload files not in it are hashed once. ``encrypted`` and ``split`` say how
    the archive will be sealed, for the commands of ``VERIFY.txt``.
    """
    root = Path(bag_root)
    if not root.is_dir():
        raise EvidenceError(f"Bag folder {root} does not exist.", path=root)
    payload, hashed = _payload_digests(root, known_digests or {})
    oxum = payload_oxum(d.size for d in payload.values())
    files = {"bagit.txt": BAGIT_TXT, "bag-info.txt": _bag_info_bytes(info, oxum)}
    for algorithm in ALGORITHMS:
        lines = {path: getattr(d, algorithm) for path, d in payload.items()}
        files[f"manifest-{algorithm}.txt"] = manifest_bytes(lines)
    files["VERIFY.txt"] = verify_instructions(root.name, encrypted=encrypted, split=split).encode("utf-8")
    return PreparedBag(root, files, payload, hashed)


def write_bag(
    bag_root: Path | str, info: BagInfo, *, known_digests: Mapping[str, Digests] | None = None
) -> BagSummary:
    """Write every BagIt file of ``bag_root`` (:func:`prepare_bag`, then :meth:`PreparedBag.write`).

    Tag manifests are written last and cover every other file outside ``data/`` (manifest.json,
    custody.jsonl, reports, VERIFY.txt …).
    """
    return prepare_bag(bag_root, info, known_digests=known_digests).write()


CHAIN_CHECK = (
    "python3 -c 'import hashlib, json; "
    'events = [json.loads(line) for line in open("custody.jsonl", "rb")]; '
    'hashes = [e.pop("hash") for e in events]; canon = lambda e: json.dumps(e, sort_keys=True, '
    'ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace"); '
    'ok = all(e["seq"] == i + 1 and e["prev_hash"] == (hashes[i - 1] if i else "0" * 64) and '
    "hashlib.sha256(canon(e)).hexdigest() == hashes[i] for i, e in enumerate(events)); "
    'print("custody chain:", "OK" if ok else "BROKEN", len(events), "events"); '
    "raise SystemExit(not ok)'"
)
"""Step 5 of ``VERIFY.txt``: the custody hash chain checked with Python's standard library."""

RECORDS_CHECK = (
    "python3 -c 'import hashlib, json; H = lambda b: hashlib.sha256(b).digest(); "
    "K = lambda n: 1 << (len(n) - 1).bit_length() - 1; "
    'R = lambda n: n[0] if len(n) == 1 else H(b"") if not n else H(b"\\x01" + R(n[:K(n)]) + R(n[K(n):])); '
    'root = R([H(b"\\x00" + line) for line in open("records.jsonl", "rb").read().split(b"\\n")[:-1]]).hex(); '
    'want = json.load(open("manifest.json", "rb"))["records"]["root"]; '
    'print("records root:", root, "OK" if root == want else "DIFFERS from manifest.json " + want); '
    "raise SystemExit(root != want)'"
)
"""Step 7 of ``VERIFY.txt``: the records' Merkle root recomputed with Python's standard library."""


VERIFY_TEMPLATE = """HOW TO VERIFY THIS EVIDENCE WITH STANDARD TOOLS

{bag_name} is a BagIt 1.0 bag (RFC 8493) sealed into {archive}{volumes}.
Nothing below needs ediscovery: sha256sum and sha512sum (coreutils), 7zz (Debian and Ubuntu
package 7zip; 7z from p7zip works the same), bagit.py (pip install bagit) and python3.
Run the indented commands in order, in one shell, starting in the folder that holds {archive}.
Each must end without an error.

1. The archive against its sidecar, then every member's CRC:
     sha256sum -c {bag_name}.7z.sha256
     7zz t {archive}
{asks}
2. Extract it into a new folder (the folder {bag_name} may already lie beside the archive):
     7zz x -oextracted {archive}
     cd extracted/{bag_name}
{asks}
3. The payload and tag files against the BagIt manifests, and no file that is not listed:
     sha256sum -c --quiet manifest-sha256.txt
     sha512sum -c --quiet manifest-sha512.txt
     sha256sum -c --quiet tagmanifest-sha256.txt
     sha512sum -c --quiet tagmanifest-sha512.txt
     find data -type f | LC_ALL=C sort > ../files.txt
     cut -c67- manifest-sha256.txt | LC_ALL=C sort | cmp - ../files.txt

4. The whole bag with the Library of Congress tool:
     cd ..
     bagit.py --validate {bag_name}

5. The chain-of-custody log: each line's SHA-256 over the line without its "hash" member, as
   compact JSON with sorted keys in UTF-8, equals its "hash"; "prev_hash" is the previous line's
   "hash" (64 zeros on line 1) and "seq" counts up from 1:
     cd {bag_name}
     {chain_check}
   The last "run_finished" event's manifest_sha256 must equal the sha256 of manifest.json:
     grep -o '"manifest_sha256":"[0-9a-f]*"' custody.jsonl | tail -n 1
     sha256sum manifest.json

6. manifest.json lists every payload file with its size, md5, sha256 and sha512, which agree with
   the BagIt manifests; each "item_stored" custody event names one of them. Transcripts
   (data/transcripts/...) list the sha256 of the natives they were rendered from under
   metadata.sources. The last custody event, "bag_written", records the sha256 of every tag file.

7. The record hashes: the RFC 6962 Merkle root over the lines of records.jsonl (leaf: SHA-256 of
   0x00 and the line; node: SHA-256 of 0x01, left and right) equals the root in manifest.json,
   the custody log's "run_finished" and the archive's receipt (docs/records.md):
     {records_check}
"""
"""``VERIFY.txt``; its fields are filled in by :func:`verify_instructions`."""


def verify_instructions(bag_name: str, *, encrypted: bool = False, split: bool = False) -> str:
    """The text of ``VERIFY.txt``: checking this bag's archive with standard tools only.

    Every indented line is a command, run in order in one shell from the folder that holds the
    archive (``encrypted``: 7-Zip asks for the password; ``split``: the volumes ``.7z.001`` …).
    """
    return VERIFY_TEMPLATE.format(
        bag_name=bag_name,
        archive=f"{bag_name}.7z.001" if split else f"{bag_name}.7z",
        volumes=" and the volumes after it" if split else "",
        asks="   7-Zip asks for the archive's password.\n" if encrypted else "",
        chain_check=CHAIN_CHECK,
        records_check=RECORDS_CHECK,
    )
