"""Segments: a long chat laid out a few hundred messages at a time and joined into one PDF.

WeasyPrint keeps a whole laid-out document in memory (about 2 GB for 5,000 messages). A
long chat is therefore cut into runs of whole messages, bounded by count and by characters
of content (a chat whose first run holds everything is laid out in one piece). Each run is
laid out and drawn on its own to a temporary PDF without the two pieces of furniture that
depend on the whole document -- ``Page n of N`` and the Bates number -- and forgotten. Once
the page count is known and a Bates range claimed, a furniture overlay (empty pages carrying
just those two margin boxes, styled by the same stylesheet) is laid out for each run and
merged onto its pages with pypdf; the joined file keeps the first run's PDF/A metadata and
gets the document's identifier. Every page is laid out once, so the cost stays linear and
peak memory is one run's.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject

from ediscovery.errors import RenderError
from ediscovery.evidence.canonical import TEXT_ERRORS
from ediscovery.evidence.digest import Digests, hash_file
from ediscovery.evidence.store import replacing
from ediscovery.render.bates import format_bates
from ediscovery.render.cache import Cached, PartCache
from ediscovery.render.diagnostics import Diagnostics, capture
from ediscovery.render.fetcher import SafeFetcher
from ediscovery.render.pdf import document_text, draw, layout_html, parsed_stylesheet
from ediscovery.render.templates import render_template

SEGMENT_MESSAGES = 200  # messages laid out at once; about 50 pages, ~100 MB of layout
SEGMENT_CHARS = 200_000  # characters of content laid out at once (long tool results, pastes)
FURNITURE_STYLESHEET = "transcript/transcript.css"
"""The transcripts' stylesheet, parsed once per process for the overlays: its page size,
margins and margin-box fonts are the transcript's; the overlay's own rules override the rest."""


@dataclass(frozen=True)
class Part:
    """One run drawn to a temporary PDF (and its page texts when asked for)."""

    pdf: Path
    pages: int
    text: Path | None


@dataclass(frozen=True)
class Furniture:
    """What the overlay prints: Bates numbers from ``start`` and ``Page n of total``."""

    prefix: str
    digits: int
    start: int
    total: int

    def page(self, number: int) -> tuple[str, str]:
        """(``Page n of N``, Bates number) of page ``number`` (1-based) of the document."""
        bates = format_bates(self.prefix, self.start + number - 1, self.digits)
        return f"Page {number} of {self.total}", bates


@contextlib.contextmanager
def workspace(target: Path) -> Iterator[Path]:
    """A private folder beside ``target`` for the runs' PDFs, removed afterwards."""
    folder = target.with_name(f".{target.name}.segments-{secrets.token_hex(8)}")
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lay_out_parts(
    htmls: Iterable[str],
    fetcher: SafeFetcher,
    folder: Path,
    *,
    with_text: bool,
    seen: set[str],
    cache: PartCache | None = None,
    diagnostics: Diagnostics | None = None,
) -> list[Part]:
    """Lay out and draw each run's HTML in turn; only one run is in memory at a time.

    With a ``cache``, a run laid out before from the same HTML is taken from it (its refused
    URLs and engine reports replayed into ``fetcher`` and ``diagnostics``), and a new one is
    kept there; without one, runs are drawn into ``folder``.
    """
    parts = []
    for number, html in enumerate(htmls):
        seen.update(c for c in set(html) if ord(c) > 0x7E)
        if cache is None:
            parts.append(_draw(html, fetcher, folder / f"part-{number:05d}.pdf", with_text))
            continue
        found = cache.get(html, with_text=with_text)
        if found is None:
            found = _draw_into(cache, html, fetcher, with_text)
        fetcher.refused.extend(found.refused)
        for message in found.messages if diagnostics is not None else ():
            diagnostics.add(message)  # type: ignore[union-attr]
        parts.append(Part(found.pdf, found.pages, found.text))
    return parts


def _draw(html: str, fetcher: SafeFetcher, pdf: Path, with_text: bool) -> Part:
    document = layout_html(html, fetcher)
    draw(document, pdf, identifier=b"0" * 32)
    text = None
    if with_text:
        text = pdf.with_suffix(".txt")
        text.write_text(document_text(document), encoding="utf-8", errors=TEXT_ERRORS)
    return Part(pdf, len(document.pages), text)


def _draw_into(cache: PartCache, html: str, fetcher: SafeFetcher, with_text: bool) -> Cached:
    """Lay out one run into ``cache``, recording what the engine reported while doing so."""
    refused_before = len(fetcher.refused)
    scratch = cache.scratch(".pdf")
    try:
        with capture() as reports:
            part = _draw(html, fetcher, scratch, with_text)
        refused = fetcher.refused[refused_before:]
        del fetcher.refused[refused_before:]
        return cache.put(
            html, part.pdf, part.text, pages=part.pages, refused=refused, messages=reports.messages
        )
    finally:
        for leftover in (scratch, scratch.with_suffix(".txt")):
            leftover.unlink(missing_ok=True)


def _overlay(furniture: Furniture, first: int, count: int, fetcher: SafeFetcher) -> PdfReader:
    pages = [furniture.page(n) for n in range(first, first + count)]
    html = render_template("transcript/furniture.html.j2", {"pages": pages})
    document = layout_html(html, fetcher, stylesheets=(parsed_stylesheet(FURNITURE_STYLESHEET),))
    if len(document.pages) != count:
        raise RenderError(f"The page furniture laid out {len(document.pages)} pages instead of {count}.")
    buffer = io.BytesIO()
    draw(document, buffer, identifier=None)
    return PdfReader(buffer)


def join_parts(
    parts: list[Part], furniture: Furniture, target: Path, *, identifier: bytes, fetcher: SafeFetcher
) -> Digests:
    """Merge each run with its furniture and write the joined PDF to ``target`` durably."""
    writer: PdfWriter | None = None
    first = 1
    for part in parts:
        overlay = _overlay(furniture, first, part.pages, fetcher)
        content = PdfReader(part.pdf)
        if writer is None:
            writer = PdfWriter(clone_from=content)
            writer.pdf_header = content.pdf_header
            for page, over in zip(writer.pages, overlay.pages, strict=True):
                page.merge_page(over)
        else:
            for page, over in zip(content.pages, overlay.pages, strict=True):
                writer.add_page(page).merge_page(over)
        first += part.pages
    if writer is None:
        raise RenderError("A segmented document has no parts.")
    writer._ID = ArrayObject((ByteStringObject(identifier), ByteStringObject(identifier)))
    _write_durably(writer, target)
    return hash_file(target)


def _write_durably(writer: PdfWriter, target: Path) -> None:
    try:
        with replacing(target) as handle:
            writer.write(handle)
    except OSError as exc:
        raise RenderError(f"Could not write {target}: {exc}") from exc


def join_text(parts: list[Part], furniture: Furniture, write: Callable[[str], object]) -> None:
    """The runs' page texts in order, each page ending with its page number and Bates number."""
    number = 0
    for part in parts:
        if part.text is None:
            continue
        pages = part.text.read_text(encoding="utf-8").rstrip("\n").split("\n\f")
        for page in pages:
            number += 1
            page_of, bates = furniture.page(number)
            separator = "" if number == 1 else "\n\f"
            write(f"{separator}{page}\n{page_of}\n{bates}")
    write("\n")
