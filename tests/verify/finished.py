"""Bags for verify tests: the shared test bag closed the way the pipeline closes a run, and the
edits a tamperer would make to keep BagIt itself consistent (recomputed tag manifests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ediscovery.evidence.bag import list_tag_files, manifest_bytes
from ediscovery.evidence.custody import CustodyLog
from ediscovery.evidence.digest import hash_file
from tests.archive.bagbuilder import build_bag


def _clock() -> datetime:
    return datetime(2026, 11, 26, 1, 4, 6, tzinfo=UTC)


def append_events(bag: Path, *events: tuple[str, dict[str, Any]], clock: datetime | None = None) -> None:
    """Continue the bag's custody chain with ``events`` (then recompute the tag manifests)."""
    when = clock or _clock()
    with CustodyLog(bag / "custody.jsonl", clock=lambda: when, actor={"os_user": "u", "host": "h"}) as log:
        for action, details in events:
            log.append(action, details)
    retag(bag)


def entry_count(bag: Path) -> int:
    return len(json.loads((bag / "manifest.json").read_bytes())["entries"])


def finished_bag(parent: Path, *, seed: int = 1) -> Path:
    """The test bag with ``bag_written`` as the last custody event, as the pipeline leaves it."""
    bag = build_bag(parent, seed=seed)
    append_events(bag, ("bag_written", {"bag": bag.name, "entries": entry_count(bag)}))
    return bag


def retag(bag: Path) -> None:
    """Recompute both tag manifests over every tag file, as someone hiding an edit would."""
    digests = {rel: hash_file(bag / rel) for rel in list_tag_files(bag)}
    for algorithm in ("sha256", "sha512"):
        lines = {rel: getattr(d, algorithm) for rel, d in digests.items()}
        (bag / f"tagmanifest-{algorithm}.txt").write_bytes(manifest_bytes(lines))


def cut_custody(bag: Path, lines: int) -> None:
    """Drop the last ``lines`` custody events and recompute the tag manifests."""
    path = bag / "custody.jsonl"
    kept = path.read_bytes().splitlines(keepends=True)[:-lines]
    path.write_bytes(b"".join(kept))
    retag(bag)


def last_event(bag: Path) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((bag / "custody.jsonl").read_bytes().splitlines()[-1])
    return event


def edit_manifest(bag: Path, index: int, field: str, value: object) -> None:
    """Set one field of one manifest.json entry, written as the pipeline writes it, and retag."""
    manifest = json.loads((bag / "manifest.json").read_bytes())
    manifest["entries"][index][field] = value
    (bag / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    retag(bag)
