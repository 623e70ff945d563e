"""Production volumes: ``build_production`` turns collections of a matter into a review-ready volume.

Owns the volume layout (``DATA/`` load files, ``NATIVES/``, ``TEXT/``, ``PDF/``, ``RSMF/``), the
order of documents and their Bates numbers (continuous across every collection: collections
sorted by custodian email then run id, chats in creation order, each chat followed by its
attachments as a family, then projects with their files, then anything not yet produced),
and the records that prove later what was produced (``production.json``, the volume hashes).
File names come from control numbers only, never from API-supplied names.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import mimetypes
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ediscovery import __version__
from ediscovery.errors import ProductionError, UsageError
from ediscovery.evidence.digest import hash_file
from ediscovery.evidence.kinds import PRODUCED_NATIVELY
from ediscovery.produce.chat import Chat, chat_text, load_chat
from ediscovery.produce.collection import Collection, open_source
from ediscovery.produce.documents import (
    Placement,
    base_row,
    chat_row,
    describe_file,
    native_row,
    set_family,
    windows,
)
from ediscovery.produce.loadfile import DAT_COLUMNS, opt_line, render_csv, render_dat
from ediscovery.produce.natives import (
    copy_content,
    copy_verified,
    extension,
    is_text,
    json_text,
    stream_text,
)
from ediscovery.produce.output import write_text_durably
from ediscovery.produce.rsmf import RSMF_MIME, Attachment, slices, write_rsmf
from ediscovery.produce.slipsheet import SlipSheet, write_slip_sheets
from ediscovery.produce.volume import write_sidecar, write_volume_manifest
from ediscovery.progress import NullReporter, Reporter
from ediscovery.render.options import RenderOptions, RenderResult

FORMATS = ("dat", "opt", "csv", "text", "rsmf")
ChatRenderer = Callable[[Path, Path, RenderOptions, Sequence[str]], RenderResult]
CHILD_KINDS = tuple(str(kind) for kind in PRODUCED_NATIVELY)
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
    try:
        from ediscovery.render import render_collection  # type: ignore[attr-defined, unused-ignore]
    except ImportError as exc:
        raise ProductionError("The transcript renderer is not available in this installation.") from exc
    result: RenderResult = render_collection(bag_root, out_dir, options, chat_ids=list(chat_ids))
    return result


@dataclass(frozen=True)
class _Settings:
    formats: frozenset[str]
    options: RenderOptions
    rsmf_slice: str | None
    volume_name: str


class _Volume:
    """The mutable state of one production while it is being built."""

    def __init__(self, root: Path, settings: _Settings, renderer: ChatRenderer, reporter: Reporter) -> None:
        self.root = root
        self.settings = settings
        self.renderer = renderer
        self.reporter = reporter
        self.next = settings.options.bates_start
        self.rows: list[dict[str, str]] = []
        self.custodians: list[set[str]] = []
        self.slips: list[SlipSheet] = []
        self.opt: list[str] = []
        self.warnings: list[str] = []
        self.produced: set[tuple[str, str]] = set()
        self.collections: list[Collection] = []

    # -- numbering and paths -------------------------------------------------------------
    def bates(self, number: int) -> str:
        from ediscovery.render.bates import format_bates

        return format_bates(self.settings.options.bates_prefix, number, self.settings.options.bates_digits)

    def text_rel(self, control: str) -> str:
        return f"TEXT/{control}.txt" if "text" in self.settings.formats else ""

    def add(self, row: dict[str, str], custodians: set[str]) -> dict[str, str]:
        self.rows.append(row)
        self.custodians.append(custodians)
        self.opt.append(
            opt_line(row["BEGBATES"], self.settings.volume_name, row["PDFPATH"], int(row["PAGECOUNT"]))
        )
        self.reporter.advance("documents")
        return row

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        self.reporter.note(text)

    def find(
        self, preferred: Collection, kind: str, source_id: str
    ) -> tuple[Collection, dict[str, Any]] | None:
        """The stored entry of an item, in ``preferred`` first. Uploads and generated files are
        looked up under both kinds: an id's prefix does not decide where the bag stores it."""
        kinds = [kind, *{"file": ["generated_file"], "generated_file": ["file"]}.get(kind, [])]
        for collection in [preferred, *self.collections]:
            for candidate in kinds:
                entries = collection.find(candidate, source_id)
                if entries:
                    return collection, entries[0]
        return None


