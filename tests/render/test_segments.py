"""Long chats are laid out in segments yet read as one transcript with bounded memory."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ediscovery.evidence.stored import StoredBag
from ediscovery.render import RenderOptions, RenderResult, render_collection, worker
from ediscovery.render.plan import plan_jobs, read_collection

from .conftest import need
from .render_bag import BagBuilder, message, pdftext

ROOT = Path(__file__).resolve().parents[2]


def _long_bag(root: Path, count: int) -> Path:
    bag = BagBuilder(root)
    messages = [
        message(f"m{i:05d}", "user" if i % 2 == 0 else "assistant", f"Message number {i} says hello.")
        for i in range(count)
    ]
    messages[-1]["artifacts"] = [
        {"id": "a1", "version_id": "av1", "title": "Plan", "artifact_type": "text/markdown"}
    ]
    bag.chat("claude_chat_long", messages, page_size=5)
    bag.artifact("av1", "claude_chat_long", "Artifact body of the plan.", "Plan")
    bag.chat("claude_chat_next", [message("n1", "user", "The next chat.")], created_at="2026-05-01T00:00:00Z")
    return bag.finish()


def _render(root: Path, out: Path) -> RenderResult:
    options = RenderOptions(bates_prefix="ACME", bates_start=7, bates_digits=5, jobs=1, write_text=True)
    return render_collection(root, out, options)


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(worker, "SEGMENT_MESSAGES", 4)
    try:
        root = _long_bag(tmp_path_factory.mktemp("seg") / "bag", 11)
        out = root.parent / "out"
        return out, _render(root, out)
    finally:
        monkeypatch.undo()


def test_segmented_chat_has_every_message_once_with_continuous_furniture(
    segmented: tuple[Path, RenderResult],
) -> None:
    need("pdftotext")
    out, result = segmented
    long, following = result.documents
    pages = pdftext(out / long.path)
    text = re.sub(r"\s+", " ", " ".join(pages))
    for i in range(11):
        assert text.count(f"Message number {i} says hello.") == 1
    assert text.count("Artifact body of the plan.") == 1
    assert text.count("Native sources (SHA-256)") == 1
    assert len(pages) == long.page_count >= 3  # 11 messages in runs of 4: three runs, three pages at least
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {long.page_count}" in page
        assert f"ACME{6 + number:05d}" in page
        assert "CONFIDENTIAL" in page and "Acme v. Widget" in page
    assert (long.bates_begin, long.bates_end) == ("ACME00007", f"ACME{6 + long.page_count:05d}")
    assert following.bates_begin == f"ACME{7 + long.page_count:05d}"


def test_segmented_chat_passes_qpdf_and_writes_text_with_bates(segmented: tuple[Path, RenderResult]) -> None:
    need("qpdf")
    out, result = segmented
    long = result.documents[0]
    check = subprocess.run(["qpdf", "--check", str(out / long.path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert long.text_path is not None
    text = (out / long.text_path).read_text(encoding="utf-8")
    assert text.count("\f") == long.page_count - 1
    assert long.bates_end in text and "Message number 10 says hello." in text
    assert not list((out / "chats").glob(".*"))  # no segment leftovers


def test_segmented_rendering_is_deterministic(
    tmp_path: Path, segmented: tuple[Path, RenderResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "SEGMENT_MESSAGES", 4)
    _, first = segmented
    again = _render(_long_bag(tmp_path / "bag", 11), tmp_path / "out")
    assert [d.sha256 for d in again.documents] == [d.sha256 for d in first.documents]


_PEAK = """
import resource, sys
from pathlib import Path
from ediscovery.render import RenderOptions, render_collection
render_collection(Path(sys.argv[1]), Path(sys.argv[2]), RenderOptions(jobs=1))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(root: Path, out: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(root), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(done.stdout.split()[-1])


@pytest.mark.slow
def test_long_chat_peak_memory_stays_near_a_short_chats(tmp_path: Path) -> None:
    short = _peak_kib(_long_bag(tmp_path / "short", 100), tmp_path / "short-out")
    long = _peak_kib(_long_bag(tmp_path / "long", 1500), tmp_path / "long-out")
    assert long < 1.6 * short, (short, long)


def test_few_but_large_messages_are_laid_out_in_separate_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("pdftotext")
    monkeypatch.setattr(worker, "SEGMENT_CHARS", 400)
    bag = BagBuilder(tmp_path / "bag")
    bodies = [f"Paste {i}: " + " ".join(f"w{i}x{j}" for j in range(80)) for i in range(3)]
    bag.chat("claude_chat_big", [message(f"b{i}", "user", body) for i, body in enumerate(bodies)])
    result = render_collection(bag.finish(), tmp_path / "out", RenderOptions(jobs=1))
    doc = result.documents[0]
    pages = pdftext(tmp_path / "out" / doc.path)
    assert len(pages) == doc.page_count == 3  # each message over half the budget: a run, a page each
    text = re.sub(r"\s+", " ", " ".join(pages))
    for i in range(3):
        assert text.count(f"Paste {i}: w{i}x0") == 1 and f"w{i}x79" in text
    assert all(f"Page {n} of 3" in page for n, page in enumerate(pages, 1))


def _activity_bag(root: Path, count: int) -> Path:
    bag = BagBuilder(root)
    bag.chat("claude_chat_one", [message("m1", "user", "Hello.")])
    events = [
        {
            "id": f"activity_{i:05d}",
            "created_at": f"2026-04-{1 + i // 1440 % 28:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00Z",
            "type": "claude_chat_viewed",
            "actor": {"type": "user_actor", "email_address": "alice@example.com", "user_id": "user_alice"},
            "claude_chat_id": f"claude_chat_{i:05d}",
        }
        for i in range(count)
    ]
    bag.activities("user_alice", events[::-1])  # the feed is newest first; the report is in time order
    return bag.finish()


def test_activity_report_laid_out_in_runs_keeps_every_event_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need("pdftotext")
    monkeypatch.setattr(worker, "SEGMENT_MESSAGES", 4)
    root = _activity_bag(tmp_path / "bag", 11)
    result = _render(root, tmp_path / "out")
    (report,) = [d for d in result.documents if d.document_type == "activity"]
    pages = pdftext(tmp_path / "out" / report.path)
    assert len(pages) == report.page_count >= 3  # 11 events in runs of 4: three runs, a page each at least
    text = re.sub(r"\s+", " ", " ".join(pages))
    positions = [text.find(f"claude_chat_{i:05d}") for i in range(11)]
    assert -1 not in positions and positions == sorted(positions), positions
    assert all(text.count(f"activity_{i:05d}") == 1 for i in range(11))
    assert text.count("Activity report") == 1 and text.count("Native sources (SHA-256)") == 1
    for number, page in enumerate(pages, 1):
        assert f"Page {number} of {report.page_count}" in page
    assert report.bates_end == f"ACME{report.page_count - 1 + int(report.bates_begin[4:]):05d}"


@pytest.mark.slow
def test_long_activity_report_peak_memory_stays_near_a_short_ones(tmp_path: Path) -> None:
    short = _peak_kib(_activity_bag(tmp_path / "short", 100), tmp_path / "short-out")
    long = _peak_kib(_activity_bag(tmp_path / "long", 3000), tmp_path / "long-out")
    assert long < 1.6 * short, (short, long)


def test_a_long_chats_runs_shared_among_workers_are_the_runs_one_worker_lays_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "SEGMENT_MESSAGES", 4)
    root = _long_bag(tmp_path / "bag", 11)
    bag = StoredBag.open(root)
    job = plan_jobs(bag, read_collection(bag, "UTC"))[0]
    assert job.source_id == "claude_chat_long"
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    pages_alone = worker.prepare_job(root, job, RenderOptions(cache_dir=alone))
    halves = [worker.prepare_job(root, job, RenderOptions(cache_dir=shared), (i, 2)) for i in (0, 1)]
    assert all(halves) and sum(halves) == pages_alone  # each share laid out some runs, none twice
    assert sorted(p.name for p in alone.iterdir()) == sorted(p.name for p in shared.iterdir())
    assert len(list(alone.glob("*.pdf"))) == 3  # 11 messages in runs of 4
    assert worker.expected_runs(job) == 3
