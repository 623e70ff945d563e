"""HTML to PDF for produced pages (collection report, slip sheets), offline and deterministic.

Owns the WeasyPrint boundary of this package: no URL is ever fetched (every stylesheet is
inlined; any other URL is refused), and WeasyPrint errors become :class:`RenderError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ediscovery.errors import RenderError


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"fetching {url[:80]!r} is not allowed in produced documents")


def html_to_pdf(html: str) -> bytes:
    """One PDF from one HTML string."""
    return b"".join(html_to_pdfs(html, None))


def html_to_pdfs(
    html: str, page_groups: Sequence[Sequence[int]] | None, *, expect_pages: int | None = None
) -> list[bytes]:
    """Lay ``html`` out once and write one PDF per group of page indexes (all pages when None)."""
    try:
        import weasyprint

        document = weasyprint.HTML(string=html, url_fetcher=_refuse, base_url=".").render()
        if expect_pages is not None and len(document.pages) != expect_pages:
            raise ValueError(f"laid out {len(document.pages)} pages, expected {expect_pages}")
        if page_groups is None:
            return [document.write_pdf()]
        return [document.copy([document.pages[i] for i in group]).write_pdf() for group in page_groups]
    except Exception as exc:  # WeasyPrint raises many unrelated types
        raise RenderError(f"PDF rendering failed: {exc}") from exc


def page_count(html: str) -> int:
    try:
        import weasyprint

        return len(weasyprint.HTML(string=html, url_fetcher=_refuse, base_url=".").render().pages)
    except Exception as exc:
        raise RenderError(f"PDF layout failed: {exc}") from exc
