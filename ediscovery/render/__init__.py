"""Render: Bates-numbered, searchable, archival PDF transcripts from a bag's natives.

Public API::

    render_collection(bag_root, out_dir, options, *, chat_ids=None, reporter=None) -> RenderResult
    render_html_to_pdf(html, target, *, identifier=None, variant="pdf/a-3b") -> (pages, refused_urls)
    SafeFetcher(root)   the WeasyPrint URL fetcher that serves only files under ``root``
"""

from __future__ import annotations

from ediscovery.render.collection import RenderReporter, render_collection
from ediscovery.render.fetcher import SafeFetcher
from ediscovery.render.options import RenderedDocument, RenderOptions, RenderResult
from ediscovery.render.pdf import render_html_to_pdf
from ediscovery.render.templates import templates_root

__all__ = [
    "RenderOptions",
    "RenderReporter",
    "RenderResult",
    "RenderedDocument",
    "SafeFetcher",
    "render_collection",
    "render_html_to_pdf",
    "templates_root",
]
