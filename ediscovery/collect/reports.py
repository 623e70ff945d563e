"""The reports of every run: ``reports/summary.csv``, ``items.csv``, ``errors.csv``, ``settings.json``.

Owns the numbers counsel quotes about a collection, all derived from ``manifest.json`` and the
``run_started`` event of ``custody.jsonl`` (never from a second fetch). CSVs are UTF-8, RFC 4180,
rows in a fixed order; JSON is sorted and pretty. :func:`write_reports` also writes the
human-readable collection report (see :mod:`ediscovery.collect.collection_report`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery.collect.collection_report import write_collection_report
from ediscovery.errors import EvidenceError
from ediscovery.evidence.derived import render_csv, write_text_durably
from ediscovery.evidence.kinds import KINDS, Kind

CONTENT_TYPES: dict[str, str] = {
    Kind.CHAT_MESSAGES: "chats",
    **{str(kind): info.count for kind, info in KINDS.items() if info.count is not None},
    Kind.ACTIVITIES: "activities",
}
SUMMARY_COLUMNS = ("custodian", "content_type", "listed", "collected", "failed", "bytes", "first", "last")
ITEM_COLUMNS = ("source_id", "kind", "status", "error", "path", "size", "sha256", "custodian")
ERROR_COLUMNS = ("type", "kind", "source_id", "status", "message")


@dataclass
class _Tally:
    ids: set[str] = dataclasses.field(default_factory=set)
    failed: set[str] = dataclasses.field(default_factory=set)
    count: int = 0
    size: int = 0
    first: str = ""
    last: str = ""

    def see_time(self, value: Any) -> None:
        if isinstance(value, str) and value:
            self.first = min(self.first, value) if self.first else value
            self.last = max(self.last, value)


def manifest_dict(manifest: Any) -> dict[str, Any]:
    """Accept a parsed manifest.json, a Manifest object (``to_dict``/dataclass) or a path."""
    if isinstance(manifest, Mapping):
        return dict(manifest)
    if isinstance(manifest, Path):
        return dict(json.loads(manifest.read_text(encoding="utf-8")))
    for name in ("to_dict", "as_dict", "model_dump"):
        if callable(getattr(manifest, name, None)):
            return dict(getattr(manifest, name)())
    if dataclasses.is_dataclass(manifest) and not isinstance(manifest, type):
        return dataclasses.asdict(manifest)
    raise EvidenceError(f"Cannot read a manifest from {type(manifest).__name__}.")


def custodian_of(manifest: Mapping[str, Any], user_ids: list[str] | None) -> str:
    wanted = set(user_ids or [])
    for custodian in manifest.get("custodians") or []:
        if wanted & set(custodian.get("user_ids") or []):
            return str(custodian.get("email") or custodian.get("query") or "")
    return ""


def summary_rows(manifest: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per custodian x content type, sorted; ``messages`` counted from chat metadata."""
    tallies: dict[tuple[str, str], _Tally] = {}
    for entry in manifest.get("entries") or []:
        content = CONTENT_TYPES.get(str(entry.get("kind")))
        if content is None:
            continue
        who = custodian_of(manifest, entry.get("custodian_user_ids"))
        _count_entry(tallies.setdefault((who, content), _Tally()), entry)
        if content == "chats":
            _count_messages(tallies.setdefault((who, "messages"), _Tally()), entry)
    for error in manifest.get("errors") or []:
        content = CONTENT_TYPES.get(str(error.get("kind")), str(error.get("kind")))
        tallies.setdefault(("", content), _Tally()).failed.add(str(error.get("source_id")))
    listed = listed_chats(manifest)
    rows = [_summary_row(who, content, t) for (who, content), t in sorted(tallies.items())]
    for row in rows:
        if row["content_type"] == "chats":  # every chat the lists showed, collected or not
            row["listed"] = str(max(int(row["listed"]), listed.get(row["custodian"], 0)))
    return rows


