"""Corroboration, the matching half: ``requests.jsonl`` against the platform's record of the calls.

Each of the run's requests that got an answer carries the ``request-id`` the platform gave it;
the platform's ``compliance_api_accessed`` events (stored as ``compliance_access`` natives by
``collect.corroboration``) carry the same id. Matching them one by one says, for the run:

* **matched** — a request the platform recorded too (method and status compared);
* **missing on the platform** — a request we logged with an id the platform has no event for;
* **unexpected** — an event of the run's own key (the ``api_key_id`` the matched events carry),
  between the run's first and last matched event (the platform's clock: no skew to allow for),
  for a request not in our log: someone else used the key meanwhile, or the log lost a line;
* **unmatchable** — attempts with no request id (no answer reached us), counted, not judged.

The reads of the feed made to corroborate are not part of what is corroborated (their events
are indexed later, if at all, and they are excluded from both sides).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ediscovery.errors import EvidenceError
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.kinds import Kind
from ediscovery.timestamps import parse_timestamp

ACCESS_TYPE = "compliance_api_accessed"
FEED_READ = ("activity_types[]", ACCESS_TYPE)
REQUESTS_LOG = "requests.jsonl"
LISTED = 50
"""How many of each kind of finding the report lists in full (all are counted)."""


def _is_feed_read(request: Mapping[str, Any]) -> bool:
    query = request.get("query") or []
    return str(request.get("path", "")).endswith("/activities") and any(
        list(p) == list(FEED_READ) for p in query
    )


def _when(value: Any) -> datetime | None:
    try:
        return parse_timestamp(str(value))
    except ValueError:
        return None


def _events(pages: Iterable[Any]) -> list[Mapping[str, Any]]:
    items = [item for page in pages for item in (page.get("data") or [] if isinstance(page, Mapping) else [])]
    return [e for e in items if isinstance(e, Mapping) and e.get("type") == ACCESS_TYPE]


def _fields(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """An event's type-specific fields: nested under ``details`` or inline (both are accepted)."""
    nested = event.get("details")
    return nested if isinstance(nested, Mapping) else event


def _key_id(event: Mapping[str, Any]) -> str | None:
    actor = event.get("actor")
    value = actor.get("api_key_id") if isinstance(actor, Mapping) else None
    return value if isinstance(value, str) else None


def corroborate(requests: Sequence[Mapping[str, Any]], pages: Iterable[Any]) -> dict[str, Any]:
    """The corroboration report of a run's ``requests`` (requests.jsonl records) by feed ``pages``."""
    own = [r for r in requests if not _is_feed_read(r)]
    ids = {str(r["request_id"]) for r in requests if r.get("request_id")}
    events = _events(pages)
    by_id = {str(_fields(e).get("request_id")): e for e in events if _fields(e).get("request_id")}
    answered = [r for r in own if r.get("request_id")]
    matched = [r for r in answered if str(r["request_id"]) in by_id]
    keys = sorted({k for r in matched if (k := _key_id(by_id[str(r["request_id"])])) is not None})
    # The run's window on the platform's own clock: from its first to its last matched event.
    times = [t for r in matched if (t := _when(by_id[str(r["request_id"])].get("created_at"))) is not None]
    start, end = (min(times), max(times)) if times else (None, None)
    unexpected = [
        e for e in events
        if _key_id(e) in keys and str(_fields(e).get("request_id")) not in ids
        and start is not None and end is not None and (t := _when(e.get("created_at"))) is not None
        and start <= t <= end
    ]  # fmt: skip
    return {
        "window": {"from": utc_iso(start) if start else None, "to": utc_iso(end) if end else None},
        "api_key_ids": keys,
        "requests": len(own),
        "answered": len(answered),
        "matched": len(matched),
        "unmatchable": len(own) - len(answered),
        "platform_events_read": len(events),
        "missing_on_platform": _listed([_request(r) for r in answered if str(r["request_id"]) not in by_id]),
        "unexpected_on_platform": _listed([_event(e) for e in unexpected]),
        "disagreeing": _listed([d for r in matched if (d := _disagreement(r, by_id[str(r["request_id"])]))]),
    }


def _listed(found: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": len(found), "first": found[:LISTED]}


def _request(request: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("at", "method", "path", "status", "request_id")
    return {key: request.get(key) for key in keys}


def _event(event: Mapping[str, Any]) -> dict[str, Any]:
    fields = _fields(event)
    return {
        "activity_id": event.get("id"),
        "created_at": event.get("created_at"),
        "request_id": fields.get("request_id"),
        "request_method": fields.get("request_method"),
        "status_code": fields.get("status_code"),
        "url": fields.get("url"),
        "api_key_id": _key_id(event),
    }


def _disagreement(request: Mapping[str, Any], event: Mapping[str, Any]) -> dict[str, Any] | None:
    fields = _fields(event)
    if fields.get("request_method") == request.get("method") and fields.get("status_code") == request.get(
        "status"
    ):
        return None
    return {"ours": _request(request), "platform": _event(event)}


def corroborate_bag(bag: Path, entries: Iterable[Any]) -> dict[str, Any] | None:
    """The report for a bag whose run read the platform's record (None when it did not)."""
    pages = sorted(e.path for e in entries if e.kind == Kind.COMPLIANCE_ACCESS)
    if not pages:
        return None
    log = bag / REQUESTS_LOG
    try:
        return corroborate_bytes(
            log.read_bytes() if log.is_file() else b"", [(bag / p).read_bytes() for p in pages]
        )
    except OSError as exc:
        raise EvidenceError(f"Cannot read the stored audit log pages to corroborate: {exc}.") from exc


def corroborate_bytes(requests_log: bytes, pages: Iterable[bytes]) -> dict[str, Any]:
    """The report from the bytes of ``requests.jsonl`` and of the stored pages, in path order."""
    try:
        bodies = [json.loads(page) for page in pages]
    except ValueError as exc:
        raise EvidenceError(f"A stored audit log page is not JSON: {exc}.") from exc
    return corroborate(read_requests(requests_log), bodies)


def corroboration_of(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The corroboration report a manifest holds, if its run read the platform's record."""
    found = manifest.get("corroboration")
    return found if isinstance(found, Mapping) else None


def read_requests(data: bytes) -> list[dict[str, Any]]:
    """The records of a ``requests.jsonl`` (a torn last line is skipped)."""
    out = []
    for line in data.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def verdict(report: Mapping[str, Any]) -> str:
    """One line saying what the corroboration found."""
    missing = report["missing_on_platform"]["count"]
    unexpected = report["unexpected_on_platform"]["count"]
    disagreeing = report["disagreeing"]["count"]
    head = (
        f"{report['matched']} of {report['answered']} answered requests matched on the platform's audit log"
    )
    if not report["api_key_ids"]:
        return head + "; no event of this run was found (is Compliance API logging on for the organization?)"
    found = [f"{missing} missing there"] if missing else []
    found += [f"{unexpected} calls of the same key not in this run's log"] if unexpected else []
    found += [f"{disagreeing} with another method or status"] if disagreeing else []
    return head + ("; " + ", ".join(found) if found else "; nothing unexplained")
