"""Verify: layered verification of a sealed archive or a bag folder, collecting every problem.

Layers, in order: ``sidecar`` (archive vs ``.sha256`` and ``.receipt.json``), ``archive`` (opens,
every member's CRC), ``bagit`` (completeness, both payload manifests, tag manifests,
Payload-Oxum), ``manifest.json`` (agrees with the bag, valid against its schema), ``custody``
(hash chain intact and agreeing with manifest.json) and ``transcripts`` (recorded source hashes).
``fast=True`` stops after completeness and Payload-Oxum. A wrong password raises
:class:`~ediscovery.errors.WrongPasswordError`; every other finding is a typed problem.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    FileMissing,
    ManifestJsonMismatch,
    OxumMismatch,
    Problem,
    ReceiptMismatch,
    SchemaViolation,
    SidecarMismatch,
    TagManifestMismatch,
    TranscriptSourceMismatch,
    UnexpectedFile,
)

Reporter = Callable[[str, str], None]

__all__ = [
    "ArchiveCorrupt",
    "BagFormatError",
    "ChecksumMismatch",
    "CustodyChainBroken",
    "CustodyMismatch",
    "FileMissing",
    "LayerResult",
    "ManifestJsonMismatch",
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
    """How one layer went: ``ok``, ``failed`` or ``skipped`` (with why)."""

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
        }


class _Run:
    def __init__(self, reporter: Reporter | None) -> None:
        self.results: dict[str, LayerResult] = {}
        self.problems: list[Problem] = []
        self._reporter = reporter

    def record(self, layer: str, found: list[Problem], note: str = "") -> None:
        self.problems += found
        previous = self.results.get(layer)
        count = len(found) + (previous.problems if previous else 0)
        self.results[layer] = LayerResult(layer, "failed" if count else "ok", count, note)
        if self._reporter is not None:
            self._reporter(layer, self.results[layer].describe())

    def skip(self, layer: str, note: str) -> None:
        self.results.setdefault(layer, LayerResult(layer, "skipped", 0, note))

    def report(self, path: Path, source: str, fast: bool) -> VerifyReport:
        for layer in LAYERS:
            self.skip(layer, "not run")
        return VerifyReport(
            str(path), source, fast, tuple(self.results[n] for n in LAYERS), tuple(self.problems)
        )


def _bag_layers(run: _Run, contents: BagContents, fast: bool) -> None:
    found, manifests = layers.bagit(contents, fast=fast)
    run.record("bagit", found, "completeness and Payload-Oxum only" if fast else "")
    if fast:
        for layer in LAYERS[3:]:
            run.skip(layer, "--fast")
        return
    obj, schema_problems = layers.load_manifest_json(contents)
    run.record(
        "manifest.json", schema_problems + (layers.manifest_json(obj, contents, manifests) if obj else [])
    )
    run.record("custody", layers.custody(contents, obj))
    run.record("transcripts", layers.transcripts(obj, contents))


def _sidecar_layer(run: _Run, archive: Path) -> dict[str, Any] | None:
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
    run.record("sidecar", found, ", ".join(notes))
    return receipt


@contextlib.contextmanager
def _archive_contents(
    run: _Run, archive: Path, password: str | None, fast: bool
) -> Iterator[BagContents | None]:
    try:
        with from_archive(archive, password=password, hash_payload=not fast) as contents:
            run.record("archive", [], "header and tag members only" if fast else "every member's CRC")
            yield contents
    except WrongPasswordError:
        raise
    except ArchiveError as exc:
        run.record("archive", [ArchiveCorrupt(str(exc))])
        for layer in LAYERS[2:]:
            run.skip(layer, "archive unreadable")
        yield None


def verify(
    path: Path | str, *, password: str | None = None, fast: bool = False, reporter: Reporter | None = None
) -> VerifyReport:
    """Verify a ``.7z`` (or its ``.001`` volume) or an extracted bag folder, layer by layer."""
    target = Path(path)
    run = _Run(reporter)
    if target.is_dir():
        for layer in ("sidecar", "archive"):
            run.skip(layer, "bag folder")
        _bag_layers(run, from_directory(target, hash_payload=not fast), fast)
        return run.report(target, "directory", fast)
    if not target.exists():
        raise ArchiveError(
            f"{target} does not exist.", hint="Give a .7z archive, its .001 volume or a bag folder."
        )
    receipt = _sidecar_layer(run, target)
    with _archive_contents(run, target, password, fast) as contents:
        if contents is not None:
            if receipt:
                run.record("sidecar", sidecar.check_receipt_bag(receipt, contents))
            _bag_layers(run, contents, fast)
    return run.report(target, "archive", fast)
