"""The ``ediscovery`` command line: one small module per command, registered here."""

from __future__ import annotations

import click

from ediscovery import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ediscovery")
def cli() -> None:
    """Collect, preserve, produce and verify Claude Enterprise data for legal matters."""


def main() -> None:
    """Console-script entry point."""
    cli()