def _check_arguments(
    sources: Sequence[Path], formats: Sequence[str], rsmf_slice: str | None, volume: str
) -> None:
    if not sources:
        raise UsageError("Name at least one sealed archive or bag directory to produce.")
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise UsageError(
            f"Unknown production format(s): {', '.join(unknown)}.", hint=f"Use {','.join(FORMATS)}."
        )
    if rsmf_slice not in (None, "day"):
        raise UsageError(f"Unknown RSMF slice {rsmf_slice!r}.", hint="Use 'day' or leave it out.")
    if not volume or not volume.replace("_", "").replace("-", "").isalnum() or not volume.isascii():
        raise UsageError(f"Invalid volume name {volume!r}.", hint="Use letters, digits, '_' or '-'.")


# -- chats -------------------------------------------------------------------------------
def _chat_ids(collection: Collection) -> list[str]:
    """Chats of a collection in creation order (then id)."""
    firsts: dict[str, tuple[str, str]] = {}
    for entry in collection.entries("chat_messages"):
        created = str((entry.get("metadata") or {}).get("created_at") or "")
        firsts.setdefault(str(entry["source_id"]), (created, str(entry["source_id"])))
    return [chat_id for chat_id, _ in sorted(firsts.items(), key=lambda kv: kv[1])]


def _render_groups(vol: _Volume, collection: Collection, chat_ids: Sequence[str]) -> list[list[str]]:
    """Chats split into render calls: a chat with a family (attachments, RSMF slices) alone, so
    its family's numbers follow it; consecutive chats without one together (up to
    ``RENDER_BATCH``), order kept."""
    groups: list[tuple[bool, list[str]]] = []
    sliced = "rsmf" in vol.settings.formats and vol.settings.rsmf_slice is not None  # slices are children
    for chat_id in chat_ids:
        refs = load_chat(collection, chat_id).references
        family = sliced or any(vol.find(collection, r.kind, r.source_id) for r in refs)
        if family or not groups or groups[-1][0] or len(groups[-1][1]) >= RENDER_BATCH:
            groups.append((family, [chat_id]))
        else:
            groups[-1][1].append(chat_id)
    return [ids for _, ids in groups]


def _render_chats(
    vol: _Volume, collection: Collection, chat_ids: Sequence[str], work: Path
) -> list[tuple[str, Placement]]:
    """Render ``chat_ids`` from the next free Bates number and copy their PDFs into the volume."""
    options = RenderOptions(
        bates_prefix=vol.settings.options.bates_prefix,
        bates_start=vol.next,
        bates_digits=vol.settings.options.bates_digits,
        legend=vol.settings.options.legend,
        display_tz=collection.time_zone,
        jobs=1 if len(chat_ids) == 1 else 0,
    )
    result = vol.renderer(collection.root, work, options, chat_ids)
    docs = sorted((d for d in result.documents if d.document_type == "chat"), key=lambda d: d.bates_begin)
    if sorted(d.source_id for d in docs) != sorted(chat_ids):
        raise ProductionError(
            f"The renderer did not return exactly the transcripts of {len(chat_ids)} chat(s)."
        )
    placed = []
    for doc in docs:
        if (doc.bates_begin, doc.bates_end) != (
            vol.bates(vol.next),
            vol.bates(vol.next + doc.page_count - 1),
        ):
            raise ProductionError(
                f"The transcript of chat {doc.source_id} is not numbered from {vol.bates(vol.next)}."
            )
        source = Path(doc.path) if Path(doc.path).is_absolute() else work / doc.path
        pdf_rel = f"PDF/{doc.bates_begin}.pdf"
        copy_verified(source, vol.root / pdf_rel, doc.sha256)
        vol.next += doc.page_count
        text_rel = vol.text_rel(doc.bates_begin)
        placed.append(
            (doc.source_id, Placement(doc.bates_begin, doc.bates_end, pdf_rel, text_rel, "", doc.page_count))
        )
    if result.next_bates != vol.next:
        raise ProductionError(f"The renderer skipped Bates numbers before {vol.bates(result.next_bates)}.")
    shutil.rmtree(work, ignore_errors=True)
    return placed


