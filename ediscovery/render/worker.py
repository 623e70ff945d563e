"""Worker: renders one planned document, from natives to a stamped, written PDF.

Runs in a pool process or in the caller's process. Every document is laid out in runs
(:mod:`ediscovery.render.segments`): a chat's or session's messages, or an activity report's
events, a few hundred at a time; any other document as one run. Each run's HTML is laid out
once (or taken from the run's part cache when it was laid out during the collection), a Bates
range is claimed from the ledger once the page count is known, and the runs are joined under a
furniture overlay carrying the page and Bates numbers, so memory stays bounded. Only a chat
without messages is laid out whole, with a Bates placeholder stamped before the PDF is drawn.
The PDF (and optional text) is written durably and hashed. WeasyPrint's warnings are captured
meanwhile and reported with the document's name. A document that fails still claims zero pages,
so the documents after it keep continuous numbers. :func:`prepare_job` is the layout alone, for
the cache, ahead of numbering.
"""

from __future__ import annotations

import hashlib
import logging
import signal
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ediscovery.errors import EdiscoveryError, RenderError
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.stored import BagFiles
from ediscovery.processes import die_with_parent, release_memory
from ediscovery.render.activity import activity_context
from ediscovery.render.bates import Ledger, format_bates, placeholder, stamp
from ediscovery.render.cache import PartCache
from ediscovery.render.chat import Segment, chat_context
from ediscovery.render.diagnostics import Diagnostics, capture
from ediscovery.render.fetcher import SafeFetcher
from ediscovery.render.markup import pygments_css
from ediscovery.render.options import RenderedDocument, RenderOptions
from ediscovery.render.pdf import (
    document_text,
    layout_html,
    write_pdf,
    write_text,
    write_text_parts,
)
from ediscovery.render.plan import Job
from ediscovery.render.project import project_context
from ediscovery.render.segments import (
    SEGMENT_CHARS,
    SEGMENT_MESSAGES,
    Furniture,
    join_parts,
    join_text,
    lay_out_parts,
    workspace,
)
from ediscovery.render.session import session_context
from ediscovery.render.templates import render_template, templates_root
from ediscovery.timestamps import describe, load_zone, pdf_date

logger = logging.getLogger(__name__)

_TEMPLATES = {
    "chat": "transcript/chat.html.j2",
    "project": "transcript/project.html.j2",
    "activity": "transcript/activity.html.j2",
    "session": "transcript/session.html.j2",
}
_BUILDERS = {
    "chat": chat_context,
    "project": project_context,
    "activity": activity_context,
    "session": session_context,
}
SEGMENTED = (_TEMPLATES["chat"], _TEMPLATES["session"], _TEMPLATES["activity"])
"""Templates whose documents are laid out in runs of messages (or events), so long ones stay bounded."""

_LEDGER: Ledger | None = None


@dataclass(frozen=True)
class Outcome:
    """What a worker sends back: the document (None on failure), warnings, characters used.

    ``boxed`` are the characters WeasyPrint itself reported drawing as ``.notdef`` boxes.
    """

    index: int
    document: RenderedDocument | None
    warnings: tuple[str, ...]
    chars: frozenset[str]
    boxed: frozenset[str] = frozenset()


def install_ledger(ledger: Ledger) -> None:
    """The ledger this process claims Bates ranges from."""
    global _LEDGER
    _LEDGER = ledger


def start_worker(ledger: Ledger, owner: int) -> None:
    """Pool initializer: die with ``owner``, the pool's creator (a killed run must not leave
    workers holding its lock, see :mod:`ediscovery.processes`), then install the ledger."""
    die_with_parent(owner)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once
    install_ledger(ledger)


def build_context(bag: BagFiles, job: Job, options: RenderOptions) -> dict[str, Any]:
    """Everything the templates of ``job`` show (messages still unread, streamed on demand)."""
    zone = load_zone(job.collection.zone)
    context: dict[str, Any] = _BUILDERS[job.document_type](bag, job, zone)
    collection = job.collection
    context.update(
        job=job,
        collection=collection,
        options=options,
        zone=zone.key,
        bates_placeholder=placeholder(options.bates_prefix, options.bates_digits),
        furniture_overlay=False,
        pdf_created=pdf_date(collection.started_at),
        since=describe(collection.since, zone) if collection.since else "",
        until=describe(collection.until, zone) if collection.until else "",
        run=collection.run_id,
        pygments_css=pygments_css(),
        sources=[(e.path, e.sha256) for e in job.sources],
    )
    return context


def _template(job: Job, context: dict[str, Any]) -> str:
    if job.document_type == "chat" and context["chat"].get("deleted_at"):
        return "transcript/deleted.html.j2"
    return _TEMPLATES[job.document_type]


