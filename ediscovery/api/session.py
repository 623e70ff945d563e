"""One authenticated HTTP session to the Compliance API: headers, budget, retries, records.

Every request goes through :meth:`ApiSession.get_json` or :meth:`ApiSession.download`:
it takes a slot (bounded concurrency), then a token from the shared :class:`RequestBudget`,
sends ``GET`` with ``x-api-key`` and ``anthropic-version``, and retries what the API's retry
table allows. httpx errors are translated here and nowhere else. The observer receives one
:class:`RequestRecord` per attempt; nothing here logs a header or the key. There is no
method that sends anything but ``GET``.

**A misbehaving server is bounded.** Each attempt has a deadline for its whole answer, not per
chunk: ``timeout`` seconds plus the time the bytes received so far take at ``min_rate`` bytes
per second, so a body trickling in stops while a large download that keeps flowing does not.
An attempt that times out is retried at most ``max_timeouts`` times in all. A JSON page larger
than ``max_json_bytes`` is refused before it is held in memory; a download longer than the
size its listing gave fails integrity as soon as it passes that size. A 429 is flow control:
it slows the shared budget and waits ``retry-after`` without using up the request's attempts;
a ``retry-after`` beyond :data:`MAX_RETRY_AFTER` stops with :class:`RetryLater`, which says when
to run again. Every wait is told to the ``on_wait`` observer (the CLI shows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NoReturn, TypeVar

import httpx

from ediscovery import __version__
from ediscovery.api.attempt import Attempt, Deadline, Retry, Wait, WaitObserver, root_cause, unfixable
from ediscovery.api.budget import Clock, RequestBudget, ServerQuota, Sleep
from ediscovery.api.credentials import ApiKey
from ediscovery.api.download import CHUNK_SIZE, DownloadSink, download_result
from ediscovery.api.endpoints import ENDPOINTS, V1
from ediscovery.api.error_map import status_error
from ediscovery.api.query import Pairs
from ediscovery.api.response import ApiResponse, DownloadResult, RequestRecord, safe_headers
from ediscovery.api.retry import RetryPolicy
from ediscovery.errors import ApiError, IntegrityError, ResponseFormatError, RetryLater, TransportError
from ediscovery.evidence.digest import MultiHasher
from ediscovery.timestamps import parse_timestamp

logger = logging.getLogger(__name__)

API_VERSION = "2023-06-01"
USER_AGENT = f"ediscovery/{__version__} (+httpx)"
MAX_JSON_BYTES = 256 << 20
"""The largest JSON page read into memory (a page is parsed whole)."""
MIN_RATE = 16 << 10
"""Bytes per second an answer must keep up, on average, once the first ``timeout`` has passed."""
MAX_ERROR_BYTES = 64 << 10
"""How much of an error answer's body is read (its message is at the start)."""
MAX_RETRY_AFTER = 900.0
OWN_BUDGET = tuple(V1 + ENDPOINTS[name].template for name in ("remote_sessions",))
"""Paths with a request budget of their own (remote sessions): a 429 there waits its
``retry-after`` without slowing the shared budget of every other request."""
"""The longest ``retry-after`` (seconds) waited for; a longer one stops the run resumably."""
T = TypeVar("T")
RequestObserver = Callable[[RequestRecord], None]


