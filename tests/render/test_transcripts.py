"""Transcripts: searchable text, page furniture, Bates continuity, archival validity."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ediscovery.errors import UsageError
from ediscovery.render import RenderOptions, RenderResult, render_collection

from .conftest import need
from .render_bag import BagBuilder, build_rich_bag, message, pdftext

# Each test lays out real PDFs (about a second each, several for the shared rich bag).
pytestmark = pytest.mark.slow


def test_documents_come_in_bates_order_with_continuous_numbers(
    rich_render: tuple[Path, RenderResult],
) -> None:
    _, result = rich_render
    assert [(d.document_type, d.path) for d in result.documents] == [
        ("chat", "chats/claude_chat_rich.pdf"),
        ("project", "projects/claude_proj_1.pdf"),
        ("activity", "activity/user_alice.pdf"),
    ]
    number = 100
    for doc in result.documents:
        assert doc.bates_begin == f"ACME-{number:06d}"
        number += doc.page_count
        assert doc.bates_end == f"ACME-{number - 1:06d}"
    assert result.next_bates == number
    assert result.warnings == ()


def test_every_page_carries_bates_legend_header_and_page_of(rich_render: tuple[Path, RenderResult]) -> None:
    need("pdftotext")
    out, result = rich_render
    for doc in result.documents:
        pages = pdftext(out / doc.path)
        assert len(pages) == doc.page_count
        first = int(doc.bates_begin.removeprefix("ACME-"))
        for n, raw in enumerate(pages, 1):
            page = re.sub(r"\s+", " ", raw)
            assert f"ACME-{first + n - 1:06d}" in page
            assert f"Page {n} of {doc.page_count}" in page
            assert "CONFIDENTIAL" in page
            assert "Acme v. Widget" in page
            assert "Alice Example" in page


def test_every_message_text_is_searchable(rich_render: tuple[Path, RenderResult]) -> None:
    need("pdftotext")
    out, _ = rich_render
    text = re.sub(r"\s+", " ", " ".join(pdftext(out / "chats/claude_chat_rich.pdf")))
    for expected in [
        "Heading",
        "bold",
        "https://example.com/a",
        "quoted line",
        "return x + 1",
        "日本語のテキスト",
        "한국어",
        "😀",
        "∑",
        "Reasoning answer",
        "Example tool output.",
        "internal reasoning was redacted",
        '"query": "example"',
        "not valid JSON",
        '{"url": "http://exa',
        "<b>report</b>.pdf",
        "data/native/files/claude_file_01/content.bin",
        "summary.csv",
        "not collected",
        "Artifact body text.",
        "Appendix: artifacts",
        "future_block",
        "2026-04-10 10:09:10 +02:00",
        "2026-04-10 08:09:10Z",
        "Claude (claude-opus-5)",
        "https://claude.ai/chat/claude_chat_rich",
        "Acme Engineering",
        "20261126T010203Z-a1b2c3",
    ]:
        assert expected in text, expected
    # RTL scripts come out in logical or visual order depending on the extractor; the words are there.
    assert "العربية" in text or "ةيبرعلا" in text


def test_project_and_activity_reports_show_their_content(rich_render: tuple[Path, RenderResult]) -> None:
    need("pdftotext")
    out, _ = rich_render
    project = " ".join(pdftext(out / "projects/claude_proj_1.pdf"))
    assert "Always answer in haiku." in project
    assert "Requirements: ship the dashboard by Friday." in project
    assert "user_bob" in project
    activity = re.sub(r"\s+", " ", " ".join(pdftext(out / "activity/user_alice.pdf")))
    assert activity.index("claude_chat_created") < activity.index("claude_chat_viewed")


def test_text_files_are_written_beside_pdfs(rich_render: tuple[Path, RenderResult]) -> None:
    out, result = rich_render
    chat = result.documents[0]
    assert chat.text_path == "chats/claude_chat_rich.txt"
    text = (out / chat.text_path).read_text(encoding="utf-8")
    assert "Example tool output." in text
    assert chat.bates_begin in text


def test_hashes_and_sources_describe_the_written_file(rich_render: tuple[Path, RenderResult]) -> None:
    import hashlib

    out, result = rich_render
    chat = result.documents[0]
    data = (out / chat.path).read_bytes()
    assert (chat.size, chat.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert [p for p, _ in chat.sources] == [
        "data/native/chats/claude_chat_rich/messages-0001.json",
        "data/native/chats/claude_chat_rich/messages-0002.json",
    ]


def test_pdfs_pass_qpdf_check_and_embed_every_font(rich_render: tuple[Path, RenderResult]) -> None:
    need("qpdf")
    need("pdffonts")
    out, result = rich_render
    for doc in result.documents:
        check = subprocess.run(["qpdf", "--check", str(out / doc.path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        fonts = subprocess.run(["pdffonts", str(out / doc.path)], capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts


def test_parallel_rendering_gives_the_same_text_and_numbers(
    tmp_path: Path, rich_render: tuple[Path, RenderResult]
) -> None:
    need("pdftotext")
    out1, first = rich_render
    root = build_rich_bag(tmp_path / "bag", time_zone="Europe/Paris")
    out2 = tmp_path / "out"
    options = RenderOptions(bates_prefix="ACME-", bates_start=100, bates_digits=6, jobs=2, write_text=True)
    second = render_collection(root, out2, options)
    assert [(d.path, d.bates_begin, d.bates_end) for d in second.documents] == [
        (d.path, d.bates_begin, d.bates_end) for d in first.documents
    ]
    for doc in first.documents:
        assert pdftext(out1 / doc.path) == pdftext(out2 / doc.path)


def test_bates_continue_from_a_previous_production(tmp_path: Path) -> None:
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_1", [message("m1", "user", "first")])
    bag.chat("claude_chat_2", [message("m2", "user", "second")], created_at="2026-05-01T00:00:00Z")
    root = bag.finish()
    result = render_collection(
        root, tmp_path / "o", RenderOptions(bates_prefix="X", bates_start=41, bates_digits=4)
    )
    assert [(d.bates_begin, d.bates_end) for d in result.documents] == [
        ("X0041", "X0041"),
        ("X0042", "X0042"),
    ]
    assert result.next_bates == 43


def test_soft_deleted_chat_gets_a_one_page_placeholder(tmp_path: Path) -> None:
    need("pdftotext")
    bag = BagBuilder(tmp_path / "bag")
    bag.chat(
        "claude_chat_gone",
        [{"id": "m1", "role": "user", "created_at": "2026-04-10T08:09:11Z", "content": []}],
        name="",
        deleted_at="2026-05-02T03:04:05Z",
    )
    root = bag.finish()
    result = render_collection(root, tmp_path / "o", RenderOptions())
    (doc,) = result.documents
    assert doc.page_count == 1
    text = re.sub(r"\s+", " ", pdftext(tmp_path / "o" / doc.path)[0])
    assert "Deleted chat" in text
    assert "2026-05-02 03:04:05Z" in text
    assert "removed by the service before collection" in text


def test_messages_outside_the_date_range_are_labelled(tmp_path: Path) -> None:
    need("pdftotext")
    bag = BagBuilder(tmp_path / "bag", since="2026-04-10T00:00:00Z")
    bag.chat(
        "claude_chat_r",
        [message("m1", "user", "context before"), message("m2", "user", "inside text")],
        in_range={"m1": False, "m2": True},
    )
    root = bag.finish()
    render_collection(root, tmp_path / "o", RenderOptions())
    text = re.sub(r"\s+", " ", " ".join(pdftext(tmp_path / "o/chats/claude_chat_r.pdf")))
    assert text.count("outside date range") == 1
    assert text.index("outside date range") < text.index("inside text")


def test_altered_native_is_not_rendered_and_numbers_stay_continuous(tmp_path: Path) -> None:
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_1", [message("m1", "user", "first")])
    bag.chat("claude_chat_2", [message("m2", "user", "second")], created_at="2026-05-01T00:00:00Z")
    bag.chat("claude_chat_3", [message("m3", "user", "third")], created_at="2026-06-01T00:00:00Z")
    root = bag.finish()
    native = root / "data/native/chats/claude_chat_2/messages-0001.json"
    native.write_bytes(native.read_bytes().replace(b"second", b"SECOND"))
    result = render_collection(root, tmp_path / "o", RenderOptions(bates_digits=3))
    assert [(d.source_id, d.bates_begin) for d in result.documents] == [
        ("claude_chat_1", "001"),
        ("claude_chat_3", "002"),
    ]
    assert any("claude_chat_2" in w and "SHA-256" in w for w in result.warnings)
    assert not (tmp_path / "o/chats/claude_chat_2.pdf").exists()


def test_chat_ids_limit_rendering_to_those_chats(tmp_path: Path) -> None:
    root = build_rich_bag(tmp_path / "bag")
    result = render_collection(root, tmp_path / "o", RenderOptions(), chat_ids=["claude_chat_rich"])
    assert [d.source_id for d in result.documents] == ["claude_chat_rich"]


@pytest.mark.parametrize(
    ("options", "message_part"),
    [
        (RenderOptions(bates_prefix="A/B"), "Bates prefix"),
        (RenderOptions(bates_start=1000, bates_digits=3), "does not fit"),
        (RenderOptions(display_tz="Mars/Olympus"), "Unknown time zone"),
    ],
)
def test_invalid_options_are_usage_errors(tmp_path: Path, options: RenderOptions, message_part: str) -> None:
    root = BagBuilder(tmp_path / "bag").finish()
    with pytest.raises(UsageError, match=message_part):
        render_collection(root, tmp_path / "o", options)


def test_layout_restores_the_callers_collector_thresholds_even_when_it_fails() -> None:
    import gc

    from ediscovery.errors import RenderError
    from ediscovery.render import pdf

    saved = gc.get_threshold()
    gc.set_threshold(1234, 5, 6)
    try:
        pdf.layout_html("<p>fine</p>")
        assert gc.get_threshold() == (1234, 5, 6)
        with pytest.raises(RenderError):
            pdf.layout_html(None)  # type: ignore[arg-type]
        assert gc.get_threshold() == (1234, 5, 6)
    finally:
        gc.set_threshold(*saved)
