"""File, generated-file and artifact endpoints: metadata, streamed content, file DELETE.

Downloads stream in 64 KiB chunks (``Transfer-Encoding: chunked``) with
``Content-Disposition: attachment; filename*=utf-8''<percent-encoded>``, the recorded
``Content-Type`` and ``Content-MD5`` (base64 MD5 of the served bytes). Body faults
(see :mod:`ediscovery.sandbox.faults`) act here. Generated files whose id has the
``claude_file_`` prefix are served by the files endpoints too ("route by prefix"). Artifact
content is the JSON object ``{content, title, artifact_type}``, also with ``Content-MD5``.
404 messages for files quote the file's underlying UUID, derived from its id.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from urllib.parse import quote

import httpx
from starlette.responses import Response, StreamingResponse

from ediscovery.sandbox import wire
from ediscovery.sandbox.content import blob_chunks
from ediscovery.sandbox.model import Blob, GeneratedFile, StoredFile
from ediscovery.sandbox.problems import not_found
from ediscovery.sandbox.routing import Call, Endpoint, endpoint
from ediscovery.sandbox.wire import JSONResponse

STREAM_CHUNK = 64 * 1024


def file_uuid(file_id: str) -> str:
    """The underlying UUID quoted by ``File not found`` messages."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, file_id))


def _file(call: Call) -> StoredFile | GeneratedFile:
    file_id = call.args["file_id"]
    item: StoredFile | GeneratedFile | None = call.tenant.files.get(file_id)
    if item is None and file_id.startswith("claude_file_"):
        item = call.tenant.generated_files.get(file_id)
    if item is None:
        raise not_found(f"File not found: {file_uuid(file_id)}")
    return item


async def file_metadata(call: Call) -> Response:
    call.params(())
    item = _file(call)
    md5 = call.tenant.blob_digests(item.id, item.blob)[0]
    message_ids, chat_ids = call.tenant.file_refs(item.id)
    if isinstance(item, GeneratedFile):
        created: datetime | None = item.created_at
        stored = StoredFile(
            item.id, file_uuid(item.id), item.filename, item.mime_type, created or datetime.min, item.blob
        )
        body = wire.file_metadata(stored, md5, message_ids, chat_ids)
        body["created_at"] = wire.ts(created)
        return JSONResponse(body)
    return JSONResponse(wire.file_metadata(item, md5, message_ids, chat_ids))


async def file_content(call: Call) -> Response:
    call.params(())
    item = _file(call)
    return await download(call, item.id, item.blob, item.filename, item.mime_type)


async def delete_file(call: Call) -> Response:
    call.params(())
    item = _file(call)
    call.tenant.delete_file(item.id)
    return JSONResponse({"id": item.id, "type": "claude_file_deleted"})


def _generated(call: Call, message: str) -> GeneratedFile:
    gen_id = call.args["gen_id"]
    item = call.tenant.generated_files.get(gen_id)
    if item is None:
        raise not_found(f"{message}: '{gen_id}'")
    return item


async def generated_metadata(call: Call) -> Response:
    call.params(())
    item = _generated(call, "Generated file not found")
    return JSONResponse(wire.generated_file_metadata(item, call.tenant.blob_digests(item.id, item.blob)[0]))


async def generated_content(call: Call) -> Response:
    call.params(())
    item = _generated(call, "Generated file content not found")
    return await download(call, item.id, item.blob, item.filename, item.mime_type)


async def artifact_metadata(call: Call) -> Response:
    call.params(())
    version_id = call.args["version_id"]
    item = call.tenant.artifacts.get(version_id)
    if item is None:
        raise not_found(f"Artifact version not found: '{version_id}'")
    return JSONResponse(wire.artifact_metadata(item))


async def artifact_content(call: Call) -> Response:
    call.params(())
    version_id = call.args["version_id"]
    item = call.tenant.artifacts.get(version_id)
    if item is None:
        raise not_found(f"Artifact version not found: '{version_id}'")
    data = wire.artifact_content_bytes(item)
    kind = "text/plain; charset=utf-8" if item.plain else "application/json"
    return await download(call, version_id, Blob(len(data), data), None, kind, attachment=False)


def content_md5(md5_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(md5_hex)).decode("ascii")


async def download(
    call: Call,
    object_id: str,
    blob: Blob,
    filename: str | None,
    mime_type: str | None,
    *,
    attachment: bool = True,
) -> Response:
    """Stream ``blob`` with the documented headers, applying any body fault that fires."""
    md5_hex = call.tenant.blob_digests(object_id, blob)[0] if blob.data is None else _md5(blob.data)
    headers = {"Content-MD5": content_md5(md5_hex)}
    if attachment:
        headers["Content-Disposition"] = "attachment; filename*=utf-8''" + quote(
            filename or object_id, safe=""
        )
    fault = call.plan.body_fault(call.request.url.path, object_id)
    chunks: Iterator[bytes] = blob_chunks(blob, STREAM_CHUNK)
    if fault == "corrupt":
        chunks = _corrupted(chunks)
    body = _stream(call, chunks, fault, blob.size)
    if fault == "drop":
        headers["Content-Length"] = str(blob.size)
    return StreamingResponse(body, media_type=mime_type or "application/octet-stream", headers=headers)


def _md5(data: bytes) -> str:

    return hashlib.md5(data).hexdigest()


def _corrupted(chunks: Iterator[bytes]) -> Iterator[bytes]:
    first = True
    for chunk in chunks:
        if first and chunk:
            middle = len(chunk) // 2
            chunk = chunk[:middle] + bytes([chunk[middle] ^ 0xFF]) + chunk[middle + 1 :]
            first = False
        yield chunk


async def _stream(call: Call, chunks: Iterator[bytes], fault: str | None, size: int) -> AsyncIterator[bytes]:
    sent = 0
    cut = size // 2
    trickle = call.plan.config.trickle_chunk if fault == "trickle" else 0
    for chunk in chunks:
        if fault == "drop" and sent + len(chunk) >= cut:
            yield chunk[: cut - sent]
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")
        if trickle:
            for start in range(0, len(chunk), trickle):
                yield chunk[start : start + trickle]
                await call.sleep(call.plan.config.trickle_delay_ms / 1000)
        else:
            yield chunk
        sent += len(chunk)
    if fault == "drop":
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "apps/chats/files/{file_id}", "user", file_metadata),
    endpoint("GET", "apps/chats/files/{file_id}/content", "user", file_content),
    endpoint("DELETE", "apps/chats/files/{file_id}", "delete", delete_file),
    endpoint("GET", "apps/chats/generated-files/{gen_id}", "user", generated_metadata),
    endpoint("GET", "apps/chats/generated-files/{gen_id}/content", "user", generated_content),
    endpoint("GET", "apps/artifacts/{version_id}", "user", artifact_metadata),
    endpoint("GET", "apps/artifacts/{version_id}/content", "user", artifact_content),
]
