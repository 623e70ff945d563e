"""Render: Bates-numbered, searchable, archival PDF transcripts from a bag's natives.

Public API::

    render_collection(bag_root, out_dir, options, *, chat_ids=None, reporter=None) -> RenderResult
    render_html_to_pdf(html, target, *, identifier=None, variant="pdf/a-3b") -> (pages, refused_urls)
    SafeFetcher(root)   the WeasyPrint URL fetcher that serves only files under ``root``

Each name is imported on first use (:mod:`ediscovery.lazy`): the PDF engine loads only when
something is laid out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ediscovery.lazy import exports

if TYPE_CHECKING:
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

__getattr__ = exports(
    __name__,
    {
        "RenderReporter": "collection",
        "render_collection": "collection",
        "SafeFetcher": "fetcher",
        "RenderedDocument": "options",
        "RenderOptions": "options",
        "RenderResult": "options",
        "render_html_to_pdf": "pdf",
        "templates_root": "templates",
    },
)