def _chat_family(
    vol: _Volume, collection: Collection, chat_id: str, owners: set[str], place: Placement
) -> None:
    """The chat's row, natives, text and RSMF, then its attachments as a family right after it.

    The chat's native is the file its row describes: its one RSMF with the ``rsmf`` format,
    else its stored message pages. RSMF slices (``--rsmf-slice day``) are documents of their
    own, after the attachments, with the chat's JSON as its native.
    """
    pages = collection.find("chat_messages", chat_id)
    chat = load_chat(collection, chat_id)
    custodian = _custodian(collection, pages[0].get("custodian_user_ids"))
    whole_rsmf = "rsmf" in vol.settings.formats and vol.settings.rsmf_slice is None
    natives = [] if whole_rsmf else _copy_chat_natives(vol, collection, pages, place.begin)
    project = _project_name(collection, chat.project_id)
    hashes = (";".join(str(p.get("md5")) for p in pages), ";".join(str(p.get("sha256")) for p in pages))
    place = Placement(place.begin, place.end, place.pdf_path, place.text_path, ";".join(natives), place.pages)
    row = chat_row(place, chat, custodian, collection.time_zone, project_name=project, hashes=hashes,
                   size=sum(int(p.get("size") or 0) for p in pages))  # fmt: skip
    vol.add(row, owners)
    if place.text_path:
        write_text_durably(vol.root / place.text_path, chat_text(chat, collection.time_zone))
    children: list[dict[str, str]] = []
    for ref in chat.references:
        found = vol.find(collection, ref.kind, ref.source_id)
        if found is None:
            vol.warn(f"Chat {chat_id} references {ref.kind} {ref.source_id}, which was not collected.")
            continue
        children.append(_native_document(vol, found[0], found[1], parent=row["BEGBATES"]))
    if "rsmf" in vol.settings.formats:
        rsmf_paths = _write_rsmf(vol, collection, chat, custodian, children, row["BEGBATES"], project)
        if whole_rsmf:
            row["NATIVEPATH"] = windows(rsmf_paths[0])
            describe_file(row, hash_file(vol.root / rsmf_paths[0]), ext="rsmf", mime=RSMF_MIME)
        else:
            email = str(custodian.get("email") or "")
            children += [_slice_document(vol, collection, chat, path, row, email) for path in rsmf_paths]
    set_family(row, children)


def _slice_document(
    vol: _Volume, collection: Collection, chat: Chat, rsmf_path: str, parent: dict[str, str], email: str
) -> dict[str, str]:
    """One RSMF slice as a document of its own (a child of the chat): its control number, slip
    sheet, text and row; its native is the slice in ``RSMF/``."""
    control = vol.bates(vol.next)
    vol.next += 1
    native_rel = rsmf_path  # stays in RSMF/, named after the chat it slices
    digests = hash_file(vol.root / native_rel)
    place = Placement(control, control, f"PDF/{control}.pdf", vol.text_rel(control), native_rel, 1)
    row = base_row(place, email, "ChatSlice", chat.id, collection.time_zone)
    name = f"{chat.name or chat.id} ({Path(rsmf_path).stem.rsplit('_', 1)[-1]})"
    row["FILENAME"] = name
    describe_file(row, digests, ext="rsmf", mime=RSMF_MIME)
    slip = SlipSheet(
        bates=control, doctype="ChatSlice", filename=name, size=digests.size, sha256=digests.sha256,
        native_path=native_rel, parent=parent["BEGBATES"], legend=vol.settings.options.legend,
    )  # fmt: skip
    vol.slips.append(slip)
    if place.text_path:
        write_text_durably(
            vol.root / place.text_path, f"RSMF slice of chat {chat.id}: {name}\nSHA-256: {digests.sha256}\n"
        )
    return vol.add(row, {email})


