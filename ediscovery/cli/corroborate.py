"""The ``ediscovery corroborate`` command: the platform's audit log of a sealed run's calls."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from ediscovery.archive.attestation import Attestation
from ediscovery.cli.options import (
    api_options,
    attestation_options,
    build_client,
    fail,
    feed_lag_option,
    password_from_env,
)
from ediscovery.corroborate import corroborate_archive, sidecar_folder
from ediscovery.errors import EdiscoveryError
from ediscovery.verify.corroboration import verdict


@click.command("corroborate")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@api_options
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archive password.")
@feed_lag_option
@attestation_options
def command(
    source: Path, api_url: str, key_env: str, max_rpm: int, api_version: str, password_env: str | None,
    feed_lag: float, tsa_url: str | None, sign_key: Path | None, sign_cert: Path | None,
) -> None:  # fmt: skip
    """Match a sealed run's requests.jsonl with the platform's own audit log of its calls.

    SOURCE is the archive (or its bag folder). The platform's pages, the report and SHA256SUMS are
    written to <archive>.corroboration/ beside it; the report can be signed and time-stamped. verify
    then checks them. Reading the feed makes calls of its own: they are not part of what is
    corroborated. Exit status: 0 nothing unexplained, 3 findings, 1 error.
    """
    attestation = Attestation(tsa_url, sign_key, sign_cert)
    try:
        attestation.check()
        report = asyncio.run(_run(source, api_url, key_env, max_rpm, api_version, password_env, feed_lag,
                                  attestation))  # fmt: skip
    except EdiscoveryError as exc:
        fail(exc)
    click.echo(f"{sidecar_folder(source)}: {verdict(report)}")
    findings = sum(
        report[k]["count"] for k in ("missing_on_platform", "unexpected_on_platform", "disagreeing")
    )
    raise SystemExit(3 if findings or not report["api_key_ids"] else 0)


async def _run(
    source: Path, api_url: str, key_env: str, max_rpm: int, api_version: str, password_env: str | None,
    lag: float, attestation: Attestation,
) -> dict[str, Any]:  # fmt: skip
    password = password_from_env(password_env)
    async with build_client(api_url, key_env, max_rpm, api_version) as client:
        return await corroborate_archive(source, client, password=password, lag=lag, attestation=attestation)
