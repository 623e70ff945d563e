"""Corroboration after the fact: the platform's audit log of a sealed run's calls, as a sidecar.

A run collected without ``--corroborate`` (or whose archive is already sealed) can be
corroborated later: :func:`corroborate_archive` reads the run's ``requests.jsonl`` out of the
archive (or bag folder), reads the Activity Feed's ``compliance_api_accessed`` events of the
run's window, and writes beside the archive a folder ``<archive>.corroboration/`` holding the
pages exactly as received, ``report.json`` (the match, ``verify.corroboration``) and
``SHA256SUMS`` (``sha256sum -c`` format) over both; ``report.json`` can be signed and
time-stamped as a receipt is (``archive.attest``), the attestation files beside it.
``verify`` recomputes the report from the stored pages and the archive's own request log when
the folder is there (:func:`check_corroboration`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ediscovery.api.client import ComplianceClient
from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.archive import attest
from ediscovery.archive.attestation import Attestation
from ediscovery.archive.volumes import archive_base
from ediscovery.errors import EvidenceError
from ediscovery.evidence.canonical import dumps_pretty, utc_iso
from ediscovery.evidence.store import atomic_write
from ediscovery.timestamps import format_timestamp, parse_timestamp
from ediscovery.verify.corroboration import ACCESS_TYPE, corroborate_bytes, read_requests, verdict
from ediscovery.verify.problems import CorroborationMismatch, Problem
from ediscovery.verify.proofs import read_bag_files

SUMS = "SHA256SUMS"
REPORT = "report.json"
MARGIN = timedelta(minutes=10)


def sidecar_folder(source: Path) -> Path:
    """``<archive>.corroboration`` beside an archive, or beside the archive of a bag folder."""
    if source.is_dir():
        return source.parent / f"{source.name}.7z.corroboration"
    return Path(f"{archive_base(source)}.corroboration")


def _window(requests: list[dict[str, Any]]) -> tuple[datetime, datetime]:
    times = [parse_timestamp(str(r["at"])) for r in requests if r.get("at")]
    if not times:
        raise EvidenceError("requests.jsonl holds no request: there is nothing to corroborate.")
    return min(times), max(times)


async def corroborate_archive(
    source: Path, client: ComplianceClient, *, password: str | None, lag: float, now: datetime | None = None,
    attestation: Attestation | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Read the platform's record of ``source``'s run, write the sidecar, return the report."""
    log = read_bag_files(source, ["requests.jsonl"], password).get("requests.jsonl", b"")
    first, last = _window(read_requests(log))
    wait = (last + timedelta(seconds=lag) - (now or datetime.now(UTC))).total_seconds()
    if wait > 0:
        await client.wait(wait)
    query = ENDPOINTS["activities"].query(
        ("activity_types[]", ACCESS_TYPE),
        ("created_at.gte", format_timestamp(first - MARGIN)),
        ("created_at.lte", format_timestamp(last + MARGIN)),
    )
    pages = [page.raw async for page in client.pages(path("activities"), query, scheme="cursor")]
    report = {**corroborate_bytes(log, pages), "read_at": utc_iso(now or datetime.now(UTC)),
              "api": client.base_url, "key_fingerprint": client.api_key_fingerprint}  # fmt: skip
    _write(sidecar_folder(source), pages, report, attestation)
    return report


def _write(folder: Path, pages: list[bytes], report: dict[str, Any], attestation: Attestation | None) -> None:
    files = {f"page-{n:04d}.json": page for n, page in enumerate(pages, 1)}
    files[REPORT] = dumps_pretty(report)
    for name, data in files.items():
        atomic_write(folder / name, data)
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    atomic_write(folder / SUMS, sums.encode("ascii"))
    if attestation is not None and attestation.wanted():
        attest.attest_receipt(folder / REPORT, attestation)


FINDINGS = ("requests", "answered", "matched", "unmatchable", "api_key_ids", "window",
            "missing_on_platform", "unexpected_on_platform", "disagreeing")  # fmt: skip


def check_corroboration(folder: Path, requests_log: bytes | None) -> tuple[list[Problem], list[str]]:
    """The sidecar's hashes, and its report recomputed from its pages and the archive's request
    log (``None`` when the log could not be read); returns (problems, notes)."""
    if not folder.is_dir():
        return [], []
    problems: list[Problem] = []
    sums = folder / SUMS
    listed = {}
    for line in sums.read_text(encoding="ascii", errors="replace").splitlines() if sums.is_file() else []:
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name in sorted({REPORT, *listed}):
        found = (
            hashlib.sha256((folder / name).read_bytes()).hexdigest()
            if (folder / name).is_file()
            else "missing"
        )
        if listed.get(name) != found:
            problems.append(
                CorroborationMismatch(f"{folder.name}/{name}", str(listed.get(name, "not listed")), found)
            )
    if problems or requests_log is None:
        return problems, []
    recorded = json.loads((folder / REPORT).read_bytes())
    pages = [(folder / name).read_bytes() for name in sorted(listed) if name.startswith("page-")]
    again = corroborate_bytes(requests_log, pages)
    for key in FINDINGS:
        if recorded.get(key) != again.get(key):
            said, found = json.dumps(recorded.get(key))[:160], json.dumps(again.get(key))[:160]
            problems.append(CorroborationMismatch(f"{folder.name} {key}", said, found))
    return problems, [f"corroborated later ({recorded.get('read_at')}): {verdict(again)}"]
