"""The ``ediscovery attest`` command: time-stamp and/or sign a sealed archive's receipt."""

from __future__ import annotations

from pathlib import Path

import click

from ediscovery.archive.attest import attest_receipt
from ediscovery.archive.attestation import Attestation
from ediscovery.cli.options import attestation_options, fail
from ediscovery.errors import EdiscoveryError, UsageError
from ediscovery.verify.sidecar import receipt_path_of


@click.command("attest")
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@attestation_options
def command(archive: Path, tsa_url: str | None, sign_key: Path | None, sign_cert: Path | None) -> None:
    """Time-stamp (RFC 3161) and/or sign the receipt of a sealed ARCHIVE (or of the archive a bag
    folder was sealed into); the token and signature are written beside the receipt.

    Nothing is contacted without --tsa-url. Exit status: 0 done, 1 error, 2 usage.
    """
    attestation = Attestation(tsa_url, sign_key, sign_cert)
    try:
        if not attestation.wanted():
            raise UsageError("Nothing to do: give --tsa-url, --sign-key or both.")
        attestation.check()
        for line in attest_receipt(receipt_path_of(archive), attestation):
            click.echo(line)
    except EdiscoveryError as exc:
        fail(exc)