def _custodian(collection: Collection, user_ids: list[str] | None) -> dict[str, Any]:
    wanted = set(user_ids or [])
    for custodian in collection.custodians:
        if wanted & set(custodian.get("user_ids") or []):
            return custodian
    return collection.custodians[0] if collection.custodians else {}


def _project_name(collection: Collection, project_id: str | None) -> str:
    entries = collection.find("project", project_id) if project_id else []
    return str((entries[0].get("metadata") or {}).get("name") or "") if entries else ""


def _copy_chat_natives(
    vol: _Volume, collection: Collection, pages: list[dict[str, Any]], control: str
) -> list[str]:
    paths = []
    for number, entry in enumerate(pages, 1):
        rel = f"NATIVES/{control}.json" if number == 1 else f"NATIVES/{control}_{number:04d}.json"
        copy_verified(collection.path_of(entry), vol.root / rel, str(entry["sha256"]))
        paths.append(rel)
    return paths


def _write_rsmf(
    vol: _Volume,
    collection: Collection,
    chat: Chat,
    custodian: dict[str, Any],
    children: list[dict[str, str]],
    control: str,
    project: str,
) -> list[str]:
    attachments = [
        Attachment(
            source_id=child["SOURCE_ID"],
            name=Path(child["NATIVEPATH"].replace("\\", "/")).name,
            display=child["FILENAME"] or child["SOURCE_ID"],
            path=vol.root / child["NATIVEPATH"].replace("\\", "/"),
            size=int(child["FILESIZE"] or 0),
        )
        for child in children
    ]
    org = (
        next(iter(collection.find("chat_messages", chat.id)), {}).get("metadata", {}).get("organization_uuid")
    )
    written = []
    for part in slices(chat, collection.time_zone, vol.settings.rsmf_slice):
        wanted = {r.source_id for m in part.messages for r in m.references}
        mine = [a for a in attachments if a.source_id in wanted]
        rel = f"RSMF/{control}_{part.key}.rsmf" if part.key else f"RSMF/{control}.rsmf"
        write_rsmf(vol.root / rel, chat, part, collection.time_zone, custodian, mine,
                   project_name=project or None, organization=org)  # fmt: skip
        written.append(rel)
    return written


# -- natives -----------------------------------------------------------------------------
def _native_facts(collection: Collection, entry: dict[str, Any]) -> tuple[str, str, str]:
    """(original file name, extension, MIME type) of a native entry."""
    meta = entry.get("metadata") or {}
    kind = entry.get("kind")
    if kind in ("file", "generated_file"):
        name = str(meta.get("original_filename") or "")
        mime = str(meta.get("mime_type") or meta.get("content_type") or "application/octet-stream")
        return name, extension(name, mime), mime
    if kind == "artifact":
        return str(meta.get("title") or ""), "json", "application/json"
    if kind == "project_document":  # produced as the document itself (see natives.copy_content)
        name = str(meta.get("original_filename") or "")
        mime = mimetypes.guess_type(name)[0] or "text/plain"
        return name, extension(name, mime, default="txt"), mime
    return str(meta.get("name") or ""), "json", "application/json"


def _native_text(
    entry: dict[str, Any], source: Path, target: Path, ext: str, mime: str, slip: SlipSheet
) -> None:
    kind = entry.get("kind")
    if kind in ("file", "generated_file") and is_text(ext, mime):
        stream_text(source, target)
        return
    keys = {
        "artifact": ("content",),
        "project_document": ("content",),
        "project": ("name", "description", "instructions"),
    }
    if kind in keys:
        write_text_durably(target, json_text(source, *keys[str(kind)]))
        return
    write_text_durably(
        target, f"Produced natively: {slip.filename}\nSHA-256: {slip.sha256}\nSize: {slip.size}\n"
    )


