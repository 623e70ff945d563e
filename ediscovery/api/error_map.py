"""Translate an HTTP error answer of the Compliance API into the typed exception tree.

Match on HTTP status plus ``error.type`` (messages may be reworded by the API). The
exception carries status, type, message, request-id and URL — never a header, never the key.
"""

from __future__ import annotations

import json
from typing import Any

from ediscovery.errors import (
    ApiStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

_BY_STATUS: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_HINTS = {
    401: "The key is invalid, deactivated or expired; create a new Compliance Access Key.",
    403: "Create a key with the missing scope (scopes cannot be added to an existing key).",
    409: "Resolve the conflict first, then retry.",
    429: "The 600 requests/minute budget stayed exhausted; lower --max-rpm or retry later.",
}

BARE_NOT_FOUND_HINT = (
    "A bare 'Not found' on a list endpoint usually means the key is missing, is not a "
    "Compliance Access Key (sk-ant-api01-...), or the API URL is wrong."
)


def error_body(raw: bytes) -> tuple[str | None, str]:
    """``(error.type, error.message)`` from an error body, tolerating non-JSON bodies."""
    try:
        doc: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        text = raw[:200].decode("utf-8", "replace").strip()
        return None, text or "(empty body)"
    error = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(error, dict):
        return None, "(no error object in body)"
    etype = error.get("type")
    message = error.get("message")
    return (etype if isinstance(etype, str) else None, message if isinstance(message, str) else "")


def error_code(raw: bytes) -> str | None:
    """``error.details.error_code`` of an error body (e.g. ``multi_file_unavailable``), or None."""
    try:
        doc: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    error = doc.get("error") if isinstance(doc, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    code = details.get("error_code") if isinstance(details, dict) else None
    return code if isinstance(code, str) else None


def status_error(
    status: int, raw: bytes, *, url: str, request_id: str | None, list_endpoint: bool
) -> ApiStatusError:
    """The exception for an HTTP error ``status`` with body ``raw``."""
    etype, message = error_body(raw)
    code = error_code(raw)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else ApiStatusError)
    hint = _HINTS.get(status)
    if status == 404 and message.strip().rstrip(".") == "Not found" and list_endpoint:
        hint = BARE_NOT_FOUND_HINT
    if status >= 500:
        hint = "The API failed on its side; retry later and quote the request-id to support."
    return cls(
        message or f"HTTP {status}",
        status=status,
        error_type=etype,
        url=url,
        request_id=request_id,
        hint=hint,
        error_code=code,
    )
