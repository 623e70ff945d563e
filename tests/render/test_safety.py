"""Safety: chat content is shown literally and never makes the renderer fetch anything."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from ediscovery.render import (
    RenderOptions,
    SafeFetcher,
    render_collection,
    render_html_to_pdf,
    templates_root,
)

from .conftest import need
from .render_bag import BagBuilder, message, pdftext


class _Counter(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets."""
    hits: ClassVar[list[str]] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def _hostile(base: str) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        f'<img src="{base}/remote.png">',
        f"<style>@import url({base}/import.css);</style>",
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{base}/svg.png"/></svg>',
        f"![tracking]({base}/markdown.png)",
        f'<link rel="stylesheet" href="{base}/link.css">',
        f'<iframe src="{base}/frame"></iframe>',
    ]


def test_hostile_chat_text_is_shown_literally_and_nothing_is_fetched(
    tmp_path: Path, loopback: tuple[str, list[str]]
) -> None:
    need("pdftotext")
    base, hits = loopback
    attacks = _hostile(base)
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_x", [message(f"m{i}", "user", text) for i, text in enumerate(attacks)])
    root = bag.finish()
    result = render_collection(root, tmp_path / "o", RenderOptions())
    assert hits == []
    assert len(result.documents) == 1
    text = re.sub(r"\s+", " ", " ".join(pdftext(tmp_path / "o/chats/claude_chat_x.pdf")))
    for literal in ['<img src="file:///etc/passwd">', "@import url(", "<svg", "<iframe", "[image: tracking]"]:
        assert literal in text, literal
    assert "root:x:0:0" not in text


def test_raw_html_references_are_refused_by_the_fetcher(
    tmp_path: Path, loopback: tuple[str, list[str]]
) -> None:
    base, hits = loopback
    body = "".join(_hostile(base)[:4])
    html = (
        f"<html><head><style>@import url({base}/head.css);</style></head><body><p>x</p>{body}</body></html>"
    )
    pages, refused = render_html_to_pdf(html, tmp_path / "raw.pdf")
    assert hits == []
    assert pages == 1
    assert any(url.startswith("file:///etc/passwd") for url in refused)
    assert any(url.startswith(base) for url in refused)


def test_fetcher_serves_only_template_files(tmp_path: Path) -> None:
    fetcher = SafeFetcher(templates_root())
    css = templates_root() / "transcript" / "transcript.css"
    assert b"@page" in fetcher.fetch(css.as_uri()).read()
    outside = tmp_path / "secret.css"
    outside.write_text("body {}")
    escape = (templates_root() / "transcript" / ".." / ".." / "etc.css").as_uri()
    for url in [
        outside.as_uri(),
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "data:text/css,body{}",
        escape,
    ]:
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 5


def test_entity_text_in_a_chat_is_shown_as_typed_not_decoded(tmp_path: Path) -> None:
    need("pdftotext")
    typed = "typed &lt;script&gt; &amp; &#x41; and a link [site](https://x.test/é?a=1&b=2)"
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_x", [message("m1", "user", typed)])
    render_collection(bag.finish(), tmp_path / "o", RenderOptions())
    text = re.sub(r"\s+", " ", " ".join(pdftext(tmp_path / "o/chats/claude_chat_x.pdf")))
    assert "typed &lt;script&gt; &amp; &#x41; and a link" in text
    assert "<script>" not in text
    assert "https://x.test/é?a=1&b=2" in text
