"""Read one JSON object field by field, checking types and remembering what was read.

Models use :class:`Fields` so that every documented field is type-checked, malformed
values are reported precisely, and whatever was not read is kept in ``extra``
(forward compatibility: unknown fields are never dropped).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ediscovery.timestamps import parse_timestamp

Extra = Mapping[str, Any]
"""The fields of an object that its model does not read (kept, never dropped)."""


class FormatProblem(ValueError):
    """A payload is not the documented shape (turned into ResponseFormatError with the URL)."""


class Fields:
    """Typed, tracked access to the members of one JSON object."""

    def __init__(self, obj: object, what: str) -> None:
        if not isinstance(obj, Mapping):
            raise FormatProblem(f"{what} is not a JSON object (got {type(obj).__name__})")
        self.obj: Mapping[str, Any] = obj
        self.what = what
        self._seen: set[str] = set()

    def _get(self, key: str) -> Any:
        self._seen.add(key)
        return self.obj.get(key)

    def _fail(self, key: str, expected: str, value: object) -> FormatProblem:
        return FormatProblem(f"{self.what}.{key} should be {expected}, got {value!r:.80}")

    def raw(self, key: str) -> Any:
        """The member as decoded, unchecked (marked as read)."""
        return self._get(key)

    def req_text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value:
            raise self._fail(key, "a non-empty string", value)
        return value

    def req_str(self, key: str) -> str:
        """A member that must be present and a string (empty allowed)."""
        value = self._get(key)
        if isinstance(value, str):
            return value
        if key not in self.obj:
            raise FormatProblem(f"{self.what}.{key} is missing (a required string)")
        raise self._fail(key, "a string", value)

    def text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None or isinstance(value, str):
            return value
        raise self._fail(key, "a string or null", value)

    def integer(self, key: str) -> int | None:
        value = self._get(key)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self._fail(key, "an integer or null", value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        raise self._fail(key, "a boolean", value)

    def time(self, key: str) -> datetime | None:
        value = self._get(key)
        if value is None:
            return None
        try:
            return parse_timestamp(value)
        except ValueError:
            raise self._fail(key, "an RFC 3339 timestamp", value) from None

    def array(self, key: str) -> list[Any] | None:
        value = self._get(key)
        if value is None or isinstance(value, list):
            return value
        raise self._fail(key, "an array or null", value)

    def req_array(self, key: str) -> list[Any]:
        """A member that must be present and an array: missing or null is a malformed response."""
        value = self._get(key)
        if isinstance(value, list):
            return value
        if key not in self.obj:
            raise FormatProblem(f"{self.what}.{key} is missing (a required array)")
        raise self._fail(key, "an array", value)

    def strs(self, key: str) -> tuple[str, ...]:
        items = self.array(key) or []
        if not all(isinstance(v, str) for v in items):
            raise self._fail(key, "an array of strings", items)
        return tuple(items)

    def obj_or_none(self, key: str) -> Mapping[str, Any] | None:
        value = self._get(key)
        if value is None or isinstance(value, Mapping):
            return value
        raise self._fail(key, "an object or null", value)

    def extra(self) -> dict[str, Any]:
        """Every member not read so far."""
        return {k: v for k, v in self.obj.items() if k not in self._seen}
