"""Streaming downloads: hashes in one pass, Content-MD5 checked, truncation retried from zero."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import AsyncIterator

import httpx
import pytest

from ediscovery.api import CallbackSink, DownloadResult
from ediscovery.errors import IntegrityError

from .fakes import run

PAYLOAD = bytes(range(256)) * 5000  # 1.28 MB: several chunks
FILE_PATH = "/v1/compliance/apps/chats/files/claude_file_01A/content"


def content_md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def file_response(data: bytes, md5_header: str | None, **extra: str) -> httpx.Response:
    headers = {
        "content-type": "application/pdf",
        "content-disposition": "attachment; filename*=utf-8''Q3%20%E2%82%AC%20report.pdf",
        "request-id": "req_download",
        **extra,
    }
    if md5_header is not None:
        headers["content-md5"] = md5_header
    return httpx.Response(200, headers=headers, content=data)


class DroppedStream(httpx.AsyncByteStream):
    """Sends part of the body, then the connection drops."""

    def __init__(self, part: bytes) -> None:
        self.part = part

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.part
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


async def download(client, sink) -> DownloadResult:  # type: ignore[no-untyped-def]
    async with client:
        return await client.download_file("claude_file_01A", sink)


def test_download_hashes_and_verifies_content_md5(make_client) -> None:
    sink = io.BytesIO()
    result = run(download(make_client(lambda r: file_response(PAYLOAD, content_md5(PAYLOAD))), sink))
    assert sink.getvalue() == PAYLOAD
    assert result.size == len(PAYLOAD)
    assert result.md5 == hashlib.md5(PAYLOAD).hexdigest()
    assert result.sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert result.sha512 == hashlib.sha512(PAYLOAD).hexdigest()
    assert result.md5_matched is True
    assert result.filename == "Q3 € report.pdf"
    assert result.content_type == "application/pdf"
    assert result.request_id == "req_download"
    assert result.url.endswith(FILE_PATH)


def test_download_without_content_md5_reports_unknown(make_client) -> None:
    result = run(download(make_client(lambda r: file_response(b"abc", None)), io.BytesIO()))
    assert result.md5_matched is None
    assert result.content_md5 is None


def test_content_md5_mismatch_raises_integrity_error_with_the_result(make_client) -> None:
    sink = io.BytesIO()
    wrong = content_md5(b"something else")
    with pytest.raises(IntegrityError) as info:
        run(download(make_client(lambda r: file_response(PAYLOAD, wrong)), sink))
    result = info.value.result
    assert isinstance(result, DownloadResult)
    assert result.md5_matched is False
    assert result.content_md5 == wrong
    assert sink.getvalue() == PAYLOAD  # the bytes that disagree stay with the caller
    assert "does not match" in str(info.value)


def test_dropped_connection_is_retried_and_the_sink_reset(make_client, records) -> None:
    responses = [
        httpx.Response(200, headers={"request-id": "req_1"}, stream=DroppedStream(PAYLOAD[:70000])),
        file_response(PAYLOAD, content_md5(PAYLOAD)),
    ]
    sink = io.BytesIO()
    sink.write(b"HEADER")  # the sink starts where the file object stood
    result = run(download(make_client(lambda r: responses.pop(0)), sink))
    assert sink.getvalue() == b"HEADER" + PAYLOAD
    assert result.size == len(PAYLOAD)
    assert [r.error is None for r in records] == [False, True]
    assert "RemoteProtocolError" in (records[0].error or "")


def test_length_mismatch_is_retried_and_callback_sink_reset(make_client) -> None:
    short = file_response(PAYLOAD[:1000], None, **{"content-length": str(len(PAYLOAD))})
    responses = [short, file_response(PAYLOAD, content_md5(PAYLOAD))]
    chunks: list[bytes] = []
    resets: list[int] = []
    sink = CallbackSink(chunks.append, lambda: (resets.append(len(chunks)), chunks.clear()))
    result = run(download(make_client(lambda r: responses.pop(0)), sink))
    assert b"".join(chunks) == PAYLOAD
    assert resets and resets[0] > 0
    assert result.md5_matched is True


def test_download_is_streamed_in_bounded_chunks(make_client) -> None:
    sizes: list[int] = []
    sink = CallbackSink(lambda c: sizes.append(len(c)), lambda: None)
    run(download(make_client(lambda r: file_response(PAYLOAD, None)), sink))
    assert sum(sizes) == len(PAYLOAD)
    assert max(sizes) <= 1024 * 1024


def test_generated_file_with_uploaded_file_id_routes_to_files_endpoint(make_client) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return file_response(b"x", None)

    async def go() -> None:
        async with make_client(handler) as client:
            await client.download_generated_file("claude_file_01B", io.BytesIO())
            await client.download_generated_file("claude_gen_file_01C", io.BytesIO())

    run(go())
    assert seen == [
        "/v1/compliance/apps/chats/files/claude_file_01B/content",
        "/v1/compliance/apps/chats/generated-files/claude_gen_file_01C/content",
    ]
