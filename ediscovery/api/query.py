"""Build query strings the way the Compliance API reads them.

Arrays are one ``name[]=value`` pair per value, ranges use dotted names
(``created_at.gte``), timestamps are RFC 3339 with ``Z``, booleans are ``true``/``false``.
The result is an ordered tuple of pairs, kept verbatim in every ``ApiResponse``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ediscovery.timestamps import format_timestamp

Pairs = tuple[tuple[str, str], ...]
RANGE_OPERATORS = ("gte", "gt", "lte", "lt")


@dataclass(frozen=True)
class TimeRange:
    """Bounds on a timestamp field; each is optional."""

    gte: datetime | None = None
    gt: datetime | None = None
    lte: datetime | None = None
    lt: datetime | None = None

    def pairs(self, field: str) -> list[tuple[str, str]]:
        """``field.op=value`` pairs for the bounds that are set."""
        out = []
        for op in RANGE_OPERATORS:
            bound = getattr(self, op)
            if bound is not None:
                out.append((f"{field}.{op}", format_timestamp(bound)))
        return out

    def __bool__(self) -> bool:
        return any(getattr(self, op) is not None for op in RANGE_OPERATORS)


def scalar(value: object) -> str:
    """One query value as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_timestamp(value)
    return str(value)


def build_query(
    params: Mapping[str, object | None] | None = None,
    *,
    arrays: Mapping[str, Iterable[str] | None] | None = None,
    ranges: Mapping[str, TimeRange | None] | None = None,
) -> Pairs:
    """Pairs for scalar ``params`` (None skipped), ``arrays`` (``name[]``) and dotted ``ranges``."""
    pairs: list[tuple[str, str]] = []
    for name, values in (arrays or {}).items():
        pairs.extend((f"{name}[]", str(v)) for v in values or ())
    for name, bounds in (ranges or {}).items():
        if bounds:
            pairs.extend(bounds.pairs(name))
    for name, value in (params or {}).items():
        if value is not None:
            pairs.append((name, scalar(value)))
    return tuple(pairs)


def with_param(query: Pairs, name: str, value: str) -> Pairs:
    """``query`` with ``name`` set to ``value`` (replacing any earlier value)."""
    return (*((k, v) for k, v in query if k != name), (name, value))
