"""The API key: read from the environment, held without ever being shown.

The key never comes from a command-line argument and never reaches a log, a file, an
exception message or a ``repr``. Only its fingerprint (first 16 hex of its SHA-256) is
recorded, so a manifest can say *which* key collected a bag without revealing it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from ediscovery.errors import ConfigError

DEFAULT_KEY_ENV = "ANTHROPIC_COMPLIANCE_ACCESS_KEY"


class ApiKey:
    """An API key whose ``repr`` and ``str`` never show the secret."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        if not secret or not secret.strip():
            raise ConfigError("The API key is empty.")
        secret = secret.strip()
        if not all("!" <= char <= "~" for char in secret):
            # An HTTP library that rejects such a header may quote it in its own debug log.
            raise ConfigError(
                "The API key contains spaces, line breaks or non-ASCII characters.",
                hint="Copy the Compliance Access Key again; it is a single line of printable ASCII.",
            )
        self._secret = secret

    def reveal(self) -> str:
        """The secret itself, for the ``x-api-key`` header only."""
        return self._secret

    @property
    def fingerprint(self) -> str:
        """``sha256:<first 16 hex>`` identifying the key without revealing it."""
        return "sha256:" + hashlib.sha256(self._secret.encode("utf-8")).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"ApiKey({self.fingerprint})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("ApiKey cannot be pickled")


def api_key_from_env(var_name: str = DEFAULT_KEY_ENV, environ: Mapping[str, str] | None = None) -> ApiKey:
    """Read the key from the environment variable ``var_name``; ConfigError naming it when unset."""
    env = os.environ if environ is None else environ
    value = env.get(var_name, "")
    if not value.strip():
        raise ConfigError(
            f"The environment variable {var_name} is not set or empty.",
            hint=f"Export the Compliance Access Key as {var_name} (or name another variable with --key-env).",
        )
    return ApiKey(value)
