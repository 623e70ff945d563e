"""Options shared by every command that talks to the Compliance API, written once.

``api_options`` adds ``--api-url`` (env ``EDISCOVERY_API_URL``), ``--key-env``, ``--max-rpm``
and ``--api-version`` (env ``EDISCOVERY_API_VERSION``); ``output_options`` adds ``--json`` and
``-v/-q``. :func:`build_client` turns them into a :class:`ComplianceClient`; a
:class:`ClientSeams` object in the click context (tests) supplies the transport. :func:`fail`
maps library errors to click exit codes. :func:`password_from_env` reads the archive password
every ``--password-env VAR`` names.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import httpx

from ediscovery.api import API_VERSION, DEFAULT_BASE_URL, DEFAULT_KEY_ENV, ComplianceClient, api_key_from_env
from ediscovery.errors import ConfigError, EdiscoveryError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ClientSeams:
    """Injected into ``ctx.obj`` by tests: the HTTP transport (e.g. the in-process sandbox)."""

    transport: httpx.AsyncBaseTransport | None = None


FEED_LAG = 90.0
"""Default seconds to let the Activity Feed index a run's calls (documented: up to a minute)."""

feed_lag_option = click.option(
    "--feed-lag",
    type=click.FloatRange(0, 3600),
    default=FEED_LAG,
    show_default=True,
    help="Seconds after the run's last request before the platform's record of its calls is read.",
)


def attestation_options(func: F) -> F:
    """``--tsa-url``, ``--sign-key`` and ``--sign-cert``: how the receipt is attested."""
    key_file = click.Path(exists=True, dir_okay=False, path_type=Path)
    decorators = [
        click.option("--tsa-url", metavar="URL", help="RFC 3161 Time-Stamp Authority to stamp the receipt."),
        click.option("--sign-key", type=key_file, help="PEM private key (Ed25519, ECDSA, RSA) to sign it."),
        click.option("--sign-cert", type=key_file, help="The signing key's certificate (PEM), kept beside."),
    ]  # fmt: skip
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def api_options(func: F) -> F:
    """``--api-url``, ``--key-env``, ``--max-rpm`` and ``--api-version``."""
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
            "--max-rpm", type=click.IntRange(1, 100_000), default=500, show_default=True,
            help="Request budget per minute shared by all requests (the API allows 600; more is "
                 "for the sandbox).",
        ),
        click.option(
            "--api-version", envvar="EDISCOVERY_API_VERSION", default=API_VERSION, show_default=True,
            help="anthropic-version header sent with every request (env EDISCOVERY_API_VERSION).",
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


_HANDLER_NAME = "ediscovery-cli"


def configure_logging(verbose: int, quiet: bool) -> None:
    """The one logging set-up of the CLI: diagnostics to stderr, WARNING by default, INFO with
    -v, DEBUG with -vv, ERROR with -q. Calling it again (a command's own -v) replaces the level.
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    # Warnings are still emitted below the displayed level: the renderer turns WeasyPrint's
    # into run-report warnings, which -q must not silence.
    root.setLevel(min(level, logging.WARNING))
    logging.getLogger("ediscovery").setLevel(min(level, logging.WARNING))
    # Those WeasyPrint warnings reach the user through the run report, not twice on stderr.
    weasyprint = logging.getLogger("weasyprint")
    weasyprint.propagate = False
    if not weasyprint.handlers:
        weasyprint.addHandler(logging.NullHandler())
    # The HTTP libraries' debug logs show raw request headers, the API key among them.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level, logging.INFO))


def build_client(
    api_url: str, key_env: str, max_rpm: int, api_version: str = API_VERSION
) -> ComplianceClient:
    """A client from the shared options; the key is read from ``key_env``."""
    ctx = click.get_current_context(silent=True)
    seams = ctx.find_object(ClientSeams) if ctx is not None else None
    key = api_key_from_env(key_env)
    transport = seams.transport if seams is not None else None
    return ComplianceClient(api_url, key, transport=transport, max_rpm=max_rpm, api_version=api_version)


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
