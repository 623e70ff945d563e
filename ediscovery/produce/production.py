"""Production volumes: ``build_production`` turns collections of a matter into a review-ready volume.

Owns the volume layout (``DATA/`` load files, ``NATIVES/``, ``TEXT/``, ``PDF/``, ``RSMF/``), the
order of documents and their Bates numbers (continuous across every collection: collections
sorted by custodian email then run id, chats in creation order, each chat followed by its
attachments as a family, then projects with their files, then agent sessions, then anything
not yet produced),
and the records that prove later what was produced (``production.json``, the volume hashes).
File names come from control numbers only, never from API-supplied names. What each output
format writes is in ``produce.formats``; the families in ``produce.families``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery import __version__
from ediscovery.errors import ProductionError, UsageError
from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.kinds import PRODUCED_NATIVELY, Kind
from ediscovery.evidence.stored import StoredBag
from ediscovery.produce.builder import Settings, VolumeBuilder
from ediscovery.produce.chat import load_chat
from ediscovery.produce.collection import Source, open_source
from ediscovery.produce.copies import copy_verified
from ediscovery.produce.families import Transcript, chat_family, leftovers, project_family, session_family
from ediscovery.produce.formats import FORMATS, Format
from ediscovery.produce.slipsheet import write_slip_sheets
from ediscovery.produce.volume import write_sidecar, write_volume_manifest
from ediscovery.progress import NullReporter, Reporter
from ediscovery.render.collection import render_collection
from ediscovery.render.options import RenderOptions, RenderResult

ChatRenderer = Callable[[Path, Path, RenderOptions, Sequence[str]], RenderResult]
RENDER_BATCH = 200


@dataclass(frozen=True)
class ProductionResult:
    """What was produced: the volume, its document count and Bates range, its hash."""

    volume_dir: Path
    documents: int
    pages: int
    first_bates: str | None
    last_bates: str | None
    next_bates: int
    manifest_sha256: str
    warnings: tuple[str, ...]


def render_chat_transcript(
    bag_root: Path, out_dir: Path, options: RenderOptions, chat_ids: Sequence[str]
) -> RenderResult:
    """The default chat renderer: :func:`ediscovery.render.render_collection` for the given chats."""
    return render_collection(bag_root, out_dir, options, chat_ids=list(chat_ids))


def render_session_transcript(
    bag_root: Path, out_dir: Path, options: RenderOptions, session_ids: Sequence[str]
) -> RenderResult:
    """The default session renderer: the transcripts of the given agent sessions."""
    return render_collection(bag_root, out_dir, options, session_ids=list(session_ids))


class _Volume(VolumeBuilder):
    """A volume being built, with the production's sources and its transcript renderer."""

    def __init__(self, root: Path, settings: Settings, renderer: ChatRenderer, reporter: Reporter) -> None:
        super().__init__(root, settings, reporter)
        self.renderer = renderer
        self.session_renderer: ChatRenderer = render_session_transcript
        self.sources: list[Source] = []


def _check_arguments(
    sources: Sequence[Path], names: Sequence[str], rsmf_slice: str | None, volume: str
) -> None:
    if not sources:
        raise UsageError("Name at least one sealed archive or bag directory to produce.")
    unknown = sorted(set(names) - set(FORMATS))
    if unknown:
        raise UsageError(
            f"Unknown production format(s): {', '.join(unknown)}.", hint=f"Use {','.join(FORMATS)}."
        )
    if rsmf_slice not in (None, "day"):
        raise UsageError(f"Unknown RSMF slice {rsmf_slice!r}.", hint="Use 'day' or leave it out.")
    if not volume or not volume.replace("_", "").replace("-", "").isalnum() or not volume.isascii():
        raise UsageError(f"Invalid volume name {volume!r}.", hint="Use letters, digits, '_' or '-'.")


