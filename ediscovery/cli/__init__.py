"""The ``ediscovery`` command line: one small module per command, registered here.

The group owns the options every command shares: ``--version`` and the verbosity of the
diagnostic log (``-v`` / ``-q``). Logging is configured here and nowhere in the library.
"""

from __future__ import annotations

import click

from ediscovery import __version__
from ediscovery.cli.attest import command as attest_command
from ediscovery.cli.certify import command as certify_command
from ediscovery.cli.collect import command as collect_command
from ediscovery.cli.corroborate import command as corroborate_command
from ediscovery.cli.custodians import command as custodians_command
from ediscovery.cli.demo import command as demo_command
from ediscovery.cli.options import configure_logging
from ediscovery.cli.produce import command as produce_command
from ediscovery.cli.proofs import prove_command, verify_proof_command
from ediscovery.cli.sandbox import command as sandbox_command
from ediscovery.cli.verify import command as verify_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ediscovery")
@click.option("-v", "--verbose", count=True, help="More diagnostic output on stderr (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """Collect, preserve, produce and verify Claude Enterprise data for legal matters."""
    configure_logging(verbose, quiet)


for _command in (
    demo_command,
    sandbox_command,
    custodians_command,
    collect_command,
    verify_command,
    attest_command,
    corroborate_command,
    certify_command,
    produce_command,
    prove_command,
    verify_proof_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli()
