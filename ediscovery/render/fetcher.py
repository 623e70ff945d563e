"""Fetcher: the only way WeasyPrint may load a resource while rendering.

Chat content is untrusted. Everything in it is escaped, and as a second wall the fetcher
given to WeasyPrint serves files from the shipped ``templates/`` folder only (CSS, fonts,
images with known suffixes). Every other URL -- ``file://`` elsewhere, ``http(s)://``,
``ftp://``, CSS ``@import`` of a remote sheet, SVG external references and every ``data:``
URL (our templates need none) -- is refused, logged, and remembered in :attr:`SafeFetcher.refused`.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = frozenset({".css", ".woff", ".woff2", ".ttf", ".otf", ".png", ".svg", ".icc"})
_TYPES = {".css": "text/css", ".woff2": "font/woff2", ".icc": "application/vnd.iccprofile"}


class RefusedURL(ValueError):
    """WeasyPrint was asked for a URL outside the allowed folder; nothing was fetched."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serve files under ``root`` (by ``file:`` URL); refuse and record everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self._allowed_path(url)
        if path is None:
            self.refused.append(url[:200])
            logger.warning("Refused to fetch %s while rendering", url[:200])
            raise RefusedURL(f"refused URL {url[:200]}")
        media_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        headers_out = {"Content-Type": media_type or "application/octet-stream"}
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers_out)

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        candidate = Path(unquote(parts.path))
        if not candidate.is_absolute() or candidate.suffix.lower() not in ALLOWED_SUFFIXES:
            return None
        try:
            resolved = candidate.resolve(strict=True)
        except OSError:
            return None
        if not resolved.is_relative_to(self.root) or not resolved.is_file():
            return None
        return resolved
