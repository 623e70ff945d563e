"""Stylesheets reach WeasyPrint intact: no CSS warning, digits drawn as text."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import jinja2
import pytest

from ediscovery.render import RenderOptions, render_collection
from ediscovery.render.diagnostics import capture
from ediscovery.render.pdf import render_html_to_pdf
from ediscovery.render.templates import stylesheet

from .conftest import need
from .render_bag import BagBuilder, build_rich_bag, message, pdftext

INLINE = "<html><head><style>{{ css }}</style></head><body><p>Report 2026</p></body></html>"


def test_representative_chat_renders_without_weasyprint_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = build_rich_bag(tmp_path / "bag", time_zone="Europe/Paris")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        result = render_collection(
            root, tmp_path / "out", RenderOptions(jobs=1), chat_ids=["claude_chat_rich"]
        )
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
    assert not [w for w in result.warnings if "layout problem" in w]
    assert len(result.documents) == 1


def test_autoescaped_inline_css_is_caught_and_stylesheet_helper_avoids_it(tmp_path: Path) -> None:
    template = jinja2.Environment(autoescape=True).from_string(INLINE)
    css_text = (stylesheet("transcript/transcript.css")).unescape()
    with capture() as broken:
        render_html_to_pdf(template.render(css=css_text), tmp_path / "broken.pdf")
    with capture() as fixed:
        render_html_to_pdf(template.render(css=stylesheet("transcript/transcript.css")), tmp_path / "ok.pdf")
    assert any("&#34" in message for message in broken.layout_problems)
    assert fixed.messages == []


def test_stylesheet_helper_refuses_files_outside_templates() -> None:
    from ediscovery.errors import RenderError

    with pytest.raises(RenderError):
        stylesheet("../pyproject.toml")
    with pytest.raises(RenderError):
        stylesheet("transcript/chat.html.j2")


def test_digits_are_searchable_text_not_emoji_bitmaps(tmp_path: Path) -> None:
    need("pdftotext")
    need("pdffonts")
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_digits", [message("m1", "user", "The numbers are 1, 2 and 3 on 2026-04-10.")])
    result = render_collection(bag.finish(), tmp_path / "out", RenderOptions(jobs=1))
    pdf = tmp_path / "out" / result.documents[0].path
    assert "The numbers are 1, 2 and 3 on 2026-04-10." in "".join(pdftext(pdf))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Emoji" not in fonts
