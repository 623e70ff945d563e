"""Problems: the typed records the verifier reports, one class per kind of damage.

Every problem names its layer and carries the data a reviewer needs (path, algorithm,
expected, found); ``message`` renders it as one precise line and ``to_dict`` as JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

LAYERS = (
    "sidecar",
    "archive",
    "bagit",
    "manifest.json",
    "custody",
    "transcripts",
    "records",
    "corroboration",
)


@dataclass(frozen=True)
class Problem:
    """Base of every verification problem."""

    LAYER: ClassVar[str] = "bagit"

    @property
    def layer(self) -> str:
        """The verification layer the problem belongs to (one of ``LAYERS``)."""
        return self.LAYER

    @property
    def message(self) -> str:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        fields = {key: value for key, value in asdict(self).items() if key != "in_layer"}
        return {"kind": type(self).__name__, "layer": self.layer, **fields, "message": self.message}

    def __str__(self) -> str:
        return f"[{self.layer}] {self.message}"


@dataclass(frozen=True)
class SidecarMismatch(Problem):
    LAYER: ClassVar[str] = "sidecar"
    file: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"{self.file}: sha256 sidecar says {self.expected}, found {self.found}"


@dataclass(frozen=True)
class ReceiptMismatch(Problem):
    LAYER: ClassVar[str] = "sidecar"
    field: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"receipt {self.field}: receipt says {self.expected}, found {self.found}"


@dataclass(frozen=True)
class ArchiveCorrupt(Problem):
    LAYER: ClassVar[str] = "archive"
    detail: str

    @property
    def message(self) -> str:
        return self.detail


@dataclass(frozen=True)
class BagFormatError(Problem):
    path: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.detail}"


@dataclass(frozen=True)
class FileMissing(Problem):
    """A file the bag must hold is absent; ``in_layer`` is the layer that needs it.

    Payload files and BagIt's own files belong to ``bagit``; ``manifest.json`` to the
    ``manifest.json`` layer and ``custody.jsonl`` to ``custody``.
    """

    path: str
    in_layer: str = "bagit"

    @property
    def layer(self) -> str:
        return self.in_layer

    @property
    def message(self) -> str:
        if self.in_layer != "bagit":
            return f"{self.path}: missing from the bag"
        return f"{self.path}: listed in the manifests but missing"


@dataclass(frozen=True)
class MemberCorrupt(Problem):
    """A member of the archive could not be read intact (``damage``: crc, unreadable, unsafe)."""

    LAYER: ClassVar[str] = "archive"
    member: str
    damage: str
    detail: str

    @property
    def message(self) -> str:
        what = {"crc": "CRC mismatch", "unreadable": "cannot be decoded", "unsafe": "unsafe name"}
        return f"{self.member}: {what.get(self.damage, self.damage)}: {self.detail}"


@dataclass(frozen=True)
class MemberUnchecked(Problem):
    """A member that could not be checked because the compressed stream before it is damaged."""

    LAYER: ClassVar[str] = "archive"
    member: str
    detail: str

    @property
    def message(self) -> str:
        return f"{self.member}: not checked: {self.detail}"


@dataclass(frozen=True)
class UnexpectedFile(Problem):
    path: str
    manifest: str

    @property
    def message(self) -> str:
        return f"{self.path}: present but not listed in {self.manifest}"


@dataclass(frozen=True)
class ChecksumMismatch(Problem):
    path: str
    algorithm: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.algorithm} expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class TagManifestMismatch(Problem):
    path: str
    algorithm: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"{self.path}: tagmanifest-{self.algorithm}.txt expects {self.expected}, found {self.found}"


@dataclass(frozen=True)
class OxumMismatch(Problem):
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"Payload-Oxum: bag-info.txt says {self.expected}, payload is {self.found}"


@dataclass(frozen=True)
class SchemaViolation(Problem):
    LAYER: ClassVar[str] = "manifest.json"
    detail: str

    @property
    def message(self) -> str:
        return f"manifest.json does not match its schema: {self.detail}"


@dataclass(frozen=True)
class ManifestJsonMismatch(Problem):
    LAYER: ClassVar[str] = "manifest.json"
    path: str
    field: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"{self.path}: manifest.json {self.field} is {self.found}, the bag has {self.expected}"


@dataclass(frozen=True)
class CustodyChainBroken(Problem):
    LAYER: ClassVar[str] = "custody"
    line: int
    detail: str
    expected: str | None = None
    found: str | None = None

    @property
    def message(self) -> str:
        extra = f" (expected {self.expected}, found {self.found})" if self.expected or self.found else ""
        return f"custody.jsonl line {self.line}: {self.detail}{extra}"


@dataclass(frozen=True)
class CustodyMismatch(Problem):
    LAYER: ClassVar[str] = "custody"
    line: int | None
    path: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        where = f"custody.jsonl line {self.line}" if self.line else "custody.jsonl"
        return f"{where}: {self.path} recorded as {self.found}, the bag has {self.expected}"


@dataclass(frozen=True)
class CustodyTruncated(Problem):
    """The custody log does not end the way a finished run ends (``run_finished``, then
    ``bag_written`` as the last event): its tail was cut, or the run never finished."""

    LAYER: ClassVar[str] = "custody"
    line: int | None
    detail: str

    @property
    def message(self) -> str:
        where = f"custody.jsonl line {self.line}" if self.line else "custody.jsonl"
        return f"{where}: {self.detail}"


@dataclass(frozen=True)
class TranscriptSourceMismatch(Problem):
    LAYER: ClassVar[str] = "transcripts"
    transcript: str
    source: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return (
            f"{self.transcript}: rendered from {self.source} with sha256 {self.expected}, "
            f"the native now has {self.found}"
        )


@dataclass(frozen=True)
class RecordMismatch(Problem):
    """``records.jsonl`` disagrees with the manifest, a native, or its own root."""

    LAYER: ClassVar[str] = "records"
    subject: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        return f"{self.subject}: expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class CorroborationMismatch(Problem):
    """The corroboration recorded in ``manifest.json`` is not what the stored pages and
    ``requests.jsonl`` give."""

    LAYER: ClassVar[str] = "corroboration"
    field: str
    expected: str
    found: str

    @property
    def message(self) -> str:
        said, found = self.expected, self.found
        return f"corroboration {self.field}: manifest.json says {said}, the stored pages give {found}"


@dataclass(frozen=True)
class AttestationFailed(Problem):
    """The receipt's time-stamp or signature does not hold (or is missing where one is required)."""

    LAYER: ClassVar[str] = "sidecar"
    what: str
    detail: str

    @property
    def message(self) -> str:
        return f"receipt {self.what}: {self.detail}"
