"""Part cache: runs of a transcript laid out ahead of numbering, found again by their HTML.

Laying out is the expensive part of a transcript; numbering it is cheap (the page furniture
overlay of :mod:`ediscovery.render.segments`). During a collection a chat's runs are laid out
as soon as its messages and references are stored, while the collector keeps waiting on the
API, and kept here. When the run is numbered, every run whose HTML is byte-for-byte the one
laid out earlier is taken from here instead of being laid out again; any other is laid out
then. The key is the SHA-256 of the HTML (with the engine's and this package's versions), so a
cached run is used only where laying it out again would give the same pages: the transcripts
of a run are the same whichever runs the cache held.

Each entry is a run's PDF, its page texts when asked for, and a small JSON record written
last: page count, the SHA-256 of the files, and what the engine reported meanwhile (refused
URLs, layout problems), replayed on use so warnings do not depend on the cache either. An
entry whose files do not match its record (a kill, a full disk) is laid out again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import weasyprint

from ediscovery import __version__
from ediscovery.evidence.digest import sha256_file

_SALT = f"weasyprint {weasyprint.__version__}; ediscovery {__version__}\n".encode()


@dataclass(frozen=True)
class Cached:
    """One run found in the cache: its files, page count and the engine's reports."""

    pdf: Path
    pages: int
    text: Path | None
    refused: tuple[str, ...]
    messages: tuple[str, ...]


class PartCache:
    """A folder of laid-out runs keyed by their HTML; see the module docstring."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(html: str) -> str:
        return hashlib.sha256(_SALT + html.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, html: str, *, with_text: bool) -> Cached | None:
        """The run laid out from exactly ``html``, when held intact (with texts if asked)."""
        key = self.key(html)
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = self.folder / f"{key}.pdf"
            if sha256_file(pdf) != record["pdf_sha256"]:
                return None
            text = None
            if with_text:
                text = self.folder / f"{key}.txt"
                if record.get("text_sha256") is None or sha256_file(text) != record["text_sha256"]:
                    return None
            return Cached(
                pdf, int(record["pages"]), text, tuple(record["refused"]), tuple(record["messages"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(
        self, html: str, pdf: Path, text: Path | None, *, pages: int, refused: list[str], messages: list[str]
    ) -> Cached:
        """Move a freshly drawn run (``pdf``, ``text``) into the cache under ``html``'s key."""
        key = self.key(html)
        self.folder.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {
            "pages": pages,
            "pdf_sha256": sha256_file(pdf),
            "text_sha256": sha256_file(text) if text is not None else None,
            "refused": refused,
            "messages": messages,
        }
        final_pdf = self.folder / f"{key}.pdf"
        os.replace(pdf, final_pdf)
        final_text = None
        if text is not None:
            final_text = self.folder / f"{key}.txt"
            os.replace(text, final_text)
        _write_replacing(self.folder / f"{key}.json", json.dumps(record).encode("utf-8"))
        return Cached(final_pdf, pages, final_text, tuple(refused), tuple(messages))

    def scratch(self, suffix: str) -> Path:
        """A private file name in the cache folder for a run being drawn."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f".drawing-{secrets.token_hex(8)}{suffix}"


def _write_replacing(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
