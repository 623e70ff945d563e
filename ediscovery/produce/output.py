"""Durable writes of produced files, through :func:`ediscovery.evidence.store.replacing`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from ediscovery.evidence.canonical import encode_text
from ediscovery.evidence.store import replacing


@contextlib.contextmanager
def durable_stream(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as handle:
        yield cast(BinaryIO, handle)


def write_bytes_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves either the old file or the new one."""
    with durable_stream(path) as fh:
        fh.write(data)


def write_text_durably(path: Path, text: str) -> None:
    """UTF-8 text, newlines exactly as given (a lone surrogate as its ``\\udXXX`` escape)."""
    write_bytes_durably(path, encode_text(text))
