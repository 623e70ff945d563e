"""Recorder: every API response and download of a run, stored once, byte-for-byte, or read back.

This is the one place where the collector touches the network and the bag. A JSON response
is written exactly as received (hashed in the same pass), recorded in the run state, then in
the custody log. A path the state already lists is *replayed*: its bytes are read back from
the bag and parsed, no request is sent. That makes a resumed run walk the same traversal as
an uninterrupted one without downloading anything twice, and makes the traversal itself
stateless.

Downloads stream into the bag through :meth:`EvidenceStore.open_stream`; a ``Content-MD5``
mismatch is downloaded again (``DOWNLOAD_TRIES`` in all) and, if it never matches, the last
bytes are kept with status ``integrity_failed`` and reported.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from ediscovery.api.download import SinkLike
from ediscovery.api.pagination import PageGuard, PageScheme
from ediscovery.api.response import ApiResponse, DownloadResult
from ediscovery.collect.state import RunState
from ediscovery.errors import IntegrityError, ResponseFormatError
from ediscovery.evidence.canonical import utc_iso
from ediscovery.evidence.custody import CustodyLog
from ediscovery.evidence.digest import Digests
from ediscovery.evidence.sniff import identify, read_head
from ediscovery.evidence.store import EvidenceStore, StreamWriter
from ediscovery.progress import Reporter

logger = logging.getLogger(__name__)

DOWNLOAD_TRIES = 3
CRASH_ENV = "EDISCOVERY_CRASH_AFTER_STORED"  # test hook: SIGKILL self after N stored items
Query = tuple[tuple[str, str], ...]


class Api(Protocol):
    """The public calls of :class:`~ediscovery.api.ComplianceClient` the collector makes."""

    async def get(self, path: str, query: Query = (), *, list_endpoint: bool = False) -> ApiResponse: ...

    def pages(
        self, path: str, query: Query = (), *, scheme: PageScheme, guard: PageGuard | None = None
    ) -> AsyncIterator[ApiResponse]: ...

    async def download(
        self, path: str, sink: SinkLike, *, expected_size: int | None = None, query: Query = ()
    ) -> DownloadResult: ...

    async def wait(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Origin:
    """Which request produced a stored file."""

    endpoint: str
    request_id: str | None
    retrieved_at: str


class Recorder:
    """Store-or-replay of natives for one run (see the module docstring)."""

    def __init__(
        self,
        api: Api,
        store: EvidenceStore,
        state: RunState,
        custody: CustodyLog,
        reporter: Reporter,
        *,
        crash_after: int | None = None,
    ) -> None:
        self.api = api
        self.store = store
        self.state = state
        self.custody = custody
        self.reporter = reporter
        self._crash_after = crash_after if crash_after is not None else _env_int(CRASH_ENV)
        self._stored_now = 0
        self.fetched_paths: set[str] = set()

    # --- JSON -------------------------------------------------------------------------------

    def replay(self, path: str) -> tuple[dict[str, Any], Any] | None:
        """The recorded entry and parsed body of ``path``, or None when it is not stored yet."""
        entry = self.state.entry(path)
        if entry is None:
            return None
        raw = self.store.path_of(path).read_bytes()
        return entry, _parse(raw, path)

    async def fetch(self, api_path: str, query: Query = (), *, list_endpoint: bool = False) -> ApiResponse:
        """One JSON request (not stored yet; see :meth:`keep`)."""
        return await self.api.get(api_path, query, list_endpoint=list_endpoint)

    def pages(self, api_path: str, query: Query, guard: PageGuard) -> AsyncIterator[ApiResponse]:
        """The pages of a list from ``query`` on, followed through ``guard`` (not stored yet;
        see :meth:`keep`)."""
        return self.api.pages(api_path, query, scheme=guard.scheme, guard=guard)

    def keep(
        self,
        response: ApiResponse,
        *,
        path: str,
        kind: str,
        source_id: str,
        metadata: Mapping[str, Any] | None = None,
        custodians: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Store ``response.raw`` at ``path``, record it, and return its manifest entry."""
        digests = self.store.write_bytes(path, response.raw)
        origin = Origin(response.endpoint, response.request_id, utc_iso(response.retrieved_at))
        return self._record(path, kind, source_id, digests, origin, "ok", metadata, custodians)

    async def json(
        self,
        api_path: str,
        query: Query,
        *,
        path: str,
        kind: str,
        source_id: str,
        metadata: Callable[[Any], Mapping[str, Any]] | None = None,
        custodians: tuple[str, ...] = (),
        list_endpoint: bool = False,
    ) -> tuple[dict[str, Any], Any]:
        """Replay ``path`` or fetch and keep it; return ``(entry, parsed body)``."""
        replayed = self.replay(path)
        if replayed is not None:
            return replayed
        response = await self.fetch(api_path, query, list_endpoint=list_endpoint)
        meta = metadata(response.data) if metadata is not None else None
        entry = self.keep(
            response, path=path, kind=kind, source_id=source_id, metadata=meta, custodians=custodians
        )
        return entry, response.data

    # --- downloads --------------------------------------------------------------------------

    async def download(
        self,
        api_path: str,
        *,
        path: str,
        kind: str,
        source_id: str,
        metadata: Mapping[str, Any] | None = None,
        custodians: tuple[str, ...] = (),
        expected_md5: str | None = None,
        expected_size: int | None = None,
        query: Query = (),
    ) -> dict[str, Any]:
        """Replay or stream ``api_path`` into ``path``; retry MD5 mismatches, keep the last bytes.

        ``Content-MD5`` is authoritative; without it the bytes are checked against
        ``expected_md5`` (the metadata's hex ``md5``). The entry's metadata says which check
        applied: ``md5_matched`` (None: nothing to check against), ``md5_source`` and
        ``api_md5_matched`` (the metadata md5 may describe other bytes than Content-MD5).
        """
        entry = self.state.entry(path)
        if entry is not None:
            return entry
        for attempt in range(1, DOWNLOAD_TRIES + 1):
            writer = self.store.open_stream(path)
            last = attempt == DOWNLOAD_TRIES
            got = await self._try_download(
                api_path, query, writer, source_id, (expected_md5, expected_size), last
            )
            if got is None:
                continue
            result, status = got
            digests = writer.commit()
            self.reporter.advance("bytes", digests.size)
            meta = {**(metadata or {}), **self._served(path, result, expected_md5)}
            asked = f"GET {api_path}" + (f"?{urlencode(query, safe='[].-')}" if query else "")
            origin = Origin(asked, result.request_id, utc_iso(result.retrieved_at))
            return self._record(path, kind, source_id, digests, origin, status, meta, custodians)
        raise AssertionError("unreachable")  # pragma: no cover

    def _served(self, path: str, result: DownloadResult, expected_md5: str | None) -> dict[str, Any]:
        """What a stored download's entry says of how it was served: MD5 checks, type, format."""
        checks = _md5_checks(result, expected_md5)
        detected = identify(read_head(self.store.path_of(path)))
        return {**checks, "content_type": result.content_type, "detected_mime_type": detected}

    async def _try_download(
        self,
        api_path: str,
        query: Query,
        writer: StreamWriter,
        source_id: str,
        expected: tuple[str | None, int | None],
        last: bool,
    ) -> tuple[DownloadResult, str] | None:
        """One download into ``writer``: the result and its status, or None to download again
        (the bytes did not match, and this was not the last try; ``writer`` is aborted)."""
        expected_md5, expected_size = expected
        try:
            result = await self.api.download(api_path, writer, expected_size=expected_size, query=query)
            if result.content_md5 is None and _md5_equal(result.md5, expected_md5) is False:
                if not last:
                    writer.abort()
                    self.reporter.note(f"{source_id}: bytes differ from the metadata md5, downloading again")
                    return None
                return result, "integrity_failed"
            return result, "ok"
        except IntegrityError as exc:
            failed: DownloadResult | None = getattr(exc, "result", None)
            if failed is None:  # longer than listed: not a mismatch to download again
                writer.abort()
                raise
            if not last:
                writer.abort()
                self.reporter.note(f"{source_id}: Content-MD5 mismatch, downloading again")
                return None
            return failed, "integrity_failed"
        except BaseException:
            writer.abort()
            raise

    # --- recording --------------------------------------------------------------------------

    def _record(
        self,
        path: str,
        kind: str,
        source_id: str,
        digests: Digests,
        origin: Origin,
        status: str,
        metadata: Mapping[str, Any] | None,
        custodians: tuple[str, ...],
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "path": path,
            "kind": kind,
            "source_id": source_id,
            **digests.to_dict(),
            "endpoint": origin.endpoint,
            "request_id": origin.request_id,
            "retrieved_at": origin.retrieved_at,
            "status": status,
            "custodian_user_ids": sorted(set(custodians)),
            "metadata": dict(metadata or {}),
        }
        self.state.put_entry(entry)
        self.custody.append(
            "item_stored", {"path": path, "sha256": digests.sha256, "kind": kind, "source_id": source_id}
        )
        self.fetched_paths.add(path)
        self._stored_now += 1
        if self._crash_after is not None and self._stored_now >= self._crash_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return entry

    def reconcile_custody(self) -> int:
        """After a crash: log ``item_stored`` for recorded entries the custody log lacks."""
        logged: set[str] = set()
        if self.custody.path.exists():
            with self.custody.path.open("rb") as fh:
                for line in fh:
                    event = _loads_or_none(line)
                    if event and event.get("action") == "item_stored":
                        logged.add(str(event.get("details", {}).get("path")))
        missing = [entry for entry in self.state.entries() if entry["path"] not in logged]
        for entry in missing:
            self.custody.append(
                "item_stored",
                {"path": entry["path"], "sha256": entry["sha256"], "kind": entry["kind"],
                 "source_id": entry["source_id"], "recovered": True},
            )  # fmt: skip
        return len(missing)


def _md5_equal(found_hex: str, expected_hex: str | None) -> bool | None:
    """Whether a hex md5 equals the expected one (case-insensitive); None without one."""
    if not expected_hex:
        return None
    return found_hex.lower() == expected_hex.strip().lower()


def _md5_checks(result: DownloadResult, expected_md5: str | None) -> dict[str, Any]:
    """What the downloaded bytes were checked against, and how that came out."""
    api_matched = _md5_equal(result.md5, expected_md5)
    matched: bool | None = api_matched
    source: str | None = None if api_matched is None else "api_md5"
    if result.content_md5 is not None:
        matched, source = result.md5_matched, "content_md5"
    return {
        "content_md5": result.content_md5,
        "md5_matched": matched,
        "md5_source": source,
        "api_md5_matched": api_matched,
    }


def _parse(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ResponseFormatError(f"Stored response {where} is not JSON: {exc}") from exc


def _loads_or_none(line: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else None