Consume = Callable[[httpx.Response, Attempt], Awaitable[T]]


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
        on_wait: WaitObserver | None = None,
        max_json_bytes: int = MAX_JSON_BYTES,
        min_rate: float = MIN_RATE,
        max_retry_after: float = MAX_RETRY_AFTER,
        api_version: str = API_VERSION,
    ) -> None:
        self.base_url = httpx.URL(base_url.rstrip("/")).copy_with(userinfo=b"")
        self._key = api_key
        self.api_version = api_version
        self._budget = budget
        self._retry = retry
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._on_request = on_request
        self._on_wait = on_wait
        self._timeout = timeout
        self._max_json_bytes = max_json_bytes
        self._min_rate = min_rate
        self._max_retry_after = max_retry_after
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

    async def download(
        self, path: str, sink: DownloadSink, *, expected_size: int | None = None, query: Pairs = ()
    ) -> DownloadResult:
        """GET a binary endpoint into ``sink``; raise IntegrityError (with ``.result``) on MD5 mismatch.

        ``expected_size``, the size the API listed, bounds the body: more bytes fail integrity.
        """

        async def consume(response: httpx.Response, attempt: Attempt) -> DownloadResult:
            return await self._consume_download(response, attempt, sink, expected_size)

        result = await self._run(path, query, consume, list_endpoint=False)
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
        used = {"failure": 0, "timeout": 0, "throttled": 0}
        number = 0
        while True:
            number += 1
            attempt = Attempt("GET", path, query, url, number, list_endpoint)
            try:
                return await self._attempt(attempt, consume)
            except Retry as retry:
                used[retry.kind] += 1
                if used[retry.kind] >= self._retry.limit(retry.kind):
                    raise retry.error from None
                self._tell_wait(attempt, retry)
                await self._sleep(retry.delay)

    def _tell_wait(self, attempt: Attempt, retry: Retry) -> None:
        logger.info("retrying GET %s in %.1fs after: %s", attempt.path, retry.delay, retry.error.message)
        if self._on_wait is not None:
            self._on_wait(
                Wait("GET", attempt.path, retry.error.message, retry.delay, attempt.number + 1,
                     retry.kind == "throttled")
            )  # fmt: skip

    async def _attempt(self, attempt: Attempt, consume: Consume[T]) -> T:
        async with self._slots:
            await self._budget.acquire()
            at, started, failure = self._now(), self._clock(), None
            attempt.started = started
            try:
                return await self._exchange(attempt, consume)
            except Retry as retry:
                failure = retry.error.message
                raise
            except ApiError as exc:
                failure = exc.message
                raise
            finally:
                self._record(attempt, at, started, failure)

    async def _exchange(self, attempt: Attempt, consume: Consume[T]) -> T:
        headers = {
            "x-api-key": self._key.reveal(),
            "anthropic-version": self.api_version,
            "user-agent": USER_AGENT,
            "accept-encoding": "identity",
        }
        try:
            async with asyncio.timeout(None) as scope:
                attempt.deadline = Deadline(scope, self._timeout, self._min_rate)
                request = self._http.build_request("GET", attempt.url, headers=headers)
                response = await self._http.send(request, stream=True)
                try:
                    attempt.status = response.status_code
                    attempt.request_id = response.headers.get("request-id")
                    self._observe_quota(response.headers, self._clock() - attempt.started)
                    if not 200 <= response.status_code < 300:
                        await self._fail_status(response, attempt)
                    result = await consume(response, attempt)
                finally:
                    await response.aclose()
            self._budget.succeeded()
            return result
        except TimeoutError as exc:
            raise self._timeout_retry(attempt) from exc
        except (httpx.TimeoutException, httpx.TransportError, httpx.StreamError) as exc:
            raise self._transport_retry(attempt, exc) from exc

    def _timeout_retry(self, attempt: Attempt) -> Retry:
        error = TransportError(
            f"GET {attempt.path} got no complete answer in time ({attempt.bytes} bytes received; "
            f"every answer may take {self._timeout:.0f} s plus 1 s per {self._min_rate / 1024:.0f} KiB).",
            url=attempt.url,
            request_id=attempt.request_id,
            hint="The server is not answering; check the API URL and the network.",
        )
        return Retry(error, self._retry.backoff(attempt.number), "timeout")

    def _transport_retry(self, attempt: Attempt, exc: Exception) -> Retry:
        kind = type(exc).__name__
        root = root_cause(exc)
        detail = str(root) if root is not exc and str(root) else str(exc)
        cause = f" ({detail})" if detail else ""
        final = unfixable(exc)
        if final is not None:
            raise TransportError(
                f"GET {attempt.path} failed: {final}{cause}.",
                url=attempt.url,
                request_id=attempt.request_id,
                hint="Retrying cannot fix this; check --api-url.",
            ) from exc
        error = TransportError(
            f"GET {attempt.path} failed: {kind}{cause}.",
            url=attempt.url,
            request_id=attempt.request_id,
            hint="Check the network and the API URL; the request was retried.",
        )
        timed_out = isinstance(exc, httpx.TimeoutException)
        return Retry(error, self._retry.backoff(attempt.number), "timeout" if timed_out else "failure")

    async def _fail_status(self, response: httpx.Response, attempt: Attempt) -> NoReturn:
        raw = b""
        async for chunk in response.aiter_bytes(CHUNK_SIZE):  # an error body is read up to a cap
            raw += chunk[: MAX_ERROR_BYTES - len(raw)]
            attempt.bytes += len(chunk)
            attempt.received()
            if len(raw) >= MAX_ERROR_BYTES:
                break
        status, headers = response.status_code, response.headers
        error = status_error(
            status, raw, url=attempt.url, request_id=attempt.request_id, list_endpoint=attempt.list_endpoint
        )
        if not self._retry.should_retry_status(status, headers):
            raise error
        delay = self._retry.delay_for(status, headers, attempt.number)
        if status != 429:
            raise Retry(error, delay)
        if delay > self._max_retry_after:
            raise RetryLater(error, delay, self._now()) from None
        if not attempt.path.startswith(OWN_BUDGET):  # their own budget's 429 must not slow the rest
            self._budget.throttled(delay)
        raise Retry(error, delay, "throttled")

    async def _consume_json(self, response: httpx.Response, attempt: Attempt) -> ApiResponse:
        raw = await self._read_bounded(response, attempt)
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

    async def _read_bounded(self, response: httpx.Response, attempt: Attempt) -> bytes:
        """A JSON body, refused once it passes ``max_json_bytes`` (announced or received)."""
        announced = response.headers.get("content-length", "").strip()
        if announced.isdigit() and int(announced) > self._max_json_bytes:
            raise self._too_large(attempt, int(announced))
        chunks: list[bytes] = []
        async for chunk in response.aiter_bytes(CHUNK_SIZE):
            chunks.append(chunk)
            attempt.bytes += len(chunk)
            attempt.received()
            if attempt.bytes > self._max_json_bytes:
                raise self._too_large(attempt, attempt.bytes)
        return b"".join(chunks)

    def _too_large(self, attempt: Attempt, size: int) -> ResponseFormatError:
        return ResponseFormatError(
            f"GET {attempt.path} sent a JSON page of {size} bytes or more, over the "
            f"{self._max_json_bytes >> 20} MiB a page may have.",
            url=attempt.url,
            request_id=attempt.request_id,
            hint="A page this large is not what the API documents; the item was stopped.",
        )

    async def _consume_download(
        self, response: httpx.Response, attempt: Attempt, sink: DownloadSink, expected_size: int | None
    ) -> DownloadResult:
        if attempt.number > 1:
            sink.reset()
        digest = MultiHasher()
        try:
            async for chunk in response.aiter_bytes(CHUNK_SIZE):
                digest.update(chunk)
                attempt.bytes = digest.size
                attempt.received()
                if expected_size is not None and digest.size > expected_size:
                    raise IntegrityError(
                        f"GET {attempt.path} sent more than the {expected_size} bytes its listing gave.",
                        url=attempt.url,
                        request_id=attempt.request_id,
                        hint="The download was stopped; what was received is not kept.",
                    )
                sink.write(chunk)
            self._check_length(response, attempt, digest.size)
        except BaseException:
            if digest.size:
                with contextlib.suppress(Exception):  # never mask why the download stopped
                    sink.reset()
            raise
        headers = response.headers
        return download_result(
            headers, digest, request_id=attempt.request_id, url=attempt.url, at=self._now()
        )

    def _check_length(self, response: httpx.Response, attempt: Attempt, received: int) -> None:
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
            raise Retry(error, self._retry.backoff(attempt.number))

    def _observe_quota(self, headers: httpx.Headers, answered_in: float) -> None:
        remaining = headers.get("anthropic-ratelimit-requests-remaining")
        reset = headers.get("anthropic-ratelimit-requests-reset")
        if remaining is None or reset is None:
            return
        try:
            reset_in = (parse_timestamp(reset) - self._now()).total_seconds()
            quota = ServerQuota(remaining=int(remaining), reset_in=max(reset_in, 0.0))
        except ValueError:
            return
        self._budget.observe(quota, answered_in)

    def _record(self, attempt: Attempt, at: datetime, started: float, failure: str | None) -> None:
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
