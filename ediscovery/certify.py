"""Certification: a draft FRE 902(14) certification of a sealed collection, from its records.

Federal Rule of Evidence 902(14) makes data copied from an electronic device, storage medium
or file self-authenticating when a qualified person certifies that it was authenticated by a
process of digital identification (a hash), with the written notice and certification that
Rule 902(11) describes. :func:`certification` states, from the archive's own records only —
``manifest.json``, the custody log, the receipt, its attestation and a verification run now —
who collected what, when, through which API and key fingerprint, how each item is identified
by hash, what verification found, what the platform's audit log corroborated and when the
receipt was time-stamped; its companion process description follows Rule 902(13)'s idea of
describing the process that produced the result. What the records cannot show (the signer's
qualifications, completeness beyond what the API returned) is left as a blank to fill or said
plainly. The text is the one source: the PDF is laid out from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from ediscovery.api.endpoints import V1
from ediscovery.archive.attestation import token_path
from ediscovery.evidence.canonical import utc_now
from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.kinds import Kind
from ediscovery.render.pdf import render_html_to_pdf
from ediscovery.resources import templates_dir
from ediscovery.verify import VerifyReport
from ediscovery.verify.corroboration import corroboration_of, verdict
from ediscovery.verify.proofs import read_bag_files
from ediscovery.verify.sidecar import receipt_path_of


@dataclass(frozen=True)
class Facts:
    """What the certification states, read from the archive and its receipt."""

    archive: Path
    manifest: Mapping[str, Any]
    custody: list[Mapping[str, Any]]
    receipt: Mapping[str, Any]
    report: VerifyReport
    verified_at: datetime


def read_facts(archive: Path, report: VerifyReport, password: str | None = None, *,
               clock: Callable[[], datetime] = utc_now) -> Facts:  # fmt: skip
    """The archive's manifest, custody log and receipt, with the verification just made."""
    files = read_bag_files(archive, ["manifest.json", "custody.jsonl"], password)
    receipt_file = receipt_path_of(archive)
    receipt = json.loads(receipt_file.read_bytes()) if receipt_file.is_file() else {}
    custody = [json.loads(line) for line in files.get("custody.jsonl", b"").splitlines() if line.strip()]
    manifest = json.loads(files.get("manifest.json", b"{}"))
    return Facts(archive, manifest, custody, receipt, report, clock())


def _custodians(m: Mapping[str, Any]) -> str:
    people = []
    for c in m.get("custodians") or []:
        ids = ", ".join(c.get("user_ids") or [])
        people.append(f"{c.get('full_name') or c.get('email')} <{c.get('email')}> ({ids})")
    return "; ".join(people) or "none named"


def _range(scope: Mapping[str, Any]) -> str:
    since, until = scope.get("since") or "the earliest data", scope.get("until") or "the time of collection"
    return f"from {since} to {until}"


def _counts(m: Mapping[str, Any]) -> str:
    counts = m.get("counts") or {}
    return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in sorted(counts.items()))


def _bates(m: Mapping[str, Any]) -> str:
    ranges = [
        (str(e["metadata"]["bates_begin"]), str(e["metadata"]["bates_end"]))
        for e in m.get("entries") or []
        if e.get("kind") == Kind.TRANSCRIPT and (e.get("metadata") or {}).get("bates_begin")
    ]
    if not ranges:
        return "No transcripts were rendered, so no Bates numbers were assigned."
    first, last = min(r[0] for r in ranges), max(r[1] for r in ranges)
    return f"{len(ranges)} transcripts, Bates-numbered {first} to {last}, list the SHA-256 of what they show."


def _collector(custody: list[Mapping[str, Any]]) -> str:
    actor = (custody[0].get("actor") or {}) if custody else {}
    return f"{actor.get('os_user', '[unknown]')} on host {actor.get('host', '[unknown]')}"


