"""Markup: chat text (Markdown) turned into safe HTML for a transcript.

markdown-it-py runs with raw HTML disabled, so tags typed in a chat stay visible text.
Links are never followed or made clickable: their text is shown followed by the URL in
brackets; images become the text ``[image: alt] (url)``. Fenced code is highlighted by
Pygments with CSS classes whose colours come from our own stylesheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    name = lang.strip().split()[0] if lang.strip() else ""
    try:
        lexer = get_lexer_by_name(name) if name else None
    except ClassNotFound:
        lexer = None
    body = highlight(code, lexer, _FORMATTER) if lexer is not None else escape(code)
    label = f'<span class="code-lang">{escape(name)}</span>' if name else ""
    return f'<pre class="code highlight">{label}<code>{body}</code></pre>\n'


def _link_open(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, _env: Any) -> str:
    return '<span class="link">'


def _link_close(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, _env: Any) -> str:
    href = ""
    for token in reversed(tokens[:idx]):
        if token.type == "link_open":
            href = str(token.attrGet("href") or "")
            break
    return f'</span> <span class="url">[{escape(href)}]</span>'


def _image(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, _env: Any) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or [])
    src = str(token.attrGet("src") or "")
    return f'<span class="image-ref">[image: {escape(alt)}] [{escape(src)}]</span>'


def _any_link(_url: str) -> bool:
    return True  # links are rendered as text, never followed


def _as_typed(url: str) -> str:
    return url


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "highlight": _highlight})
    md.enable(["table", "strikethrough"])
    md.disable("entity")  # typed "&lt;" is shown as typed, never decoded to "<"
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("image", _image)
    md.validateLink = _any_link  # type: ignore[method-assign,assignment]
    md.normalizeLink = _as_typed  # type: ignore[method-assign]  # no percent-encoding
    md.normalizeLinkText = _as_typed  # type: ignore[method-assign,assignment]
    return md


def markdown_html(text: str) -> Markup:
    """Safe HTML for Markdown ``text``; every character typed by a user stays visible."""
    return Markup(_parser().render(text))


def pygments_css() -> Markup:
    """The stylesheet for highlighted code (classes under ``.highlight``); our own text."""
    return Markup(str(_FORMATTER.get_style_defs(".highlight")).replace("<", "\\3c "))
