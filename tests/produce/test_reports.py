"""The per-run reports: numbers equal manifest.json, CSVs are RFC 4180, the PDF says the same."""

from __future__ import annotations

import csv
import json
import logging
import subprocess
from pathlib import Path

import pytest

from ediscovery.collect.reports import write_reports


def _csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(raw.decode("utf-8").splitlines()))


def test_summary_counts_equal_manifest_counts(alice_bag: Path) -> None:
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    written = write_reports(alice_bag, manifest)
    assert "reports/summary.csv" in written and "reports/collection-report.pdf" in written
    rows = _csv(alice_bag / "reports" / "summary.csv")
    collected: dict[str, int] = {}
    for row in rows:
        collected[row["content_type"]] = collected.get(row["content_type"], 0) + int(row["collected"])
    for key, value in manifest["counts"].items():
        assert collected.get(key, 0) == value, key
    failed = sum(int(r["failed"]) for r in rows)
    assert failed == len(manifest["errors"])


def test_items_list_every_entry_and_every_failure(alice_bag: Path) -> None:
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    write_reports(alice_bag, manifest)
    items = _csv(alice_bag / "reports" / "items.csv")
    assert [i["path"] for i in items if i["status"] == "ok"] == [e["path"] for e in manifest["entries"]]
    failed = [i for i in items if i["status"] != "ok"]
    assert [(f["source_id"], f["error"]) for f in failed] == [("claude_file_gone", "404")]
    errors = _csv(alice_bag / "reports" / "errors.csv")
    assert errors == [
        {
            "type": "error",
            "kind": "file",
            "source_id": "claude_file_gone",
            "status": "failed",
            "message": "404",
        }
    ]


def test_settings_carry_scope_api_and_run_parameters(alice_bag: Path) -> None:
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    write_reports(alice_bag, manifest, archive_info={"sha256": "ab" * 32})
    settings = json.loads((alice_bag / "reports" / "settings.json").read_text(encoding="utf-8"))
    assert settings["manifest"]["scope"]["time_zone"] == "Europe/Berlin"
    assert settings["manifest"]["api"]["version"] == "2023-06-01"
    assert settings["run_parameters"]["since"] == "2026-01-01"
    assert settings["archive"] == {"sha256": "ab" * 32}
    assert "entries" not in settings["manifest"]


@pytest.mark.slow
def test_reports_are_byte_identical_when_rewritten(alice_bag: Path) -> None:
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    write_reports(alice_bag, manifest)
    first = {
        n: (alice_bag / "reports" / n).read_bytes() for n in ("summary.csv", "items.csv", "settings.json")
    }
    write_reports(alice_bag, manifest)
    assert first == {n: (alice_bag / "reports" / n).read_bytes() for n in first}


def test_collection_report_pdf_states_counts_and_custody(
    alice_bag: Path, caplog: pytest.LogCaptureFixture
) -> None:
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        write_reports(alice_bag, manifest, archive_info={"sha256": "cd" * 32})
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    text = subprocess.run(
        ["pdftotext", "-layout", str(alice_bag / "reports" / "collection-report.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert "20261126T010203Z-a1b2c3" in text
    assert "Europe/Berlin" in text
    assert "alice@example.com" in text
    assert "intact" in text
    last_hash = json.loads((alice_bag / "custody.jsonl").read_text().splitlines()[-1])["hash"]
    html = (alice_bag / "reports" / "collection-report.html").read_text(encoding="utf-8")
    assert last_hash in html and "cd" * 32 in html


def test_broken_custody_chain_is_reported(alice_bag: Path) -> None:
    lines = (alice_bag / "custody.jsonl").read_text().splitlines(keepends=True)
    (alice_bag / "custody.jsonl").write_text(lines[0] + "".join(lines[2:]))
    manifest = json.loads((alice_bag / "manifest.json").read_text(encoding="utf-8"))
    write_reports(alice_bag, manifest)
    html = (alice_bag / "reports" / "collection-report.html").read_text(encoding="utf-8")
    assert "BROKEN: line 2 does not link to line 1" in html


def test_reports_accept_the_evidence_manifest_object(alice_bag: Path) -> None:
    from ediscovery.evidence.manifest import load_manifest

    manifest = load_manifest(alice_bag / "manifest.json")
    write_reports(alice_bag, manifest)
    rows = _csv(alice_bag / "reports" / "summary.csv")
    chats = sum(int(r["collected"]) for r in rows if r["content_type"] == "chats")
    assert chats == manifest.counts["chats"] == 2
