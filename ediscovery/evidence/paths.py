"""Paths: safe, ID-based names for everything stored in a bag, and the guard against escapes.

Names chosen by users (file names, chat titles) are never used as stored names; only IDs are,
after :func:`safe_id`. Original names live in manifest metadata. :func:`native_path` is the one
place that knows the native layout of docs/architecture.md, and :func:`resolve_inside` refuses
any relative path that could land outside the bag (absolute, ``..``, backslash, NUL, drive
letter, symlink escape).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from ediscovery.errors import UnsafePathError
from ediscovery.evidence.kinds import KINDS, TRANSCRIPT_FOLDERS, Kind

_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_SLUG_DROP = re.compile(r"[^a-z0-9._-]")
_SLUG_DROP_CASED = re.compile(r"[^A-Za-z0-9._-]")


def _is_user_id(label: str) -> bool:
    """A departed custodian's label is its ``user_...`` id, whose case matters."""
    return label.strip().startswith("user_")


_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_CUSTODIANS_NAMED = 3
EMAIL_SLUG_MAX = 64

# kind -> (template, number of ids, paged). "{0}" is the first id, "{page}" the page number.
_NATIVE: dict[str, tuple[str, int, bool]] = {
    kind: (info.path, info.ids, info.paged) for kind, info in KINDS.items() if info.path is not None
}
PAGED_KINDS = frozenset(kind for kind, (_, _, paged) in _NATIVE.items() if paged)


def safe_id(value: str) -> str:
    """Return ``value`` if it matches ``[A-Za-z0-9_-]{1,128}``, else ``x-`` + its SHA-256 hex.

    A value that already starts with ``x-`` is hashed too, so an ID can never collide with
    the stored name of another, hashed ID.
    """
    if _SAFE_ID.fullmatch(value) and not value.startswith("x-"):
        return value
    return "x-" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def native_path(kind: str, *ids: str, page: int | None = None) -> str:
    """The bag-relative POSIX path for one stored API response or download.

    Paged kinds (``PAGED_KINDS``) need ``page`` (1-based, zero-padded to four digits); other
    kinds refuse it. ``transcript`` takes the document type (``chat``, ``project``,
    ``activity``) then the id. Unknown kinds and wrong arity raise ``ValueError``.
    """
    if kind == Kind.TRANSCRIPT:
        return _transcript_path(ids, page)
    if kind not in _NATIVE:
        raise ValueError(f"unknown evidence kind {kind!r}")
    template, arity, paged = _NATIVE[kind]
    if len(ids) != arity:
        raise ValueError(f"kind {kind!r} takes {arity} id(s), got {len(ids)}")
    if paged != (page is not None):
        raise ValueError(f"kind {kind!r} {'needs' if paged else 'takes no'} page number")
    if page is not None and (isinstance(page, bool) or page < 1):
        raise ValueError(f"page numbers are 1-based, got {page!r}")
    return template.format(*(safe_id(value) for value in ids), page=f"{page:04d}" if page else "")


def _transcript_path(ids: tuple[str, ...], page: int | None) -> str:
    if len(ids) != 2 or page is not None:
        raise ValueError(f"kind {Kind.TRANSCRIPT!r} takes a document type and an id, and no page")
    document_type, source_id = ids
    if document_type not in TRANSCRIPT_FOLDERS:
        raise ValueError(f"unknown transcript document type {document_type!r}")
    return f"data/transcripts/{TRANSCRIPT_FOLDERS[document_type]}/{safe_id(source_id)}.pdf"


def slug(text: str, max_len: int = 64, *, keep_case: bool = False) -> str:
    """Lower-case ``text`` (unless ``keep_case``), replace every character outside
    ``[A-Za-z0-9._-]`` with ``-``, truncate.

    A leading ``.`` also becomes ``-`` so a slug is never hidden, ``.`` or ``..``. Empty text
    raises ``ValueError``.
    """
    if not text:
        raise ValueError("cannot make a folder name from empty text")
    drop = _SLUG_DROP_CASED if keep_case else _SLUG_DROP
    result = drop.sub("-", text if keep_case else text.lower())[:max_len]
    return "-" + result[1:] if result.startswith(".") else result


def custodians_slug(emails: Iterable[str]) -> str:
    """Folder prefix naming the custodians of a run: sorted unique email slugs joined by ``+``
    (a ``user_...`` id keeps its case).

    Each email slug is at most 64 characters; more than three custodians give
    ``<n>-custodians``.
    """
    unique = sorted({slug(email.strip(), EMAIL_SLUG_MAX, keep_case=_is_user_id(email)) for email in emails})
    if not unique:
        raise ValueError("a run needs at least one custodian")
    if len(unique) > MAX_CUSTODIANS_NAMED:
        return f"{len(unique)}-custodians"
    return "+".join(unique)


def check_relpath(rel: str) -> tuple[str, ...]:
    """Split a bag-relative POSIX path into components, refusing anything unsafe.

    Refused: empty, absolute, backslash, NUL or control characters, ``:`` (drive letters,
    alternate streams), empty / ``.`` / ``..`` components.
    """
    if not isinstance(rel, str) or not rel:
        raise UnsafePathError(f"empty or non-text path {rel!r}", path=str(rel))
    if rel.startswith("/") or _DRIVE.match(rel) or "\\" in rel or ":" in rel or _CONTROL.search(rel):
        raise UnsafePathError(f"refusing unsafe path {rel!r}", path=rel)
    parts = tuple(rel.split("/"))
    if any(part in ("", ".", "..") for part in parts):
        raise UnsafePathError(f"refusing path with empty, '.' or '..' component {rel!r}", path=rel)
    return parts


def resolve_inside(root: Path, rel: str) -> Path:
    """Join ``rel`` onto ``root`` after proving the result stays inside ``root``.

    Besides the lexical checks of :func:`check_relpath`, symlinks are resolved, so a link
    inside the bag that points outside it is refused too. Raises ``UnsafePathError``.
    """
    parts = check_relpath(rel)
    base = Path(root).resolve()
    target = base.joinpath(*parts)
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:
        raise UnsafePathError(f"cannot resolve {rel!r} inside {base}: {exc}", path=rel) from exc
    if resolved == base or not resolved.is_relative_to(base):
        raise UnsafePathError(f"path {rel!r} resolves outside {base}", path=rel)
    return target


def is_safe_component(name: str) -> bool:
    """True for a file name we could have written ourselves (no leading dot, safe characters)."""
    return bool(_SAFE_COMPONENT.fullmatch(name))
