"""Damage that keeps BagIt consistent (tag manifests recomputed) and so only the manifest.json,
custody and receipt checks can catch: a wrong md5, a custody log cut short, a rewritten tail."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import py7zr
from click.testing import CliRunner

from ediscovery.archive import seal
from ediscovery.cli.verify import command
from ediscovery.verify import (
    CustodyMismatch,
    CustodyTruncated,
    ManifestJsonMismatch,
    Problem,
    ReceiptMismatch,
    VerifyReport,
    verify,
)
from tests.verify.finished import append_events, cut_custody, edit_manifest, entry_count, last_event

PAYLOAD = "data/native/files/claude_file_xyz/content.bin"
LATER = datetime(2026, 11, 27, 9, 0, 0, tzinfo=UTC)


def _index(bag: Path, path: str = PAYLOAD) -> int:
    entries = json.loads((bag / "manifest.json").read_bytes())["entries"]
    return next(i for i, e in enumerate(entries) if e["path"] == path)


def _of(report: VerifyReport, kind: type[Problem]) -> list[Problem]:
    return [p for p in report.problems if isinstance(p, kind)]


def _messages(report: VerifyReport) -> list[str]:
    return [str(p) for p in report.problems]


def _sealed_beside(bag: Path) -> Path:
    """Seal as the pipeline does: ``<bag>.7z`` beside the bag, the custody head in the receipt."""
    return seal(bag, bag.parent / f"{bag.name}.7z", final_event=last_event(bag)).archive_path


def _repack(bag: Path, archive: Path) -> None:
    archive.unlink()
    with py7zr.SevenZipFile(archive, "w") as out:
        out.writeall(bag, bag.name)


def test_an_md5_edited_in_manifest_json_is_reported_with_both_values(bag: Path, tmp_path: Path) -> None:
    actual = json.loads((bag / "manifest.json").read_bytes())["entries"][_index(bag)]["md5"]
    edit_manifest(bag, _index(bag), "md5", "0" * 32)
    report = verify(bag)
    assert _of(report, ManifestJsonMismatch) == [ManifestJsonMismatch(PAYLOAD, "md5", actual, "0" * 32)]
    assert f"{PAYLOAD}: manifest.json md5 is {'0' * 32}, the bag has {actual}" in _messages(report)[0]
    # manifest.json is no longer the one run_finished recorded: the custody layer says so too
    assert [type(p) for p in report.problems] == [ManifestJsonMismatch, CustodyMismatch]
    sealed = seal(bag, tmp_path / "x.7z")
    assert [type(p) for p in verify(sealed.archive_path).problems] == [ManifestJsonMismatch, CustodyMismatch]


def test_a_size_edited_in_manifest_json_is_reported(bag: Path) -> None:
    edit_manifest(bag, _index(bag), "size", 1)
    found = _of(verify(bag), ManifestJsonMismatch)
    assert [(p.field, p.found) for p in found if isinstance(p, ManifestJsonMismatch)] == [("size", "1")]


def test_a_log_cut_after_run_finished_is_truncated(bag: Path) -> None:
    cut_custody(bag, 1)
    report = verify(bag)
    assert [type(p) for p in report.problems] == [CustodyTruncated], _messages(report)
    assert "ends with 'run_finished' (seq 6), not bag_written" in str(report.problems[0])


def test_a_log_cut_before_run_finished_is_truncated_and_names_both_ends(bag: Path) -> None:
    cut_custody(bag, 2)
    report = verify(bag)
    details = [p.message for p in _of(report, CustodyTruncated)]
    assert any("ends with 'item_stored' (seq 5)" in d for d in details), details
    assert any("no run_finished event" in d for d in details), details


def test_md5_zeroed_and_custody_tail_cut_exits_3(bag: Path) -> None:
    edit_manifest(bag, _index(bag), "md5", "0" * 32)
    cut_custody(bag, 2)
    result = CliRunner().invoke(command, [str(bag)])
    assert result.exit_code == 3, result.output
    assert "manifest.json md5 is 000" in result.output and "not bag_written" in result.output
    assert result.output.rstrip().endswith("problem(s)") and "INVALID" in result.output


def test_a_resumed_finish_counts_only_the_last_run_finished(bag: Path) -> None:
    append_events(bag, ("run_resumed", {"removed_partials": 0}))
    manifest = json.loads((bag / "manifest.json").read_bytes())
    manifest["finished_at"] = "2026-11-27T09:00:00Z"
    (bag / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    sha = hashlib.sha256((bag / "manifest.json").read_bytes()).hexdigest()
    append_events(
        bag,
        ("run_finished", {"status": "complete", "manifest_sha256": sha}),
        ("bag_written", {"bag": bag.name, "entries": entry_count(bag)}),
    )
    report = verify(bag)
    assert report.ok, _messages(report)
    cut_custody(bag, 2)
    append_events(bag, ("bag_written", {"bag": bag.name, "entries": entry_count(bag)}))
    mismatch = _of(verify(bag), CustodyMismatch)
    assert [(p.path, p.expected) for p in mismatch if isinstance(p, CustodyMismatch)] == [
        ("manifest.json", sha)
    ]


def test_bag_written_with_another_entry_count_is_reported(bag: Path) -> None:
    cut_custody(bag, 1)
    append_events(bag, ("bag_written", {"bag": bag.name, "entries": entry_count(bag) + 1}))
    report = verify(bag)
    assert _messages(report) == [
        f"[custody] custody.jsonl line 7: manifest.json entries recorded as {entry_count(bag) + 1}, "
        f"the bag has {entry_count(bag)}"
    ]


def test_an_item_stored_without_a_manifest_entry_is_reported(bag: Path) -> None:
    cut_custody(bag, 1)
    ghost = {"path": "data/native/files/claude_file_ghost/content.bin", "sha256": "a" * 64}
    append_events(
        bag, ("item_stored", ghost), ("bag_written", {"bag": bag.name, "entries": entry_count(bag)})
    )
    found = _of(verify(bag), CustodyMismatch)
    assert [(p.line, p.path, p.expected) for p in found if isinstance(p, CustodyMismatch)] == [
        (7, ghost["path"], "no manifest.json entry")
    ]


def test_the_receipt_beside_a_bag_folder_is_checked_and_agrees(bag: Path) -> None:
    archive = _sealed_beside(bag)
    for target in (bag, archive):
        report = verify(target)
        assert report.ok, _messages(report)
        assert report.layers[0].status == "ok"
    assert verify(bag).layers[0].note == "receipt beside the bag folder"


def test_a_rewritten_custody_tail_differs_from_the_receipt_head(bag: Path) -> None:
    archive = _sealed_beside(bag)
    head = last_event(bag)["hash"]
    cut_custody(bag, 1)
    append_events(bag, ("bag_written", {"bag": bag.name, "entries": entry_count(bag)}), clock=LATER)
    report = verify(bag)
    heads = [p for p in _of(report, ReceiptMismatch) if isinstance(p, ReceiptMismatch)]
    assert [(p.field, p.expected, p.found) for p in heads if p.field == "custody_event.hash"] == [
        ("custody_event.hash", head, last_event(bag)["hash"])
    ]
    assert not _of(report, CustodyTruncated) and report.layers[0].status == "failed"
    _repack(bag, archive)
    assert any(
        isinstance(p, ReceiptMismatch) and p.field == "custody_event.hash" for p in verify(archive).problems
    )


def test_a_cut_tail_with_a_receipt_is_truncated_and_a_head_mismatch(bag: Path) -> None:
    _sealed_beside(bag)
    cut_custody(bag, 2)
    kinds = {type(p).__name__ for p in verify(bag).problems}
    assert {"CustodyTruncated", "ReceiptMismatch"} <= kinds
    assert CliRunner().invoke(command, [str(bag)]).exit_code == 3
