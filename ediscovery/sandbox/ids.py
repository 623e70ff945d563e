"""Deterministic identifiers for the simulated tenant.

Tagged IDs follow the documented shape: prefix + ``01`` + 22 base58 characters
(``claude_chat_01H5CWunD7RpVJ5bHa8RCkja``). Every ID comes from one seeded generator, so the
same seed and the same sequence of calls give the same IDs.
"""

from __future__ import annotations

import random
import uuid

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class IdFactory:
    """Produces tagged IDs, bare UUIDs and request IDs from one seeded random stream."""

    def __init__(self, seed: int | str) -> None:
        self._rng = random.Random(f"ids:{seed}")

    def tagged(self, prefix: str) -> str:
        """Return ``prefix + "01" + 22 base58 chars``."""
        return prefix + "01" + "".join(self._rng.choices(BASE58, k=22))

    def uuid(self) -> str:
        """Return a version-4 style UUID string."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def request_id(self) -> str:
        """Return a request id: ``req_`` + 24 base58 characters."""
        return "req_" + "".join(self._rng.choices(BASE58, k=24))