def _time_stamp(f: Facts) -> str:
    notes = [n for n in f.report.limits if n.startswith("time-stamp: ")]
    if notes:
        return f"The receipt was time-stamped by an RFC 3161 Time-Stamp Authority: {notes[0][12:]}."
    if token_path(receipt_path_of(f.archive)).is_file():
        return "A time-stamp token lies beside the receipt but did not verify (see the verification above)."
    return "The receipt was not time-stamped; these records alone do not fix when the collection existed."


def _signature(f: Facts) -> str:
    notes = [n for n in f.report.limits if n.startswith("signature: ")]
    return f"The receipt is signed: the signature {notes[0][11:]}." if notes else "The receipt is not signed."


def _corroboration(m: Mapping[str, Any]) -> str:
    found = corroboration_of(m)
    if found is None:
        return "The collection did not read the platform's audit log of its requests (collect --corroborate)."
    return (f"The platform's own audit log (compliance_api_accessed events) was read after the collection "
            f"and matched with the tool's request log by request id: {verdict(found)}.")  # fmt: skip


def _verification(f: Facts) -> str:
    layers = "; ".join(f"{layer.name}: {layer.status}" for layer in f.report.layers)
    result = "VALID" if f.report.ok else f"INVALID ({len(f.report.problems)} problem(s))"
    when = f"{f.verified_at:%Y-%m-%d %H:%M:%S}"
    return f"On {when} UTC the archive was verified layer by layer: {result}. {layers}."


def _not_shown(f: Facts) -> list[str]:
    limits = len(f.manifest.get("limitations") or [])
    errors = len(f.manifest.get("errors") or [])
    return [
        "that the Compliance API returned everything the organization held: the collection covers what "
        f"the API listed for the scope; manifest.json names {limits} limitation(s) and {errors} error(s)",
        "anything deleted, or removed by a retention policy, before the collection ran",
        "who operated the program beyond the operating-system account and host recorded in the custody log",
        "the accuracy of the collecting machine's clock, except as the time-stamp and the platform's "
        "audit log corroborate it",
    ]


def _paragraphs(f: Facts, name: str, title: str) -> list[str]:
    m, receipt = f.manifest, f.receipt
    api, archive = m.get("api") or {}, receipt.get("archive") or {}
    records = m.get("records") or {}
    head = f.custody[-1].get("hash") if f.custody else "[no custody log]"
    tool = m.get("tool") or {}
    return [
        f"1. I am {name}, {title}. [State your employer and the training and experience that qualify you "
        "to make this certification about the collection described below.]",
        f"2. Between {m.get('started_at')} and {m.get('finished_at')} (UTC), the program {tool.get('name')} "
        f"{tool.get('version')}, operated as {_collector(f.custody)}, collected through the Anthropic "
        f"Compliance API at {api.get('base_url')} (API version {api.get('version')}), authenticated with the "
        f"Compliance Access Key whose fingerprint is {api.get('key_fingerprint')}, the Claude Enterprise "
        f"data of {_custodians(m)}, {_range(m.get('scope') or {})}, for the matter {m.get('matter')} "
        f"(run {m.get('run_id')}). The collection is recorded as {m.get('status')}: {_counts(m)}.",
        "3. The process that produced the collection is described in the process description below. Each "
        "response of the API and each download was stored byte for byte as received, and its MD5, SHA-256 "
        "and SHA-512 were computed as it was written.",
        f"4. Each item is identified by its hash values, listed in manifest.json (SHA-256 "
        f"{receipt.get('bag', {}).get('manifest_json_sha256')}) and in the bag's BagIt manifests. Every "
        f"record ({records.get('count', 0)} in all: each file and each message, activity and other item) "
        f"has its own SHA-256 in records.jsonl, under the Merkle root {records.get('root', '[none]')}. "
        f"{_bates(m)} The sealed archive {archive.get('name')} has SHA-256 {archive.get('sha256')} and "
        f"{archive.get('size')} bytes. The chain-of-custody log holds {len(f.custody)} events; the hash of "
        f"the last is {head}.",
        f"5. {_verification(f)}",
        f"6. {_corroboration(m)}",
        f"7. {_time_stamp(f)} {_signature(f)}",
        "8. These records do not show: " + "; ".join(_not_shown(f)) + ".",
    ]


