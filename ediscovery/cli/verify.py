"""The ``ediscovery verify`` command: layered verification of an archive or a bag folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ediscovery.cli.options import fail, password_from_env
from ediscovery.errors import EdiscoveryError
from ediscovery.verify import VerifyReport, verify
from ediscovery.verify.sidecar import Anchors

EXIT_INVALID = 3


def _human(report: VerifyReport) -> None:
    for layer in report.layers:
        click.echo(layer.describe())
    for problem in report.problems:
        click.echo(f"  {problem}")
    for limit in report.limits:
        click.echo(f"Note: {limit}.")
    click.echo("VALID" if report.ok else f"INVALID: {len(report.problems)} problem(s)")


@click.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=True, file_okay=True))
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archive password.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--fast", is_flag=True, help="Only completeness and Payload-Oxum (no re-hashing).")
@click.option(
    "--tsa-cert",
    "tsa_certs",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Certificate (PEM) of a Time-Stamp Authority root you trust; the receipt's time-stamp is required.",
)
@click.option(
    "--trust",
    "signers",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Certificate (PEM) of a signer, or its issuer, you trust; the receipt's signature is then required.",
)
@click.option(
    "--scratch",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the tag files read out of an archive (default: beside the archive).",
)
def command(
    path: str,
    password_env: str | None,
    as_json: bool,
    fast: bool,
    tsa_certs: tuple[Path, ...],
    signers: tuple[Path, ...],
    scratch: Path | None,
) -> None:
    """Verify a sealed .7z (or its .001 volume) or an extracted bag folder.

    Exit status: 0 valid, 3 problems found, 1 verification could not run.
    """
    anchors = Anchors(tsa_roots=tsa_certs, signers=signers)
    try:
        report = verify(
            path, password=password_from_env(password_env), fast=fast, scratch=scratch, anchors=anchors
        )
    except EdiscoveryError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        _human(report)
    sys.exit(0 if report.ok else EXIT_INVALID)
