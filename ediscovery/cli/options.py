"""Options shared by every command that talks to the Compliance API, written once.

``api_options`` adds ``--api-url`` (env ``EDISCOVERY_API_URL``), ``--key-env`` and
``--max-rpm``; ``output_options`` adds ``--json`` and ``-v/-q``. :func:`build_client` turns
them into a :class:`ComplianceClient`; a :class:`ClientSeams` object in the click context
(tests) supplies the transport. :func:`fail` maps library errors to click exit codes.
:func:`password_from_env` reads the archive password every ``--password-env VAR`` names.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click
import httpx

from ediscovery.api import DEFAULT_BASE_URL, DEFAULT_KEY_ENV, ComplianceClient, api_key_from_env
from ediscovery.errors import ConfigError, EdiscoveryError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ClientSeams:
    """Injected into ``ctx.obj`` by tests: the HTTP transport (e.g. the in-process sandbox)."""

    transport: httpx.AsyncBaseTransport | None = None


def api_options(func: F) -> F:
    """``--api-url``, ``--key-env`` and ``--max-rpm``."""
    decorators = [
        click.option(
            "--api-url", envvar="EDISCOVERY_API_URL", default=DEFAULT_BASE_URL, show_default=True,
            help="Compliance API base URL (env EDISCOVERY_API_URL).",
        ),
        click.option(
            "--key-env", default=DEFAULT_KEY_ENV, show_default=True, metavar="VAR",
            help="Environment variable holding the Compliance Access Key (never pass the key itself).",
        ),
        click.option(
            "--max-rpm", type=click.IntRange(1, 600), default=500, show_default=True,
            help="Request budget per minute shared by all requests (the API allows 600).",
        ),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def output_options(func: F) -> F:
    """``--json`` and ``-v/--verbose`` / ``-q/--quiet``."""

    @click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout instead of a table.")
    @click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (repeatable).")
    @click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
    @functools.wraps(func)
    def wrapper(*args: Any, verbose: int, quiet: bool, **kwargs: Any) -> Any:
        configure_logging(verbose, quiet)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def configure_logging(verbose: int, quiet: bool) -> None:
    """Diagnostics to stderr: WARNING by default, INFO with -v, DEBUG with -vv, ERROR with -q."""
    level = logging.ERROR if quiet else {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("ediscovery").setLevel(level)


def build_client(api_url: str, key_env: str, max_rpm: int) -> ComplianceClient:
    """A client from the shared options; the key is read from ``key_env``."""
    ctx = click.get_current_context(silent=True)
    seams = ctx.find_object(ClientSeams) if ctx is not None else None
    key = api_key_from_env(key_env)
    transport = seams.transport if seams is not None else None
    return ComplianceClient(api_url, key, transport=transport, max_rpm=max_rpm)


@functools.cache
def _exception_for(exit_code: int) -> type[click.ClickException]:
    return type(f"CommandError{exit_code}", (click.ClickException,), {"exit_code": exit_code})


def fail(error: EdiscoveryError) -> NoReturn:
    """Raise a click exception showing ``Error: <message>`` with the error's exit code."""
    raise _exception_for(error.exit_code)(str(error)) from error


def password_from_env(variable: str | None) -> str | None:
    """The archive password held by environment ``variable`` (None when no variable is named).

    ConfigError (exit 1) when the variable is unset or empty; the message names the variable,
    never a value.
    """
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(
            f"Environment variable {variable} is not set or empty; it must hold the archive password."
        )
    return value
