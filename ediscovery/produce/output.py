"""Durable writes of produced files: temporary file, fsync, ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def durable_stream(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a crash leaves either the old file or the new one."""
    with durable_stream(path) as fh:
        fh.write(data)


def write_text_durably(path: Path, text: str) -> None:
    """UTF-8 text, newlines exactly as given."""
    write_bytes_durably(path, text.encode("utf-8"))
