"""Query-string validation with the documented pydantic-style 400 messages.

Each endpoint declares the parameter names it accepts; anything else is rejected with
``Unknown query parameter: '<name>'. Did you mean '<closest>'?`` (difflib). Messages name the
parameter first, with the array index for arrays (``activity_types[].0: ...``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import datetime

from ediscovery.sandbox.problems import bad_request

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?$"
)
RANGE_OPS = ("gte", "gt", "lte", "lt")


def range_names(field: str) -> tuple[str, ...]:
    return tuple(f"{field}.{op}" for op in RANGE_OPS)


class Params:
    """The query of one request, checked against the endpoint's accepted names."""

    def __init__(self, items: Iterable[tuple[str, str]], accepted: Iterable[str]) -> None:
        self.items = list(items)
        accepted = list(accepted)
        for name, _ in self.items:
            if name not in accepted:
                raise bad_request(_unknown_message(name, accepted))

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.items)

    def one(self, name: str) -> str | None:
        values = self.many(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str]:
        return [value for key, value in self.items if key == name]

    def integer(self, name: str, default: int | None, minimum: int, maximum: int | None = None) -> int | None:
        raw = self.one(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            message = f"{name}: Input should be a valid integer, unable to parse string as an integer"
            raise bad_request(message) from None
        if value < minimum:
            raise bad_request(f"{name}: Input should be greater than or equal to {minimum}")
        if maximum is not None and value > maximum:
            raise bad_request(f"{name}: Input should be less than or equal to {maximum}")
        return value

    def limit(self, default: int | None, maximum: int) -> int | None:
        return self.integer("limit", default, 1, maximum)

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        raw = self.one(name)
        if raw is None:
            return default
        if raw not in options:
            quoted = [f"'{o}'" for o in options]
            listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
            raise bad_request(f"{name}: Input should be {listed}")
        return raw

    def timestamp(self, name: str) -> datetime | None:
        raw = self.one(name)
        return None if raw is None else parse_timestamp(name, raw)

    def time_range(self, field: str) -> dict[str, datetime]:
        out = {}
        for op in RANGE_OPS:
            value = self.timestamp(f"{field}.{op}")
            if value is not None:
                out[op] = value
        return out


def parse_timestamp(name: str, raw: str) -> datetime:
    """RFC 3339 with an explicit offset, or a 400 in the documented wording."""
    if not re.match(r"^\d{4}", raw):
        raise bad_request(f"{name}: Input should be a valid datetime or date, invalid character in year")
    match = _RFC3339.match(raw)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", raw) or (match and not match.group("tz")):
        raise bad_request(f"{name}: Input should have timezone info")
    if not match:
        raise bad_request(f"{name}: Input should be a valid datetime or date, invalid datetime format")
    try:
        return datetime.fromisoformat(raw.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise bad_request(
            f"{name}: Input should be a valid datetime or date, invalid datetime format"
        ) from None


def in_range(value: datetime, bounds: dict[str, datetime]) -> bool:
    checks = {
        "gte": lambda b: value >= b,
        "gt": lambda b: value > b,
        "lte": lambda b: value <= b,
        "lt": lambda b: value < b,
    }
    return all(checks[op](bound) for op, bound in bounds.items())


def _unknown_message(name: str, accepted: list[str]) -> str:
    close = difflib.get_close_matches(name, accepted, n=1, cutoff=0.6)
    message = f"Unknown query parameter: '{name}'."
    return f"{message} Did you mean '{close[0]}'?" if close else message