def build_html(bag: BagFiles, job: Job, options: RenderOptions) -> str:
    """The transcript HTML of ``job`` in one piece (deterministic for the same natives and options)."""
    context = build_context(bag, job, options)
    return render_template(_template(job, context), context)


def _chat_segments(job: Job, context: dict[str, Any], size: int) -> Iterator[Segment] | None:
    """The runs of a live chat's or a session's messages (see :meth:`ChatStream.segments`), or
    of an activity report's events; None for other documents."""
    if _template(job, context) not in SEGMENTED:
        return None
    segments: Iterator[Segment] = context["stream"].segments(size, SEGMENT_CHARS)
    return segments


def document_runs(job: Job, context: dict[str, Any], size: int) -> Iterator[str] | None:
    """The HTML of each run ``job`` is laid out in, without page-of and Bates boxes: a chat's,
    session's or activity report's runs, the whole of any other document as one run; None for a
    chat or session without messages (laid out whole)."""
    segments = _chat_segments(job, context, size)
    if segments is None:
        overlay = {**context, "furniture_overlay": True}
        return iter([render_template(_template(job, context), overlay)])
    head = list(islice(segments, 1))
    return build_segments(context, chain(head, segments)) if head else None


def build_segments(context: dict[str, Any], segments: Iterable[Segment]) -> Iterator[str]:
    """The HTML of each run of a long chat's (or session's) messages, without page-of and Bates boxes."""
    overlay = {**context, "furniture_overlay": True}
    template = _TEMPLATES[context["job"].document_type]
    for segment in segments:
        yield render_template(template, {**overlay, "segment": segment})


def _identifier(job: Job, options: RenderOptions, start: int) -> bytes:
    seed = "|".join(
        [
            job.path,
            options.bates_prefix,
            str(start),
            str(options.bates_digits),
            options.legend,
            job.collection.zone,
            *(e.sha256 for e in job.sources),
        ]
    )
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32].encode("ascii")


@dataclass(frozen=True)
class _Written:
    pages: int
    start: int
    digests: Digests
    text_path: str | None
    chars: frozenset[str]


def render_job(
    bag_root: Path,
    out_dir: Path,
    job: Job,
    options: RenderOptions,
    ledger: Ledger | None = None,
    *,
    segment_messages: int | None = None,
) -> Outcome:
    """Render ``job`` into ``out_dir``; never raises for a bad document (it becomes a warning)."""
    claim = ledger or _LEDGER
    assert claim is not None, "no Bates ledger installed"
    bag = BagFiles(bag_root)
    fetcher = SafeFetcher(templates_root())
    claimed: list[bool] = []
    size = segment_messages or SEGMENT_MESSAGES
    try:
        with capture() as diagnostics:
            context = build_context(bag, job, options)
            runs = document_runs(job, context, size)
            if runs is not None:
                where = (out_dir, runs, diagnostics)
                written = _render_runs(job, options, where, fetcher, claim, claimed)
            else:
                context.setdefault("segment", None)
                written = _render_whole(context, job, options, out_dir, fetcher, claim, claimed)
    except Exception as exc:
        return _not_rendered(job, exc, claim, bool(claimed))
    finally:
        release_memory()
    warnings = _warnings(job, fetcher, diagnostics)
    document = _document(job, options, written)
    return Outcome(job.index, document, warnings, written.chars, diagnostics.boxed_chars)


def _not_rendered(job: Job, exc: Exception, claim: Ledger, claimed: bool) -> Outcome:
    """The outcome of a document that failed: a warning, or the error itself when numbers are
    already taken (a later failure, of the disk or a stamp, must stop the run) or it is a defect."""
    if claimed:
        raise exc
    claim.claim(job.index, 0)
    if not isinstance(exc, EdiscoveryError):
        raise RenderError(f"Rendering {job.document_type} {job.source_id} failed: {exc!r}") from exc
    logger.warning("Could not render %s %s: %s", job.document_type, job.source_id, exc)
    return Outcome(
        job.index, None, (f"{job.document_type} {job.source_id} not rendered: {exc}",), frozenset()
    )


def _render_whole(
    context: dict[str, Any],
    job: Job,
    options: RenderOptions,
    out_dir: Path,
    fetcher: SafeFetcher,
    claim: Ledger,
    claimed: list[bool],
) -> _Written:
    html = render_template(_template(job, context), context)
    document = layout_html(html, fetcher)
    pages = len(document.pages)
    start = claim.claim(job.index, pages)
    claimed.append(True)
    stamp(document, options.bates_prefix, options.bates_digits, start)
    target = out_dir / job.path
    digests = write_pdf(document, target, identifier=_identifier(job, options, start))
    text_path = _write_text(document, target, out_dir) if options.write_text else None
    return _Written(pages, start, digests, text_path, frozenset(c for c in set(html) if ord(c) > 0x7E))