# -- chats -------------------------------------------------------------------------------
def _chat_ids(bag: StoredBag) -> list[str]:
    """Chats of a collection in creation order (then id)."""
    firsts: dict[str, tuple[str, str]] = {}
    for entry in bag.entries(Kind.CHAT_MESSAGES):
        created = str(entry.metadata.get("created_at") or "")
        firsts.setdefault(entry.source_id, (created, entry.source_id))
    return [chat_id for chat_id, _ in sorted(firsts.items(), key=lambda kv: kv[1])]


def _has_children(vol: _Volume, bag: StoredBag, chat_id: str) -> bool:
    """Whether a chat's transcript is followed by documents of its family."""
    if Format.RSMF in vol.settings.names and vol.rsmf_slice is not None:  # slices are children
        return True
    return any(vol.find(bag, r.kind, r.source_id) for r in load_chat(bag, chat_id).references)


def _render_groups(vol: _Volume, bag: StoredBag, chat_ids: Sequence[str]) -> list[list[str]]:
    """Chats split into render calls: a chat with a family (attachments, RSMF slices) alone, so
    its family's numbers follow it; consecutive chats without one together (up to
    ``RENDER_BATCH``), order kept."""
    groups: list[tuple[bool, list[str]]] = []
    for chat_id in chat_ids:
        family = _has_children(vol, bag, chat_id)
        if family or not groups or groups[-1][0] or len(groups[-1][1]) >= RENDER_BATCH:
            groups.append((family, [chat_id]))
        else:
            groups[-1][1].append(chat_id)
    return [ids for _, ids in groups]


def _layout_cache(vol: _Volume, bag: StoredBag) -> Path | None:
    """The runs its collection laid out (``<matter>/.state/<run>.layout``), when they are still
    there: renumbering for the production is then an overlay of new Bates numbers on pages already
    laid out. The cache is content-addressed and checked, so a stale or damaged entry is laid out
    again; without it every run is laid out afresh, with the same result."""
    source = next((s for s in vol.sources if s.bag is bag), None)
    if source is None:
        return None
    folder = source.path.parent / ".state" / f"{bag.root.name}.layout"
    return folder if folder.is_dir() else None


def _render_chats(
    vol: _Volume, bag: StoredBag, chat_ids: Sequence[str], work: Path, *, sessions: bool = False
) -> list[tuple[str, Transcript]]:
    """Render ``chat_ids`` (or session ids) from the next free Bates number and copy their PDFs
    into the volume."""
    base = vol.settings.options
    options = RenderOptions(
        bates_prefix=base.bates_prefix, bates_start=vol.next, bates_digits=base.bates_digits,
        legend=base.legend, display_tz=bag.time_zone, jobs=1 if len(chat_ids) == 1 else 0,
        cache_dir=_layout_cache(vol, bag),
    )  # fmt: skip
    renderer, wanted = (vol.session_renderer, "session") if sessions else (vol.renderer, "chat")
    result = renderer(bag.root, work, options, chat_ids)
    docs = sorted((d for d in result.documents if d.document_type == wanted), key=lambda d: d.bates_begin)
    if sorted(d.source_id for d in docs) != sorted(chat_ids):
        raise ProductionError(
            f"The renderer did not return exactly the transcripts of {len(chat_ids)} {wanted}(s)."
        )
    placed = []
    for doc in docs:
        if (doc.bates_begin, doc.bates_end) != (
            vol.bates(vol.next),
            vol.bates(vol.next + doc.page_count - 1),
        ):
            raise ProductionError(
                f"The transcript of {wanted} {doc.source_id} is not numbered from {vol.bates(vol.next)}."
            )
        source = Path(doc.path) if Path(doc.path).is_absolute() else work / doc.path
        pdf_rel = f"PDF/{doc.bates_begin}.pdf"
        copy_verified(source, vol.root / pdf_rel, doc.sha256)
        vol.next += doc.page_count
        placed.append((doc.source_id, Transcript(doc.bates_begin, doc.bates_end, pdf_rel, doc.page_count)))
    if result.next_bates != vol.next:
        raise ProductionError(f"The renderer skipped Bates numbers before {vol.bates(result.next_bates)}.")
    shutil.rmtree(work, ignore_errors=True)
    return placed


