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
