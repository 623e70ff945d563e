"""Verify: layered verification of a sealed archive or a bag folder, collecting every problem.

Layers, in order: ``sidecar`` (archive vs ``.sha256`` and ``.receipt.json``; a bag folder vs the
receipt beside it), ``archive`` (opens, every member's CRC; a damaged member is reported and
reading goes on, and members a damaged solid folder keeps out of reach are named as not
checked), ``bagit`` (completeness, both
payload manifests, tag manifests, Payload-Oxum), ``manifest.json`` (every entry's size, md5,
sha256 and sha512 agree with the bag; valid against its schema), ``custody`` (hash chain intact,
ending with ``run_finished`` then ``bag_written``, agreeing with manifest.json, its head equal to
the receipt's ``custody_event``) and ``transcripts`` (recorded source hashes).
``fast=True`` stops after completeness and Payload-Oxum; on an archive it decompresses only
``bagit.txt``, ``bag-info.txt`` and the payload manifests. A wrong password raises
:class:`~ediscovery.errors.WrongPasswordError`; every other finding is a typed problem.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery.archive import MemberDamage
from ediscovery.corroborate import REPORT, check_corroboration, sidecar_folder
from ediscovery.errors import ArchiveError, WrongPasswordError
from ediscovery.verify import layers, sidecar
from ediscovery.verify.contents import BagContents, from_archive, from_directory
from ediscovery.verify.problems import (
    LAYERS,
    ArchiveCorrupt,
    BagFormatError,
    ChecksumMismatch,
    CustodyChainBroken,
    CustodyMismatch,
    CustodyTruncated,
    FileMissing,
    ManifestJsonMismatch,
    MemberCorrupt,
    MemberUnchecked,
    OxumMismatch,
    Problem,
    ReceiptMismatch,
    SchemaViolation,
    SidecarMismatch,
    TagManifestMismatch,
    TranscriptSourceMismatch,
    UnexpectedFile,
)
from ediscovery.verify.records import corroboration as corroboration_layer
from ediscovery.verify.records import records as records_layer

Reporter = Callable[[str, str], None]

__all__ = [
    "ArchiveCorrupt",
    "BagFormatError",
    "ChecksumMismatch",
    "CustodyChainBroken",
    "CustodyMismatch",
    "CustodyTruncated",
    "FileMissing",
    "LayerResult",
    "ManifestJsonMismatch",
    "MemberCorrupt",
    "MemberUnchecked",
    "OxumMismatch",
    "Problem",
    "ReceiptMismatch",
    "Reporter",
    "SchemaViolation",
    "SidecarMismatch",
    "TagManifestMismatch",
    "TranscriptSourceMismatch",
    "UnexpectedFile",
    "VerifyReport",
    "verify",
]


@dataclass(frozen=True)
class LayerResult:
    """How one layer went: ``ok``, ``failed``, ``incomplete`` (no problem found, but members it
    needed could not be read out of the archive), ``absent`` (there was nothing to check
    against: no sidecar and no receipt) or ``skipped`` (with why)."""

    name: str
    status: str
    problems: int = 0
    note: str = ""

    def describe(self) -> str:
        if self.status == "failed":
            return f"{self.name}: {self.problems} problem{'s' if self.problems != 1 else ''}"
        return f"{self.name}: {self.status}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class VerifyReport:
    """Everything verification found."""

    path: str
    source: str
    fast: bool
    layers: tuple[LayerResult, ...]
    problems: tuple[Problem, ...]
    limits: tuple[str, ...] = ()
    """What this verification could not establish (said beside VALID, never hidden by it)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "source": self.source,
            "fast": self.fast,
            "valid": self.ok,
            "layers": [vars(layer) for layer in self.layers],
            "problems": [problem.to_dict() for problem in self.problems],
            "limits": list(self.limits),
        }