def _native_document(
    vol: _Volume, collection: Collection, entry: dict[str, Any], *, parent: str
) -> dict[str, str]:
    """Copy one native, queue its slip sheet, write its text; return its (already added) row."""
    control = vol.bates(vol.next)
    vol.next += 1
    filename, ext, mime = _native_facts(collection, entry)
    native_rel = f"NATIVES/{control}.{ext}"
    source = collection.path_of(entry)
    copy = copy_content if entry.get("kind") == "project_document" else copy_verified
    digests = copy(source, vol.root / native_rel, str(entry["sha256"]))
    vol.produced.add((str(entry["kind"]), str(entry["source_id"])))
    if entry.get("status", "ok") != "ok":
        vol.warn(
            f"{entry['kind']} {entry['source_id']} is produced although its status is {entry['status']}."
        )
    place = Placement(control, control, f"PDF/{control}.pdf", vol.text_rel(control), native_rel, 1)
    email = collection.email_for(entry.get("custodian_user_ids"))
    row = native_row(place, entry, email, collection.time_zone, filename=filename, ext=ext, mime_type=mime)
    describe_file(row, digests, ext=ext, mime=mime)
    slip = SlipSheet(
        bates=control,
        doctype=row["DOCTYPE"],
        filename=filename or str(entry["source_id"]),
        size=digests.size,
        sha256=digests.sha256,
        native_path=native_rel,
        parent=parent,
        legend=vol.settings.options.legend,
    )
    vol.slips.append(slip)
    if place.text_path:
        _native_text(entry, source, vol.root / place.text_path, ext, mime, slip)
    return vol.add(row, {email})


def _project_family(vol: _Volume, collection: Collection, entry: dict[str, Any]) -> None:
    row = _native_document(vol, collection, entry, parent="")
    children = []
    for page in collection.find("project_attachments", str(entry["source_id"])):
        for item in collection.read_json(page).get("data") or []:
            kind = "project_document" if item.get("type") == "project_doc" else "file"
            found = vol.find(collection, kind, str(item.get("id")))
            if found is None:
                vol.warn(
                    f"Project {entry['source_id']} lists {kind} {item.get('id')}, which was not collected."
                )
                continue
            children.append(_native_document(vol, found[0], found[1], parent=row["BEGBATES"]))
    set_family(row, children)


def _leftovers(vol: _Volume, collection: Collection) -> None:
    for kind in CHILD_KINDS:
        for entry in collection.entries(kind):
            if (kind, str(entry["source_id"])) not in vol.produced:
                _native_document(vol, collection, entry, parent="")


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
    settings = _Settings(frozenset(formats), options, rsmf_slice, volume_name)
    work = out_dir / f".{volume_name}.work"
    created = not out_dir.exists()
    shutil.rmtree(work, ignore_errors=True)
    vol = _Volume(work / volume_name, settings, renderer, reporter or NullReporter())
    try:
        vol.reporter.stage("opening collections")
        vol.collections = sorted(
            (open_source(Path(s), work / "sources", password) for s in sources),
            key=lambda c: (c.custodian_emails, c.run_id),
        )
        _check_one_matter(vol.collections)
        _produce_documents(vol, work / "render")
        if not vol.rows:
            raise ProductionError(
                "Nothing to produce: the collections hold no chat, file, artifact or project.",
                hint="Check the sources and the date range they were collected with.",
            )
        result = _finish(vol)
        return _publish(result, root)
    except BaseException:
        if created:  # a failed production leaves no empty folders behind
            shutil.rmtree(work, ignore_errors=True)
            for folder in (root, out_dir):
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_one_matter(collections: Sequence[Collection]) -> None:
    """A production volume serves one matter: collections of several are refused, not mixed."""
    matters = sorted({c.matter for c in collections})
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


def _latest(
    collections: Sequence[Collection], kind: str
) -> tuple[dict[str, Collection], dict[str, set[str]]]:
    """For each source id of ``kind``: the collection of the latest run holding it, and every owner.

    A chat or project collected again (an incremental run, an overlapping custodian) is
    produced once, from its newest copy, listing every custodian it was collected from.
    """
    latest: dict[str, Collection] = {}
    owners: dict[str, set[str]] = {}
    for collection in sorted(collections, key=lambda c: c.run_id):
        for entry in collection.entries(kind):
            source_id = str(entry["source_id"])
            latest[source_id] = collection
            owners.setdefault(source_id, set()).add(collection.email_for(entry.get("custodian_user_ids")))
    return latest, owners


