"""PDF: HTML laid out by WeasyPrint and written as an archival (PDF/A) file, durably.

:func:`layout_html` parses and paginates HTML with the safe fetcher; :func:`write_pdf`
draws a laid-out document to ``target`` through a temporary file, fsync and ``os.replace``;
:func:`render_html_to_pdf` does both for callers that need no Bates stamp (the collection
report). :func:`document_text` is the text of each page as laid out (for ``.txt`` files).
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from ediscovery.errors import RenderError
from ediscovery.evidence.canonical import TEXT_ERRORS
from ediscovery.evidence.digest import Digests, hash_file
from ediscovery.evidence.store import replacing
from ediscovery.render.fetcher import SafeFetcher
from ediscovery.render.font_data import defer_font_data
from ediscovery.render.templates import stylesheet, templates_root

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/a-3b"


_fonts: FontConfiguration | None = None


def _font_configuration() -> FontConfiguration:
    """One font configuration per process: setting up fonts for every run of every document
    cost about a third of the layout time, and documents come out byte-for-byte the same."""
    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
    return _fonts


def _forget_fonts() -> None:
    global _fonts
    _fonts = None


os.register_at_fork(after_in_child=_forget_fonts)
atexit.register(_forget_fonts)  # before the interpreter tears Pango's bindings down (else: SIGSEGV)
defer_font_data()  # a font file's bytes are read only if they are written (font_data.py)


ENGINE_GC_THRESHOLDS = (100_000, 2, 2)
"""The cyclic collector's thresholds while the engine works. Layout allocates millions of
small objects that live as long as the document; at Python's default (a young collection every
700 allocations) the collector re-scans them over and over, about an eighth of the layout time,
and frees almost nothing. Young collections every 100,000 allocations keep the saving and the
peak memory within a few MB of the default (measured in ``bench/bench_render.py``)."""


@contextmanager
def engine_gc() -> Iterator[None]:
    """Run the block with :data:`ENGINE_GC_THRESHOLDS`, restoring the caller's afterwards."""
    saved = gc.get_threshold()
    gc.set_threshold(*ENGINE_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


_parsed: dict[str, Any] = {}


def parsed_stylesheet(name: str) -> Any:
    """The CSS file ``name`` (under ``templates/``) parsed once per process, for documents laid
    out many times over with the same stylesheet (the page furniture of every transcript)."""
    if name not in _parsed:
        text = stylesheet(name)
        base_url = templates_root().as_uri() + "/"
        fetcher = SafeFetcher(templates_root())
        _parsed[name] = CSS(string=str(text), base_url=base_url, url_fetcher=fetcher,
                            font_config=_font_configuration())  # fmt: skip
    return _parsed[name]


def layout_html(html: str, fetcher: SafeFetcher | None = None, *, stylesheets: tuple[Any, ...] = ()) -> Any:
    """A paginated WeasyPrint document; resources resolve inside ``templates/`` only.

    ``stylesheets`` (from :func:`parsed_stylesheet`) apply beneath the document's own styles:
    they are user style sheets, which an author rule of the document overrides.
    """
    fetcher = fetcher or SafeFetcher(templates_root())
    base_url = templates_root().as_uri() + "/"
    try:
        with engine_gc():
            return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                stylesheets=list(stylesheets), font_config=_font_configuration()
            )
    except Exception as exc:
        raise RenderError(f"Could not lay out a document: {type(exc).__name__}: {exc}") from exc


FONT_TIME = "946684800"
"""The modification time (2000-01-01, as a ``SOURCE_DATE_EPOCH``) written into every embedded
font subset, so the same document drawn twice is the same bytes (fontTools otherwise stamps
the current second into a re-saved font's ``head`` table)."""


def draw(document: Any, target: Any, *, identifier: bytes | None, variant: str = PDF_VARIANT) -> None:
    """Draw a laid-out ``document`` to ``target`` (a path or a binary file) reproducibly."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIME
    try:
        with engine_gc():
            document.write_pdf(target, pdf_variant=variant, pdf_identifier=identifier)
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


def write_pdf(document: Any, target: Path, *, identifier: bytes, variant: str = PDF_VARIANT) -> Digests:
    """Draw ``document`` to ``target`` durably and return the file's digests."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(target) as handle:
            draw(document, handle, identifier=identifier, variant=variant)
    except Exception as exc:
        raise RenderError(f"Could not write {target}: {type(exc).__name__}: {exc}") from exc
    return hash_file(target)


def render_html_to_pdf(
    html: str, target: Path, *, identifier: bytes | None = None, variant: str = PDF_VARIANT
) -> tuple[int, tuple[str, ...]]:
    """Lay out ``html`` and write it to ``target``; return the page count and refused URLs.

    ``identifier`` is the PDF file identifier; by default it is derived from the HTML, so
    the same HTML gives the same identifier.
    """
    fetcher = SafeFetcher(templates_root())
    document = layout_html(html, fetcher)
    ident = identifier or hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
    write_pdf(document, target, identifier=ident, variant=variant)
    return len(document.pages), tuple(fetcher.refused)


def document_text(document: Any) -> str:
    """The laid-out text, one line per line box, pages separated by form feeds."""
    pages = []
    for page in document.pages:
        lines = []
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                text = "".join(child.text for child in box.descendants() if isinstance(child, boxes.TextBox))
                lines.append(text.rstrip())
        pages.append("\n".join(lines))
    return "\n\f".join(pages) + "\n"


def write_text(text: str, target: Path) -> None:
    """Write ``text`` as UTF-8 durably."""
    write_text_parts(lambda write: write(text), target)


def write_text_parts(produce: Callable[[Callable[[str], object]], object], target: Path) -> None:
    """Write, as UTF-8 and durably, the pieces ``produce`` hands to its ``write`` argument."""
    try:
        with replacing(target, "w", encoding="utf-8", errors=TEXT_ERRORS, newline="\n") as handle:
            produce(handle.write)
    except OSError as exc:
        raise RenderError(f"Could not write {target}: {exc}") from exc