class _Run:
    def __init__(self, reporter: Reporter | None) -> None:
        self.results: dict[str, LayerResult] = {}
        self.problems: list[Problem] = []
        self.limits: list[str] = []
        self._reporter = reporter

    def record(
        self,
        layer: str,
        found: list[Problem],
        note: str = "",
        *,
        incomplete: bool = False,
        absent: bool = False,
    ) -> None:
        self.problems += found
        previous = self.results.get(layer)
        count = len(found) + (previous.problems if previous else 0)
        status = "failed" if count else "absent" if absent else "incomplete" if incomplete else "ok"
        self.results[layer] = LayerResult(layer, status, count, note or (previous.note if previous else ""))
        if self._reporter is not None:
            self._reporter(layer, self.results[layer].describe())

    def skip(self, layer: str, note: str) -> None:
        self.results.setdefault(layer, LayerResult(layer, "skipped", 0, note))

    def report(self, path: Path, source: str, fast: bool) -> VerifyReport:
        for layer in LAYERS:
            self.skip(layer, "not run")
        return VerifyReport(
            str(path),
            source,
            fast,
            tuple(self.results[n] for n in LAYERS),
            tuple(self.problems),
            tuple(self.limits),
        )


def _bag_layers(
    run: _Run, contents: BagContents, fast: bool, receipt: dict[str, Any] | None, anchors: sidecar.Anchors
) -> None:
    gap = len(contents.unreadable)
    unread = f"{gap} member{'s' if gap != 1 else ''} unreadable, not checked" if gap else ""
    found, manifests = layers.bagit(contents, fast=fast)
    note = ", ".join(n for n in ("completeness and Payload-Oxum only" if fast else "", unread) if n)
    run.record("bagit", found, note, incomplete=bool(gap))
    if fast:
        for layer in LAYERS[3:]:
            run.skip(layer, "--fast")
        return
    obj, schema_problems = layers.load_manifest_json(contents)
    found = schema_problems + (layers.manifest_json(obj, contents, manifests) if obj else [])
    run.record("manifest.json", found, unread, incomplete=bool(gap))
    head = sidecar.receipt_head(receipt)
    found = layers.custody(contents, obj, expected_head=head)
    run.record("custody", [p for p in found if p.layer == "custody"], unread, incomplete=bool(gap))
    if head is not None:
        run.record("sidecar", [p for p in found if p.layer == "sidecar"])
    found, notes = sidecar.check_previous(contents, obj, anchors)
    run.limits += notes
    if found:
        run.record("sidecar", found)
    run.record("transcripts", layers.transcripts(obj, contents), unread, incomplete=bool(gap))
    found, limits, absent = records_layer(obj, contents)
    run.limits += limits
    note = "a bag collected before record hashes" if absent else unread
    run.record("records", found, note, incomplete=bool(gap or limits), absent=absent)
    found, notes, absent = corroboration_layer(obj, contents)
    run.limits += notes
    run.record("corroboration", found, "not read by this run" if absent else "", absent=absent)


SidecarFindings = tuple[list[Problem], str, dict[str, Any] | None]
UNANCHORED = (
    "no receipt: the custody chain's head is not anchored outside the bag, so this is a check of "
    "internal consistency only (a bag rewritten consistently, custody log included, would pass)"
)


def _sidecar_findings(archive: Path) -> SidecarFindings:
    """The archive's files against its sidecar and receipt (run beside the archive reading)."""
    computed: dict[str, str] = {}
    found, present = sidecar.check_sidecar(archive, computed)
    receipt = sidecar.load_receipt(archive)
    if receipt is not None:
        found += sidecar.check_receipt_archive(archive, receipt, computed)
    notes = [
        f"{what} absent"
        for what, there in (("sidecar", present), ("receipt", receipt is not None))
        if not there
    ]
    return found, ", ".join(notes), receipt


def _damage_problems(damage: tuple[MemberDamage, ...]) -> list[Problem]:
    return [
        MemberUnchecked(d.name, d.detail)
        if d.kind == "unchecked"
        else MemberCorrupt(d.name, d.kind, d.detail)
        for d in damage
    ]


def _open_contents(
    stack: contextlib.ExitStack, archive: Path, password: str | None, fast: bool, scratch: Path | None
) -> BagContents | ArchiveCorrupt:
    try:
        opened = from_archive(archive, password=password, hash_payload=not fast, scratch=scratch)
        return stack.enter_context(opened)
    except WrongPasswordError:
        raise
    except ArchiveError as exc:
        return ArchiveCorrupt(str(exc))


