"""The ``ediscovery certify`` command: a draft FRE 902(14) certification of a sealed archive."""

from __future__ import annotations

from pathlib import Path

import click

from ediscovery.certify import read_facts, write_certification
from ediscovery.cli.options import fail, password_from_env
from ediscovery.errors import EdiscoveryError, UsageError
from ediscovery.verify import verify
from ediscovery.verify.sidecar import Anchors

CERT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("certify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signer", required=True, metavar='"NAME, TITLE"', help="Who will sign the certification.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: beside the archive).",
)
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archive password.")
@click.option(
    "--tsa-cert", "tsa_certs", multiple=True, type=CERT_FILE, help="Trusted TSA root certificate (PEM)."
)
@click.option("--trust", "signers", multiple=True, type=CERT_FILE, help="Trusted signer certificate (PEM).")
def command(
    archive: Path, signer: str, out: Path | None, password_env: str | None,
    tsa_certs: tuple[Path, ...], signers: tuple[Path, ...],
) -> None:  # fmt: skip
    """Draft a Federal Rule of Evidence 902(14) certification of ARCHIVE (text and PDF) from its
    custody log, manifest and receipt and a verification run now, with a signature block for
    SIGNER. It states only what the records show and says what they do not; read it, fill in
    the bracketed blanks, and have it reviewed before it is signed.
    """
    try:
        if not signer.strip():
            raise UsageError('--signer is empty: give "Name, Title".')
        password = password_from_env(password_env)
        report = verify(archive, password=password, anchors=Anchors(tsa_certs, signers))
        facts = read_facts(archive, report, password)
        text, pdf = write_certification(facts, signer, out or archive.resolve().parent)
    except EdiscoveryError as exc:
        fail(exc)
    click.echo(f"verification: {'VALID' if report.ok else 'INVALID'}; the certification says so")
    click.echo(f"certification: {text}")
    click.echo(f"certification: {pdf}")