def _produce_documents(vol: _Volume, work: Path) -> None:
    vol.reporter.stage("producing documents")
    chats, chat_owners = _latest(vol.collections, "chat_messages")
    projects, _ = _latest(vol.collections, "project")
    natives = {
        (kind, str(e["source_id"])) for c in vol.collections for kind in CHILD_KINDS for e in c.entries(kind)
    }
    vol.reporter.expect("documents", len(chats) + len(projects) + len(natives))  # RSMF slices come on top
    for collection in vol.collections:
        mine = [chat_id for chat_id in _chat_ids(collection) if chats[chat_id] is collection]
        for group in _render_groups(vol, collection, mine):
            folder = work / f"{collection.run_id}-{vol.next}"
            for chat_id, place in _render_chats(vol, collection, group, folder):
                _chat_family(vol, collection, chat_id, chat_owners[chat_id], place)
        for entry in collection.entries("project"):
            if projects[str(entry["source_id"])] is collection:
                _project_family(vol, collection, entry)
    for collection in vol.collections:
        _leftovers(vol, collection)


def _finish(vol: _Volume) -> ProductionResult:
    vol.reporter.stage("writing load files")
    write_slip_sheets(vol.slips, vol.root / "PDF")
    for row, custodians in zip(vol.rows, vol.custodians, strict=True):
        row["ALL_CUSTODIANS"] = ";".join(sorted(c for c in custodians if c))
    data = vol.root / "DATA"
    name = vol.settings.volume_name
    if "dat" in vol.settings.formats:
        write_text_durably(data / f"{name}.dat", render_dat(vol.rows))
    if "csv" in vol.settings.formats:
        write_text_durably(data / f"{name}.csv", render_csv(vol.rows, DAT_COLUMNS))
    if "opt" in vol.settings.formats:
        write_text_durably(data / f"{name}.opt", "".join(vol.opt))
    record = _production_record(vol)
    write_text_durably(
        vol.root / "production.json", json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    digest = write_volume_manifest(vol.root)
    return ProductionResult(
        volume_dir=vol.root,
        documents=len(vol.rows),
        pages=sum(int(r["PAGECOUNT"]) for r in vol.rows),
        first_bates=vol.rows[0]["BEGBATES"] if vol.rows else None,
        last_bates=vol.rows[-1]["ENDBATES"] if vol.rows else None,
        next_bates=vol.next,
        manifest_sha256=digest,
        warnings=tuple(vol.warnings),
    )


def _production_record(vol: _Volume) -> dict[str, Any]:
    options = vol.settings.options
    return {
        "production_version": 1,
        "tool": {"name": "ediscovery", "version": __version__},
        "volume": vol.settings.volume_name,
        "formats": sorted(vol.settings.formats),
        "rsmf_slice": vol.settings.rsmf_slice,
        "legend": options.legend,
        "bates": {
            "prefix": options.bates_prefix,
            "digits": options.bates_digits,
            "start": options.bates_start,
            "first": vol.rows[0]["BEGBATES"] if vol.rows else None,
            "last": vol.rows[-1]["ENDBATES"] if vol.rows else None,
            "next": vol.next,
        },
        "documents": len(vol.rows),
        "pages": sum(int(r["PAGECOUNT"]) for r in vol.rows),
        "sources": [_source_record(c) for c in vol.collections],
        "warnings": vol.warnings,
    }


def _source_record(collection: Collection) -> dict[str, Any]:
    archive = collection.archive_sha256 is not None
    return {
        "name": collection.source.name,
        "type": "archive" if archive else "bag",
        "archive_sha256": collection.archive_sha256,
        "manifest_sha256": collection.manifest_sha256,
        "run_id": collection.run_id,
        "matter": collection.manifest.get("matter"),
        "status": collection.manifest.get("status"),
        "custodians": collection.custodian_emails,
        "time_zone": collection.time_zone,
    }
