"""Transcripts conform to PDF/A-3B, by a check written from ISO 19005-3 (see tests/pdfa_rules.py)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter

from ediscovery.render import RenderOptions, render_collection, render_html_to_pdf
from tests.pdfa_rules import problems

from .render_bag import BagBuilder, message

EMOJI_TEXT = "Launch 🚀 went well 😀👍🏽 — thanks 🙏 (✓ done)"


def test_a_transcript_with_colour_emoji_conforms(tmp_path: Path) -> None:
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_x", [message("m1", "user", EMOJI_TEXT), message("m2", "assistant", "🎉 " * 40)])
    render_collection(bag.finish(), tmp_path / "o", RenderOptions(jobs=1))
    assert problems(tmp_path / "o" / "chats" / "claude_chat_x.pdf") == []


def test_the_check_finds_interpolated_emoji_images(tmp_path: Path) -> None:
    html = f"<html><body style='image-rendering: auto'><p>{EMOJI_TEXT}</p></body></html>"
    render_html_to_pdf(html, tmp_path / "auto.pdf")
    found = problems(tmp_path / "auto.pdf")
    assert found and all(p.startswith("6.2.8: ") and "/Interpolate true" in p for p in found)


def test_the_check_finds_a_pdf_that_is_not_pdfa(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    with (tmp_path / "plain.pdf").open("wb") as out:
        writer.write(out)
    found = problems(tmp_path / "plain.pdf")
    assert any(p.startswith("6.6.2.1:") for p in found)
    assert any(p.startswith("6.2.2:") for p in found)


def test_the_pdf_title_is_the_chat_name_without_a_repeated_word(tmp_path: Path) -> None:
    from pypdf import PdfReader

    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_x", [message("m1", "user", "hi")], name="Chat 10 of the launch")
    bag.chat("claude_chat_y", [message("m2", "user", "hi")], name="")
    render_collection(bag.finish(), tmp_path / "o", RenderOptions(jobs=1))
    assert PdfReader(tmp_path / "o" / "chats" / "claude_chat_x.pdf").metadata.title == "Chat 10 of the launch"
    assert PdfReader(tmp_path / "o" / "chats" / "claude_chat_y.pdf").metadata.title == "Chat claude_chat_y"


def test_nothing_in_an_activity_report_or_a_chat_leaves_the_page(tmp_path: Path) -> None:
    from tests.page_bounds import words_off_page

    from .conftest import need

    need("pdftotext")
    long_name = "quarterly_" * 30 + ".xlsx"
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_x", [message("m1", "user", f"see {long_name} and " + "x" * 400)])
    event = {
        "id": "activity_1", "created_at": "2026-04-10T08:09:10Z", "type": "claude_file_uploaded",
        "organization_uuid": "org-" + "9" * 40,
        "actor": {"type": "user_actor", "email_address": "a" * 60 + "@x.test"},
        "filename": long_name, "claude_chat_id": "claude_chat_" + "Z" * 60, "detail": "word " * 80,
    }  # fmt: skip
    bag.activities("user_alice", [event])
    root = bag.finish()
    render_collection(root, tmp_path / "o", RenderOptions(jobs=1))
    for pdf in sorted((tmp_path / "o").rglob("*.pdf")):
        assert words_off_page(pdf) == [], pdf.name
