"""Requests log: ``requests.jsonl``, one canonical-JSON line per HTTP attempt.

Records ``{at, method, path, query, status, request_id, attempt, bytes, duration_ms, error}``.
Lines are written unbuffered (each line reaches the OS at once) and fsynced every
``fsync_every`` lines and on close. A record holding a key named like a secret
(``x-api-key``, ``authorization``, ``api_key``, ``password`` …) or a value equal to a known
secret is refused: headers and keys never reach this file.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from ediscovery.api.response import RequestRecord
from ediscovery.errors import DiskFullError, EvidenceError
from ediscovery.evidence.canonical import dumps_line
from ediscovery.evidence.store import fsync_dir, make_dirs
from ediscovery.processes import parent_only, released
from ediscovery.progress import NullReporter, Reporter

_SECRET_KEY = re.compile(r"(api[_-]?key|authorization|password|passwd|secret|cookie|bearer)", re.IGNORECASE)


def secret_keys(record: Any, prefix: str = "") -> list[str]:
    """Dotted names of every key in ``record`` (recursively) that looks like a secret."""
    found: list[str] = []
    if isinstance(record, Mapping):
        for key, value in record.items():
            name = f"{prefix}{key}"
            if _SECRET_KEY.search(str(key)):
                found.append(name)
            found.extend(secret_keys(value, name + "."))
    elif isinstance(record, (list, tuple)):
        for index, value in enumerate(record):
            found.extend(secret_keys(value, f"{prefix}{index}."))
    return found


def _contains_value(record: Any, secrets: tuple[str, ...]) -> bool:
    if isinstance(record, str):
        return any(secret in record for secret in secrets)
    if isinstance(record, Mapping):
        return any(_contains_value(k, secrets) or _contains_value(v, secrets) for k, v in record.items())
    if isinstance(record, (list, tuple)):
        return any(_contains_value(item, secrets) for item in record)
    return False


class RequestLog:
    """Append-only JSON Lines log of HTTP attempts."""

    def __init__(self, path: Path | str, *, fsync_every: int = 50, secrets: Iterable[str] = ()) -> None:
        self.path = Path(path)
        self._fsync_every = max(1, fsync_every)
        self._secrets = tuple(secret for secret in secrets if secret)
        self._pending = 0
        make_dirs(self.path.parent)
        created = not self.path.exists()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._fd: int | None = parent_only(fd)
        except OSError as exc:
            raise EvidenceError(
                f"Cannot open request log {self.path}: {exc.strerror}.", path=self.path
            ) from exc
        if created:
            fsync_dir(self.path.parent)

    def append(self, record: Mapping[str, Any]) -> None:
        """Write one record as a line; refuse it if it could carry a secret."""
        names = secret_keys(record)
        if names:
            raise EvidenceError(f"Refusing to log a request record with secret-like keys {names}.")
        if self._secrets and _contains_value(record, self._secrets):
            raise EvidenceError("Refusing to log a request record that contains a secret value.")
        self._write(dumps_line(dict(record)))
        self._pending += 1
        if self._pending >= self._fsync_every:
            self.flush()

    def flush(self) -> None:
        """fsync what has been written so far."""
        if self._fd is not None and self._pending:
            self._guard(lambda fd: os.fsync(fd))
            self._pending = 0

    def close(self) -> None:
        if self._fd is not None:
            self.flush()
            fd, self._fd = self._fd, None
            released(fd)
            os.close(fd)

    def __enter__(self) -> RequestLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _write(self, line: bytes) -> None:
        def write_all(fd: int) -> None:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]

        self._guard(write_all)

    def _guard(self, action: Any) -> None:
        if self._fd is None:
            raise EvidenceError(f"Request log {self.path} is closed.", path=self.path)
        try:
            action(self._fd)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFullError(f"No space left writing {self.path}.", path=self.path) from exc
            raise EvidenceError(
                f"Cannot write request log {self.path}: {exc.strerror}.", path=self.path
            ) from exc


class RequestSink:
    """The client's ``on_request`` observer: buffers until the run's ``requests.jsonl`` is known."""

    def __init__(self, reporter: Reporter | None = None) -> None:
        self._buffer: list[RequestRecord] = []
        self._log: RequestLog | None = None
        self._reporter = reporter or NullReporter()

    def __call__(self, record: RequestRecord) -> None:
        self._reporter.advance("requests")
        if self._log is None:
            self._buffer.append(record)
        else:
            self._log.append(record.to_json())

    def attach(self, path: Path) -> None:
        self._log = RequestLog(path)
        for record in self._buffer:
            self._log.append(record.to_json())
        self._buffer.clear()

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