def _render_runs(
    job: Job,
    options: RenderOptions,
    where: tuple[Path, Iterable[str], Diagnostics],
    fetcher: SafeFetcher,
    claim: Ledger,
    claimed: list[bool],
) -> _Written:
    out_dir, htmls, diagnostics = where
    target = out_dir / job.path
    target.parent.mkdir(parents=True, exist_ok=True)
    chars: set[str] = set()
    with workspace(target) as folder:
        parts = lay_out_parts(
            htmls,
            fetcher,
            folder,
            with_text=options.write_text,
            seen=chars,
            cache=_cache(options),
            diagnostics=diagnostics,
        )
        pages = sum(part.pages for part in parts)
        start = claim.claim(job.index, pages)
        claimed.append(True)
        furniture = Furniture(options.bates_prefix, options.bates_digits, start, pages)
        identifier = _identifier(job, options, start)
        digests = join_parts(parts, furniture, target, identifier=identifier, fetcher=fetcher)
        text_path = None
        if options.write_text:
            text_target = target.with_suffix(".txt")
            write_text_parts(lambda write: join_text(parts, furniture, write), text_target)
            text_path = text_target.relative_to(out_dir).as_posix()
    return _Written(pages, start, digests, text_path, frozenset(chars))


def _cache(options: RenderOptions) -> PartCache | None:
    return PartCache(options.cache_dir) if options.cache_dir is not None else None


def prepare_job(bag_root: Path, job: Job, options: RenderOptions, share: tuple[int, int] = (0, 1)) -> int:
    """Lay out ``job``'s runs into the options' part cache before its Bates numbers are known.

    ``share`` (``index``, ``count``) lays out only the runs whose position modulo ``count`` is
    ``index``, so the runs of one long document can be laid out by ``count`` workers at once.
    Returns the pages laid out. Never raises: whatever fails here fails again, and is
    reported, when the document is numbered and written.
    """
    cache = _cache(options)
    if cache is None:
        return 0
    index, count = share
    try:
        with capture():
            context = build_context(BagFiles(bag_root), job, options)
            htmls = document_runs(job, context, SEGMENT_MESSAGES)
            if htmls is None:
                return 0
            mine = (html for number, html in enumerate(htmls) if number % count == index)
            fetcher = SafeFetcher(templates_root())
            parts = lay_out_parts(
                mine, fetcher, cache.folder, with_text=options.write_text, seen=set(), cache=cache
            )
            return sum(part.pages for part in parts)
    except Exception as exc:
        logger.debug("Laying out %s %s ahead failed: %r", job.document_type, job.source_id, exc)
        return 0
    finally:
        release_memory(collect=True)  # ahead of numbering: the CPU is otherwise idle


def expected_runs(job: Job) -> int:
    """How many runs ``job`` is likely laid out in, from its pages' item counts (at least one)."""
    if _TEMPLATES[job.document_type] not in SEGMENTED:
        return 1
    items = sum(_items(entry.metadata or {}) for entry in job.sources)
    return max(1, -(-items // SEGMENT_MESSAGES))


def _items(metadata: Mapping[str, Any]) -> int:
    """Messages or events on a stored page: its ``item_count``, else its list of message ids."""
    count = metadata.get("item_count")
    if isinstance(count, int) and not isinstance(count, bool):
        return count
    messages = metadata.get("messages")
    return len(messages) if isinstance(messages, list) else 0


def _document(job: Job, options: RenderOptions, written: _Written) -> RenderedDocument:
    prefix, digits = options.bates_prefix, options.bates_digits
    return RenderedDocument(
        path=job.path,
        document_type=job.document_type,
        source_id=job.source_id,
        bates_begin=format_bates(prefix, written.start, digits),
        bates_end=format_bates(prefix, written.start + written.pages - 1, digits),
        page_count=written.pages,
        size=written.digests.size,
        md5=written.digests.md5,
        sha256=written.digests.sha256,
        sha512=written.digests.sha512,
        sources=tuple((e.path, e.sha256) for e in job.sources),
        text_path=written.text_path,
    )


def _warnings(job: Job, fetcher: SafeFetcher, diagnostics: Diagnostics) -> tuple[str, ...]:
    name = f"{job.document_type} {job.source_id}"
    refused = [f"{name}: refused to fetch {url}" for url in fetcher.refused]
    styles = [f"{name}: layout problem: {text}" for text in diagnostics.layout_problems]
    return (*refused, *styles)


def _write_text(document: Any, target: Path, out_dir: Path) -> str:
    text_target = target.with_suffix(".txt")
    write_text(document_text(document), text_target)
    return text_target.relative_to(out_dir).as_posix()