# -- the volume --------------------------------------------------------------------------
def build_production(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    formats: Sequence[str] = FORMATS,
    password: str | None = None,
    bates_prefix: str = "PROD",
    bates_start: int = 1,
    bates_digits: int = 9,
    legend: str = "CONFIDENTIAL",
    rsmf_slice: str | None = None,
    volume_name: str = "VOL001",
    reporter: Reporter | None = None,
    renderer: ChatRenderer = render_chat_transcript,
) -> ProductionResult:
    """Build ``<out_dir>/<volume_name>`` from sealed archives or bag directories of one matter."""
    _check_arguments(sources, formats, rsmf_slice, volume_name)
    options = RenderOptions(
        bates_prefix=bates_prefix, bates_start=bates_start, bates_digits=bates_digits, legend=legend
    )
    options.check()
    root = out_dir / volume_name
    if root.exists() and any(root.iterdir()):
        raise ProductionError(
            f"{root} already exists.", hint="Choose another --out directory or volume name."
        )
    settings = Settings(frozenset(formats), options, rsmf_slice, volume_name)
    return _build(sources, out_dir, settings, password, reporter or NullReporter(), renderer)


def _build(
    sources: Sequence[Path],
    out_dir: Path,
    settings: Settings,
    password: str | None,
    reporter: Reporter,
    renderer: ChatRenderer,
) -> ProductionResult:
    """Build the volume in a work folder and move it into place; a failure leaves nothing behind."""
    volume_name = settings.volume_name
    root = out_dir / volume_name
    work = out_dir / f".{volume_name}.work"
    created = not out_dir.exists()
    shutil.rmtree(work, ignore_errors=True)
    vol = _Volume(work / volume_name, settings, renderer, reporter)
    try:
        vol.reporter.stage("opening collections")
        vol.sources = sorted((open_source(Path(s), work / "sources", password) for s in sources), key=_order)
        vol.bags = [source.bag for source in vol.sources]
        _check_one_matter(vol.bags)
        _produce_documents(vol, work / "render")
        if not vol.documents:
            raise ProductionError(
                "Nothing to produce: the collections hold no chat, file, artifact or project.",
                hint="Check the sources and the date range they were collected with.",
            )
        return _publish(_finish(vol), root)
    except BaseException:
        if created:  # a failed production leaves no empty folders behind
            shutil.rmtree(work, ignore_errors=True)
            for folder in (root, out_dir):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _order(source: Source) -> tuple[list[str], str]:
    return source.sort_key


def _check_one_matter(bags: Sequence[StoredBag]) -> None:
    """A production volume serves one matter: collections of several are refused, not mixed."""
    matters = sorted({bag.matter for bag in bags})
    if len(matters) > 1:
        raise ProductionError(
            f"The sources belong to {len(matters)} matters ({', '.join(repr(m) for m in matters)}).",
            hint="Produce each matter's collections into its own volume.",
        )


def _publish(result: ProductionResult, root: Path) -> ProductionResult:
    """Move the finished volume to its place (a failed run leaves no half volume behind),
    then write the sidecar that hashes its manifest."""
    if root.exists():
        root.rmdir()  # empty, checked before the run
    os.replace(result.volume_dir, root)
    write_sidecar(root, result.manifest_sha256)
    return dataclasses.replace(result, volume_dir=root)


def _latest(bags: Sequence[StoredBag], kind: Kind) -> tuple[dict[str, StoredBag], dict[str, set[str]]]:
    """For each source id of ``kind``: the collection of the latest run holding it, and every owner.

    A chat or project collected again (an incremental run, an overlapping custodian) is
    produced once, from its newest copy, listing every custodian it was collected from.
    """
    latest: dict[str, StoredBag] = {}
    owners: dict[str, set[str]] = {}
    for bag in sorted(bags, key=lambda b: b.run_id):
        for entry in bag.entries(kind):
            latest[entry.source_id] = bag
            owners.setdefault(entry.source_id, set()).add(bag.email_for(entry.custodian_user_ids))
    return latest, owners