def listed_chats(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Per custodian, how many chats the stored chat-list pages show (in range or not)."""
    listed: dict[str, int] = {}
    for entry in manifest.get("entries") or []:
        if entry.get("kind") == Kind.CHAT_LIST:
            who = custodian_of(manifest, entry.get("custodian_user_ids"))
            listed[who] = listed.get(who, 0) + int((entry.get("metadata") or {}).get("item_count") or 0)
    return listed


def _count_entry(tally: _Tally, entry: Mapping[str, Any]) -> None:
    meta = entry.get("metadata") or {}
    source_id = str(entry.get("source_id"))
    (tally.ids if entry.get("status", "ok") == "ok" else tally.failed).add(source_id)
    tally.count += int(meta.get("item_count") or 0)
    tally.size += int(entry.get("size") or 0)
    for message in meta.get("messages") or []:
        tally.see_time(message.get("created_at"))
    tally.see_time(meta.get("created_at"))
    tally.see_time(meta.get("first_created_at"))
    tally.see_time(meta.get("last_created_at"))


def _count_messages(tally: _Tally, entry: Mapping[str, Any]) -> None:
    for message in (entry.get("metadata") or {}).get("messages") or []:
        tally.ids.add(str(message.get("id")))
        tally.see_time(message.get("created_at"))


def _summary_row(who: str, content: str, tally: _Tally) -> dict[str, str]:
    collected = tally.count if content == "activities" else len(tally.ids - tally.failed)
    failed = len(tally.failed)
    return {
        "custodian": who,
        "content_type": content,
        "listed": str(collected + failed),
        "collected": str(collected),
        "failed": str(failed),
        "bytes": str(tally.size),
        "first": tally.first,
        "last": tally.last,
    }


def item_rows(manifest: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """Every stored entry (path order), then every failed item (kind, source id order)."""
    for entry in sorted(manifest.get("entries") or [], key=lambda e: str(e.get("path"))):
        status = str(entry.get("status", "ok"))
        yield {
            "source_id": str(entry.get("source_id") or ""),
            "kind": str(entry.get("kind") or ""),
            "status": status,
            "error": "" if status == "ok" else status,
            "path": str(entry.get("path") or ""),
            "size": str(entry.get("size") or 0),
            "sha256": str(entry.get("sha256") or ""),
            "custodian": custodian_of(manifest, entry.get("custodian_user_ids")),
        }
    for error in _sorted_problems(manifest.get("errors")):
        yield {
            "source_id": str(error.get("source_id") or ""),
            "kind": str(error.get("kind") or ""),
            "status": str(error.get("status") or "failed"),
            "error": str(error.get("message") or ""),
        }


def error_rows(manifest: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    for label, key in (("error", "errors"), ("limitation", "limitations")):
        for problem in _sorted_problems(manifest.get(key)):
            yield {
                "type": label,
                "kind": str(problem.get("kind") or ""),
                "source_id": str(problem.get("source_id") or ""),
                "status": str(problem.get("status") or ""),
                "message": str(problem.get("message") or ""),
            }


def _sorted_problems(problems: Any) -> list[Mapping[str, Any]]:
    return sorted(problems or [], key=lambda p: (str(p.get("kind")), str(p.get("source_id")), str(p)))


def run_started_details(bag_root: Path) -> dict[str, Any]:
    """The ``details`` of the first ``run_started`` custody event (streamed line by line)."""
    path = bag_root / "custody.jsonl"
    if not path.is_file():
        return {}
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            event = json.loads(line)
            if event.get("action") == "run_started":
                return dict(event.get("details") or {})
    return {}


def settings(
    bag_root: Path, manifest: Mapping[str, Any], archive_info: Mapping[str, Any] | None
) -> dict[str, Any]:
    header = {k: v for k, v in manifest.items() if k != "entries"}
    return {
        "manifest": header,
        "run_parameters": run_started_details(bag_root),
        "archive": dict(archive_info or {}),
    }


def write_reports(
    bag_root: Path, manifest: Any, *, archive_info: Mapping[str, Any] | None = None
) -> list[str]:
    """Write every report of the run into ``<bag_root>/reports``; return their bag-relative paths."""
    data = manifest_dict(manifest)
    reports = bag_root / "reports"
    written = {
        "summary.csv": render_csv(summary_rows(data), SUMMARY_COLUMNS),
        "items.csv": render_csv(item_rows(data), ITEM_COLUMNS),
        "errors.csv": render_csv(error_rows(data), ERROR_COLUMNS),
        "settings.json": json.dumps(settings(bag_root, data, archive_info), indent=2, sort_keys=True,
                                    ensure_ascii=False) + "\n",
    }  # fmt: skip
    for name, text in written.items():
        write_text_durably(reports / name, text)
    paths = [f"reports/{name}" for name in written]
    paths += write_collection_report(
        bag_root, data, summary_rows(data), list(error_rows(data)), archive_info=archive_info
    )
    return sorted(paths)
