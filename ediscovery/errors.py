"""The whole exception tree of ediscovery.

Every error the library raises derives from :class:`EdiscoveryError`, carries the data a
user needs (URL, status, request-id, path) and says what to do next. Third-party exceptions
are translated at one boundary each (httpx in ``ediscovery.api``, py7zr in
``ediscovery.archive``) with ``raise ... from exc``.

::

    EdiscoveryError
    ├── UsageError                 bad option values (dates, zones, unknown custodian)   exit 2
    │   └── CustodianNotFound
    ├── ConfigError                missing API key, unreadable password variable          exit 1
    ├── ApiError                   anything the Compliance API answered or failed to answer
    │   ├── TransportError         connection, timeout, truncated body after all retries
    │   ├── ResponseFormatError    body is not the documented JSON shape
    │   ├── IntegrityError         downloaded bytes disagree with Content-MD5 / length
    │   ├── RetryLater             the API asked to wait longer than we wait; rerun later
    │   └── ApiStatusError         an HTTP error status, typed by status + error.type
    │       ├── BadRequestError        400 invalid_request_error
    │       ├── AuthenticationError    401 authentication_error
    │       ├── PermissionDeniedError  403 permission_error (missing scope)
    │       ├── NotFoundError          404 not_found_error
    │       ├── ConflictError          409
    │       ├── RateLimitError         429 rate_limit_error (after retries)
    │       └── ServerError            5xx / 529
    ├── EvidenceError              the bag on disk cannot be written or read as expected
    │   ├── UnsafePathError        a name would escape the bag
    │   └── DiskFullError          no space left; state is saved, free space and resume
    ├── CollectionError            the collection cannot proceed (e.g. a run is locked)
    │   └── Interrupted            Ctrl-C / SIGTERM; state saved, rerun to resume
    ├── ArchiveError               7z sealing or opening failed
    │   ├── WrongPasswordError
    │   └── AttestationError       the receipt could not be time-stamped or signed
    ├── RenderError                a transcript could not be rendered
    └── ProductionError            a production volume could not be built

Exit codes used by the CLI: 0 ok, 1 error, 2 usage, 3 verification found problems,
4 collection incomplete.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path


class EdiscoveryError(Exception):
    """Root of every error raised by ediscovery."""

    exit_code = 1
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message


class UsageError(EdiscoveryError):
    """A command-line value is invalid; nothing was done."""

    exit_code = 2


class CustodianNotFound(UsageError):
    """No directory user matches the requested custodian."""

    def __init__(self, custodian: str, suggestions: list[str]) -> None:
        self.custodian = custodian
        self.suggestions = suggestions
        msg = f"No user matches custodian {custodian!r} in any linked organization."
        hint = (
            "Close matches: " + ", ".join(suggestions) + "."
            if suggestions
            else "Run 'ediscovery custodians' to list the directory."
        )
        super().__init__(msg, hint=hint)


class ConfigError(EdiscoveryError):
    """Configuration is missing or unusable (API key, password variable, paths)."""


class ApiError(EdiscoveryError):
    """The Compliance API could not be used as documented."""

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.url = url
        self.request_id = request_id

    def __str__(self) -> str:
        parts = [self.message]
        if self.url:
            parts.append(f"(url: {self.url}")
            parts[-1] += f", request-id: {self.request_id})" if self.request_id else ")"
        elif self.request_id:
            parts.append(f"(request-id: {self.request_id})")
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)


class TransportError(ApiError):
    """The request never got a complete answer, even after retries."""


class ResponseFormatError(ApiError):
    """The API answered with a body that is not the documented shape."""


class IntegrityError(ApiError):
    """Downloaded bytes disagree with the Content-MD5 header or the announced length."""

    #: the ``ediscovery.api.DownloadResult`` of the disagreeing download, when there is one
    result: object | None = None


class RetryLater(ApiError):
    """A 429 whose ``retry-after`` is longer than the client waits: the run stops, resumable."""

    def __init__(self, error: ApiError, seconds: float, now: datetime) -> None:
        self.seconds = seconds
        self.not_before = now + timedelta(seconds=seconds)
        when = self.not_before.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        super().__init__(
            f"The API asked to wait {seconds:.0f} s before the next request ({error.message}).",
            url=error.url,
            request_id=error.request_id,
            hint=f"The state is saved; run the same command again after {when}.",
        )


class ApiStatusError(ApiError):
    """The API answered with an HTTP error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_type: str | None,
        url: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(message, url=url, request_id=request_id, hint=hint)
        self.status = status
        self.error_type = error_type
        self.error_code = error_code  # error.details.error_code, when the API gives one

    def __str__(self) -> str:
        return f"HTTP {self.status} {self.error_type or 'error'}: {super().__str__()}"


class BadRequestError(ApiStatusError):
    """400: the request was rejected as invalid."""


class AuthenticationError(ApiStatusError):
    """401: the key is invalid, deactivated or expired."""


class PermissionDeniedError(ApiStatusError):
    """403: the key lacks a scope."""


class NotFoundError(ApiStatusError):
    """404: no such object, or (bare 'Not found') no usable key or no such path."""

    @property
    def gone(self) -> bool:
        """Whether the answer names the object as gone (``File not found: <id>``, …); a bare
        ``Not found`` means the request did not authenticate or the path does not exist."""
        return self.message.strip().rstrip(".").lower() != "not found"


class ConflictError(ApiStatusError):
    """409: the operation conflicts with the object's state."""


class RateLimitError(ApiStatusError):
    """429 that persisted past the retry budget."""


class ServerError(ApiStatusError):
    """5xx or 529 that persisted past the retry budget, or was marked not retryable."""


class EvidenceError(EdiscoveryError):
    """The bag on disk could not be written or read as expected."""

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path


class UnsafePathError(EvidenceError):
    """A name would place a file outside the bag."""


class DiskFullError(EvidenceError):
    """No space left on the output device."""

    hint = "Free space on the output device and run the same command again to resume."


class CollectionError(EdiscoveryError):
    """The collection cannot proceed."""


class Interrupted(CollectionError):
    """The run was interrupted; its state is saved."""

    exit_code = 130


class ArchiveError(EdiscoveryError):
    """A 7z archive could not be written or opened."""


class WrongPasswordError(ArchiveError):
    """The archive password is wrong (or missing for an encrypted archive)."""

    hint = "Check the variable named by --password-env holds the archive's password."


class AttestationError(ArchiveError):
    """The receipt could not be time-stamped (TSA unreachable or refusing) or signed."""

    hint = (
        "The archive is sealed and verified as it is; attest it later with "
        "`ediscovery attest ARCHIVE --tsa-url URL` (or --sign-key KEY)."
    )


class RenderError(EdiscoveryError):
    """A transcript or report could not be rendered."""


class ProductionError(EdiscoveryError):
    """A production volume could not be built."""