def _produce_documents(vol: _Volume, work: Path) -> None:
    vol.reporter.stage("producing documents")
    chats, chat_owners = _latest(vol.bags, Kind.CHAT_MESSAGES)
    projects, _ = _latest(vol.bags, Kind.PROJECT)
    natives = {(kind, e.source_id) for b in vol.bags for kind in PRODUCED_NATIVELY for e in b.entries(kind)}
    vol.reporter.expect("documents", len(chats) + len(projects) + len(natives))  # RSMF slices come on top
    for bag in vol.bags:
        mine = [chat_id for chat_id in _chat_ids(bag) if chats[chat_id] is bag]
        for group in _render_groups(vol, bag, mine):
            for chat_id, place in _render_chats(vol, bag, group, work / f"{bag.run_id}-{vol.next}"):
                chat_family(vol, bag, chat_id, chat_owners[chat_id], place)
        for entry in bag.entries(Kind.PROJECT):
            if projects[entry.source_id] is bag:
                project_family(vol, bag, entry)
    for kind in SESSION_KINDS:
        _produce_sessions(vol, kind, work)
    for bag in vol.bags:
        leftovers(vol, bag)


SESSION_KINDS = (Kind.LOCAL_SESSION_MESSAGES, Kind.REMOTE_SESSION_MESSAGES)


def _produce_sessions(vol: _Volume, kind: Kind, work: Path) -> None:
    """Agent sessions, after the projects: each from the latest run holding it, in render order."""
    latest, owners = _latest(vol.bags, kind)
    for bag in vol.bags:
        mine = sorted({e.source_id for e in bag.entries(kind) if latest[e.source_id] is bag})
        if not mine:
            continue
        folder = work / f"{bag.run_id}-{vol.next}-sessions"
        for session_id, place in _render_chats(vol, bag, mine, folder, sessions=True):
            session_family(vol, bag, kind, session_id, owners[session_id], place)


def _finish(vol: _Volume) -> ProductionResult:
    vol.reporter.stage("writing load files")
    write_slip_sheets(vol.slips, vol.root / "PDF")
    vol.finish()
    record = _production_record(vol)
    write_text_durably(
        vol.root / "production.json", json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    docs = vol.documents
    return ProductionResult(
        volume_dir=vol.root,
        documents=len(docs),
        pages=sum(d.pages for d in docs),
        first_bates=docs[0].begin if docs else None,
        last_bates=docs[-1].end if docs else None,
        next_bates=vol.next,
        manifest_sha256=write_volume_manifest(vol.root),
        warnings=tuple(vol.warnings),
    )


def _production_record(vol: _Volume) -> dict[str, Any]:
    options, docs = vol.settings.options, vol.documents
    return {
        "production_version": 1,
        "tool": {"name": "ediscovery", "version": __version__},
        "volume": vol.name,
        "formats": sorted(vol.settings.names),
        "rsmf_slice": vol.rsmf_slice,
        "legend": options.legend,
        "bates": {
            "prefix": options.bates_prefix,
            "digits": options.bates_digits,
            "start": options.bates_start,
            "first": docs[0].begin if docs else None,
            "last": docs[-1].end if docs else None,
            "next": vol.next,
        },
        "documents": len(docs),
        "pages": sum(d.pages for d in docs),
        "sources": [_source_record(s) for s in vol.sources],
        "warnings": vol.warnings,
    }


def _source_record(source: Source) -> dict[str, Any]:
    bag = source.bag
    return {
        "name": source.path.name,
        "type": "bag" if source.archive_sha256 is None else "archive",
        "archive_sha256": source.archive_sha256,
        "manifest_sha256": bag.manifest_sha256,
        "run_id": bag.run_id,
        "matter": bag.matter,
        "status": bag.manifest.status,
        "custodians": bag.custodian_emails,
        "time_zone": bag.time_zone,
    }
