"""One authenticated HTTP session to the Compliance API: headers, budget, retries, records.

Every request goes through :meth:`ApiSession.get_json` or :meth:`ApiSession.download`:
it takes a slot (bounded concurrency), then a token from the shared :class:`RequestBudget`,
sends ``GET`` with ``x-api-key`` and ``anthropic-version``, and retries what the API's retry
table allows. httpx errors are translated here and nowhere else. The observer receives one
:class:`RequestRecord` per attempt; nothing here logs a header or the key. There is no
method that sends anything but ``GET``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, TypeVar

import httpx

from ediscovery import __version__
from ediscovery.api.budget import Clock, RequestBudget, ServerQuota, Sleep
from ediscovery.api.credentials import ApiKey
from ediscovery.api.download import CHUNK_SIZE, DownloadSink, MultiHash, disposition_filename, md5_matches
from ediscovery.api.error_map import status_error
from ediscovery.api.query import Pairs
from ediscovery.api.response import ApiResponse, DownloadResult, RequestRecord, safe_headers
from ediscovery.api.retry import RetryPolicy
from ediscovery.api.timestamps import parse_timestamp
from ediscovery.errors import ApiError, IntegrityError, ResponseFormatError, TransportError

logger = logging.getLogger(__name__)

API_VERSION = "2023-06-01"
USER_AGENT = f"ediscovery/{__version__} (+httpx)"
T = TypeVar("T")
RequestObserver = Callable[[RequestRecord], None]


class _Retry(Exception):
    """An attempt failed in a way the retry table allows to try again."""

    def __init__(self, error: ApiError, delay: float) -> None:
        super().__init__(str(error))
        self.error = error
        self.delay = delay


@dataclass
class _Attempt:
    """Mutable facts about one attempt, filled in while it runs."""

    method: str
    path: str
    query: Pairs
    url: str
    number: int
    list_endpoint: bool
    status: int | None = None
    request_id: str | None = None
    bytes: int = 0


Consume = Callable[[httpx.Response, _Attempt], Awaitable[T]]


class ApiSession:
    """The transport-level half of the client; endpoint methods live in ``ComplianceClient``."""

    def __init__(
        self,
        base_url: str,
        api_key: ApiKey,
        *,
        transport: httpx.AsyncBaseTransport | None,
        budget: RequestBudget,
        retry: RetryPolicy,
        concurrency: int,
        sleep: Sleep,
        clock: Clock,
        now: Callable[[], datetime],
        timeout: float,
        on_request: RequestObserver | None,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/")).copy_with(userinfo=b"")
        self._key = api_key
        self._budget = budget
        self._retry = retry
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._on_request = on_request
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:
        return f"ApiSession(base_url={str(self.base_url)!r}, key={self._key!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    def url_for(self, path: str, query: Pairs = ()) -> str:
        """The full URL of ``path`` with ``query`` (no credentials in it)."""
        return str(self.base_url.copy_with(raw_path=path.encode("ascii")).copy_merge_params(list(query)))

    async def get_json(self, path: str, query: Pairs = (), *, list_endpoint: bool = False) -> ApiResponse:
        """GET a JSON endpoint; the raw body, its provenance and the decoded JSON."""
        return await self._run(path, query, self._consume_json, list_endpoint=list_endpoint)

    async def download(self, path: str, sink: DownloadSink) -> DownloadResult:
        """GET a binary endpoint into ``sink``; raise IntegrityError (with ``.result``) on MD5 mismatch."""

        async def consume(response: httpx.Response, attempt: _Attempt) -> DownloadResult:
            return await self._consume_download(response, attempt, sink)

        result = await self._run(path, (), consume, list_endpoint=False)
        if result.md5_matched is False:
            error = IntegrityError(
                f"Content-MD5 {result.content_md5} does not match the downloaded bytes (md5 {result.md5}).",
                url=result.url,
                request_id=result.request_id,
                hint="Download it again; keep the bytes marked integrity_failed if it persists.",
            )
            error.result = result
            raise error
        return result

    async def _run(self, path: str, query: Pairs, consume: Consume[T], *, list_endpoint: bool) -> T:
        url = self.url_for(path, query)
        error: ApiError | None = None
        for number in range(1, self._retry.max_attempts + 1):
            attempt = _Attempt("GET", path, query, url, number, list_endpoint)
            try:
                return await self._attempt(attempt, consume)
            except _Retry as retry:
                error = retry.error
                if number < self._retry.max_attempts:
                    logger.info("retrying GET %s in %.1fs after: %s", path, retry.delay, retry.error.message)
                    await self._sleep(retry.delay)
        assert error is not None
        raise error

    async def _attempt(self, attempt: _Attempt, consume: Consume[T]) -> T:
        async with self._slots:
            await self._budget.acquire()
            at, started, failure = self._now(), self._clock(), None
            try:
                return await self._exchange(attempt, consume)
            except _Retry as retry:
                failure = retry.error.message
                raise
            except ApiError as exc:
                failure = exc.message
                raise
            finally:
                self._record(attempt, at, started, failure)

    async def _exchange(self, attempt: _Attempt, consume: Consume[T]) -> T:
        headers = {
            "x-api-key": self._key.reveal(),
            "anthropic-version": API_VERSION,
            "user-agent": USER_AGENT,
            "accept-encoding": "identity",
        }
        try:
            request = self._http.build_request("GET", attempt.url, headers=headers)
            response = await self._http.send(request, stream=True)
            try:
                attempt.status = response.status_code
                attempt.request_id = response.headers.get("request-id")
                self._observe_quota(response.headers)
                if not 200 <= response.status_code < 300:
                    await self._fail_status(response, attempt)
                return await consume(response, attempt)
            finally:
                await response.aclose()
        except (httpx.TimeoutException, httpx.TransportError, httpx.StreamError) as exc:
            raise self._transport_retry(attempt, exc) from exc

    def _transport_retry(self, attempt: _Attempt, exc: Exception) -> _Retry:
        kind = type(exc).__name__
        error = TransportError(
            f"GET {attempt.path} failed: {kind}.",
            url=attempt.url,
            request_id=attempt.request_id,
            hint="Check the network and the API URL; the request was retried.",
        )
        return _Retry(error, self._retry.backoff(attempt.number))

    async def _fail_status(self, response: httpx.Response, attempt: _Attempt) -> NoReturn:
        raw = await response.aread()
        attempt.bytes = len(raw)
        status, headers = response.status_code, response.headers
        error = status_error(
            status, raw, url=attempt.url, request_id=attempt.request_id, list_endpoint=attempt.list_endpoint
        )
        if not self._retry.should_retry_status(status, headers):
            raise error
        delay = self._retry.delay_for(status, headers, attempt.number)
        if status == 429:
            self._budget.pause(delay)
        raise _Retry(error, delay)

    async def _consume_json(self, response: httpx.Response, attempt: _Attempt) -> ApiResponse:
        raw = await response.aread()
        attempt.bytes = len(raw)
        self._check_length(response, attempt, len(raw))
        try:
            data: Any = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ResponseFormatError(
                f"The response body is not JSON ({exc}).", url=attempt.url, request_id=attempt.request_id
            ) from exc
        return ApiResponse(
            raw=raw,
            request_id=attempt.request_id,
            status=response.status_code,
            url=attempt.url,
            method=attempt.method,
            path=attempt.path,
            query=attempt.query,
            headers=safe_headers(response.headers),
            data=data,
            retrieved_at=self._now(),
        )

    async def _consume_download(
        self, response: httpx.Response, attempt: _Attempt, sink: DownloadSink
    ) -> DownloadResult:
        if attempt.number > 1:
            sink.reset()
        digest = MultiHash()
        try:
            async for chunk in response.aiter_bytes(CHUNK_SIZE):
                digest.update(chunk)
                attempt.bytes = digest.size
                sink.write(chunk)
            self._check_length(response, attempt, digest.size)
        except BaseException:
            if digest.size:
                with contextlib.suppress(Exception):  # never mask why the download stopped
                    sink.reset()
            raise
        return self._download_result(response, attempt, digest)

    def _download_result(
        self, response: httpx.Response, attempt: _Attempt, digest: MultiHash
    ) -> DownloadResult:
        md5, sha256, sha512 = digest.hexdigests()
        content_md5 = response.headers.get("content-md5")
        return DownloadResult(
            size=digest.size,
            md5=md5,
            sha256=sha256,
            sha512=sha512,
            content_md5=content_md5,
            md5_matched=md5_matches(content_md5, digest.md5_bytes()),
            filename=disposition_filename(response.headers.get("content-disposition")),
            content_type=response.headers.get("content-type"),
            request_id=attempt.request_id,
            url=attempt.url,
            retrieved_at=self._now(),
        )

    def _check_length(self, response: httpx.Response, attempt: _Attempt, received: int) -> None:
        """Retry when fewer (or more) bytes arrived than ``Content-Length`` announced."""
        announced = response.headers.get("content-length")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if announced is None or not announced.strip().isdigit() or encoding != "identity":
            return
        if received != int(announced):
            error = TransportError(
                f"GET {attempt.path} returned {received} bytes of {announced} announced.",
                url=attempt.url,
                request_id=attempt.request_id,
                hint="The body was truncated; the request was retried.",
            )
            raise _Retry(error, self._retry.backoff(attempt.number))

    def _observe_quota(self, headers: httpx.Headers) -> None:
        remaining = headers.get("anthropic-ratelimit-requests-remaining")
        reset = headers.get("anthropic-ratelimit-requests-reset")
        if remaining is None or reset is None:
            return
        try:
            reset_in = (parse_timestamp(reset) - self._now()).total_seconds()
            quota = ServerQuota(remaining=int(remaining), reset_in=max(reset_in, 0.0))
        except ValueError:
            return
        self._budget.observe(quota)

    def _record(self, attempt: _Attempt, at: datetime, started: float, failure: str | None) -> None:
        duration_ms = max(0, round((self._clock() - started) * 1000))
        logger.debug(
            "GET %s -> %s (attempt %d, %d bytes)", attempt.path, attempt.status, attempt.number, attempt.bytes
        )
        if self._on_request is None:
            return
        self._on_request(
            RequestRecord(
                at=at,
                method=attempt.method,
                path=attempt.path,
                query=attempt.query,
                status=attempt.status,
                request_id=attempt.request_id,
                attempt=attempt.number,
                bytes=attempt.bytes,
                duration_ms=duration_ms,
                error=failure,
            )
        )
