"""Error answers of the simulated API: the documented envelope and error types by status.

:class:`ApiProblem` is the simulator's internal control flow: a handler raises it and the app
turns it into ``{"type": "error", "error": {"type", "message"}, "request_id"}`` (top-level
``type`` and ``request_id`` are UNCONFIRMED for compliance routes; clients must rely only on
``error.type`` and ``error.message``). It never leaves the sandbox, so it is not part of the
library's exception tree in :mod:`ediscovery.errors`.
"""

from __future__ import annotations

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    422: "invalid_request_error",
    409: "invalid_request_error",  # Sep 2026 docs; Aug docs said conflict_error
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    529: "overloaded_error",
}

RATE_LIMIT_MESSAGE = (
    "Compliance API rate limit of {limit} requests per minute per parent organization has been exceeded. "
    "Retry after the time indicated by the retry-after header. Quote the request-id response header when "
    "contacting Anthropic support."
)


class ApiProblem(Exception):
    """An HTTP error answer: status, documented error type, message and extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = ERROR_TYPES.get(status, "api_error")
        self.message = message
        self.headers = dict(headers or {})
        self.details = details

    def body(self, request_id: str) -> dict[str, object]:
        error: dict[str, object] = {"type": self.error_type, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"type": "error", "error": error, "request_id": request_id}


def bad_request(message: str) -> ApiProblem:
    return ApiProblem(400, message)


def not_found(message: str = "Not found") -> ApiProblem:
    return ApiProblem(404, message)
