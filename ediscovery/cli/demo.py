"""``ediscovery demo``: the whole job against the embedded sandbox, in one command."""

from __future__ import annotations

from pathlib import Path

import click

from ediscovery.cli.options import fail
from ediscovery.demo import run_demo
from ediscovery.errors import EdiscoveryError
from ediscovery.sandbox.scales import SCALES


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Folder for the collection, archive and production.",
)
@click.option("--scale", type=click.Choice(list(SCALES)), default="small", show_default=True)
def command(out: Path, scale: str) -> None:
    """Start the sandbox, then list custodians, collect (corroborated), seal, verify, prove a message,
    draft a certification and produce."""
    try:
        run_demo(out, scale=scale, echo=click.echo)
    except EdiscoveryError as exc:
        fail(exc)