PROCESS = [
    "PROCESS DESCRIPTION",
    "The program ediscovery reads a custodian's data through the Anthropic Compliance API "
    f"({V1}/*) with a Compliance Access Key and never calls one of its delete endpoints. "
    "Every request and its answer (time, method, path, status, request id) is logged in "
    "requests.jsonl. Every answer is written to disk exactly as received while MD5, SHA-256 and "
    "SHA-512 are computed over the same bytes, and each stored file is entered in the custody log, "
    "a JSON Lines file in which each event carries the SHA-256 of the one before it, so that no "
    "event can be changed, removed or inserted without breaking the chain.",
    "The stored data, the manifest of every item with its hash values, the custody log and the "
    "request log form a BagIt bag (RFC 8493), which is sealed into a 7z archive. Its SHA-256 and "
    "a receipt (the archive's hash, the manifests' hashes, the records' Merkle root and the custody "
    "log's last hash) are written beside it, and the archive is read back in full: every file is "
    "decompressed and checked against the bag's manifests, and a run whose archive fails that check "
    "is not closed. The receipt may be time-stamped by an RFC 3161 Time-Stamp Authority and signed.",
    "The archive can be checked by anyone with standard tools (sha256sum, 7-Zip, bagit.py, python3) "
    "by following the VERIFY.txt in the bag, and with `ediscovery verify`, which checks every layer "
    "and names each discrepancy it finds.",
]


def certification(f: Facts, signer: str) -> str:
    """The certification and its process description, as plain text."""
    name, _, title = (part.strip() for part in signer.partition(","))
    title = title or "[title]"
    m = f.manifest
    lines = [
        "CERTIFICATION OF DATA COPIED FROM AN ELECTRONIC STORAGE MEDIUM",
        "(Federal Rules of Evidence 902(14) and 902(11); process described in the spirit of 902(13))",
        "",
        f"Matter: {m.get('matter')}",
        f"Archive: {f.archive.name}",
        "",
        f"I, {name}, certify as follows:",
        "",
    ]
    for paragraph in _paragraphs(f, name, title):
        lines += [paragraph, ""]
    lines += [
        "I declare under penalty of perjury under the laws of the United States of America that the "
        "foregoing is true and correct.",
        "",
        "Executed on ____________________ at ______________________________.",
        "",
        "",
        "______________________________",
        name,
        title,
        "",
        "",
    ]
    for paragraph in PROCESS:
        lines += [paragraph, ""]
    return "\n".join(lines)


def _blocks(text: str) -> list[dict[str, Any]]:
    """The text's paragraphs (blank-line separated) for the PDF layout."""
    blocks = []
    for number, chunk in enumerate(text.split("\n\n")):
        lines = [line for line in chunk.split("\n") if line] or [""]
        blocks.append({"lines": lines, "heading": number == 0, "process": lines[0] == PROCESS[0]})
    return blocks


def write_certification(f: Facts, signer: str, folder: Path) -> tuple[Path, Path]:
    """Write ``<archive>.certification.txt`` and ``.pdf`` into ``folder``; return their paths."""
    text = certification(f, signer)
    base = folder / f"{f.archive.name.removesuffix('.001')}.certification"
    text_path, pdf_path = base.with_name(base.name + ".txt"), base.with_name(base.name + ".pdf")
    write_text_durably(text_path, text)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "report"), autoescape=True
    )
    html = environment.get_template("certification.html.j2").render(title=f"Certification {f.archive.name}",
                                                                    blocks=_blocks(text))  # fmt: skip
    render_html_to_pdf(html, pdf_path)
    return text_path, pdf_path