def _verify_archive(
    run: _Run, target: Path, password: str | None, fast: bool, scratch: Path | None, anchors: sidecar.Anchors
) -> None:
    """Hash the archive for its sidecar on one thread while its members are read on others."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-sidecar") as pool:
        pending = pool.submit(_sidecar_findings, target)
        with contextlib.ExitStack() as stack:
            contents = _open_contents(stack, target, password, fast, scratch)
            found, note, receipt = pending.result()
            run.record("sidecar", found, note, absent=note == "sidecar absent, receipt absent")
            if receipt is None:
                run.limits.append(UNANCHORED)
            if isinstance(contents, ArchiveCorrupt):
                run.record("archive", [contents])
                for layer in LAYERS[2:]:
                    run.skip(layer, "archive unreadable")
                return
            note = "header and BagIt tag members only" if fast else "every member's CRC"
            run.record("archive", _damage_problems(contents.damage), note)
            if receipt:
                run.record("sidecar", sidecar.check_receipt_bag(receipt, contents))
            _bag_layers(run, contents, fast, receipt, anchors)
            _later_corroboration(run, target, contents, fast, anchors)


def _later_corroboration(
    run: _Run, target: Path, contents: BagContents, fast: bool, anchors: sidecar.Anchors
) -> None:
    """The sidecar ``ediscovery corroborate`` wrote beside the archive, when there is one."""
    if fast:
        return
    folder = sidecar_folder(target)
    found, notes = check_corroboration(folder, contents.read_tag("requests.jsonl"))
    signed, seen = sidecar.check_attestation(folder / REPORT, anchors, required=False)
    found, notes = found + signed, notes + [f"corroboration report's {note}" for note in seen]
    run.limits += notes
    if found or notes:
        run.record("corroboration", found)


def _attestation(run: _Run, target: Path, anchors: sidecar.Anchors) -> None:
    """The receipt's time-stamp and signature (files beside it; cheap, checked first)."""
    if not target.exists():
        return
    found, notes = sidecar.check_attestation(sidecar.receipt_path_of(target), anchors)
    run.limits += notes
    if found:
        run.record("sidecar", found)


def _verify_directory(run: _Run, target: Path, fast: bool, anchors: sidecar.Anchors) -> None:
    """A bag folder, and the receipt its archive left beside it (``<bag>.7z.receipt.json``)."""
    run.skip("archive", "bag folder")
    contents = from_directory(target, hash_payload=not fast)
    receipt = sidecar.receipt_beside_bag(target)
    if receipt is None:
        run.record("sidecar", [], "bag folder, no receipt beside it", absent=True)
        run.limits.append(UNANCHORED)
    else:
        run.record("sidecar", sidecar.check_receipt_bag(receipt, contents), "receipt beside the bag folder")
    _bag_layers(run, contents, fast, receipt, anchors)
    _later_corroboration(run, target, contents, fast, anchors)


def verify(
    path: Path | str,
    *,
    password: str | None = None,
    fast: bool = False,
    reporter: Reporter | None = None,
    scratch: Path | None = None,
    anchors: sidecar.Anchors | None = None,
) -> VerifyReport:
    """Verify a ``.7z`` (or its ``.001`` volume) or an extracted bag folder, layer by layer.

    An archive's tag files are read into a private folder beside it (or in ``scratch``).
    ``anchors`` are the TSA and signer certificates the user trusts: the receipt's time-stamp and
    signature are checked when present, and required when their anchor is given.
    """
    target = Path(path)
    run = _Run(reporter)
    _attestation(run, target, anchors or sidecar.Anchors())
    if target.is_dir() and not any((target / name).exists() for name in ("bagit.txt", "manifest.json")):
        raise ArchiveError(
            f"{target} is not a bag folder: it has neither bagit.txt nor manifest.json.",
            hint="Give a sealed .7z archive, its .001 volume, or the bag folder the archive holds.",
        )
    if target.is_dir():
        _verify_directory(run, target, fast, anchors or sidecar.Anchors())
        return run.report(target, "directory", fast)
    if not target.exists():
        raise ArchiveError(
            f"{target} does not exist.", hint="Give a .7z archive, its .001 volume or a bag folder."
        )
    _verify_archive(run, target, password, fast, scratch, anchors or sidecar.Anchors())
    return run.report(target, "archive", fast)
