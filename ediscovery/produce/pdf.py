"""Single-page PDFs of a production (slip sheets), laid out once and written page by page.

Owns splitting one laid-out HTML document into one archival PDF per page. Layout, the safe
URL fetcher, the PDF/A variant and durable writing are those of :mod:`ediscovery.render.pdf`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from ediscovery.errors import RenderError
from ediscovery.render.pdf import layout_html, write_pdf


def write_pages(html: str, targets: Sequence[Path]) -> None:
    """Lay ``html`` out and write page *i* to ``targets[i]``; the page count must match."""
    document = layout_html(html)
    if len(document.pages) != len(targets):
        raise RenderError(f"Laid out {len(document.pages)} pages where {len(targets)} were expected.")
    for page, target in zip(document.pages, targets, strict=True):
        identifier = hashlib.sha256(target.name.encode()).hexdigest()[:32].encode()
        write_pdf(document.copy([page]), target, identifier=identifier)
