"""The ``ediscovery`` command line: one small module per command, registered here.

The group owns the options every command shares: ``--version`` and the verbosity of the
diagnostic log (``-v`` / ``-q``). Logging is configured here and nowhere in the library.

A command's module is imported only when that command runs (or help lists it): ``verify``
need not load the PDF engine, and ``collect`` starts its first request before loading what it
needs only after its last (:func:`ediscovery.pipeline.run_pipeline` loads that meanwhile).
"""

from __future__ import annotations

import importlib

import click

from ediscovery import __version__
from ediscovery.cli.options import configure_logging

COMMANDS = {
    "demo": "ediscovery.cli.demo:command",
    "sandbox": "ediscovery.cli.sandbox:command",
    "custodians": "ediscovery.cli.custodians:command",
    "collect": "ediscovery.cli.collect:command",
    "verify": "ediscovery.cli.verify:command",
    "attest": "ediscovery.cli.attest:command",
    "corroborate": "ediscovery.cli.corroborate:command",
    "certify": "ediscovery.cli.certify:command",
    "produce": "ediscovery.cli.produce:command",
    "prove": "ediscovery.cli.proofs:prove_command",
    "verify-proof": "ediscovery.cli.proofs:verify_proof_command",
}
"""Each command's name and where it is defined (``module:attribute``), in the order help lists them."""


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ediscovery")
@click.option("-v", "--verbose", count=True, help="More diagnostic output on stderr (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """Collect, preserve, produce and verify Claude Enterprise data for legal matters."""
    configure_logging(verbose, quiet)


def main() -> None:
    """Console-script entry point."""
    cli()
