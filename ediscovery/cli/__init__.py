"""The ``ediscovery`` command line: one small module per command, registered here.

The group owns the options every command shares: ``--version`` and the verbosity of the
diagnostic log (``-v`` / ``-q``). Logging is configured here and nowhere in the library.
"""

from __future__ import annotations

import logging

import click

from ediscovery import __version__
from ediscovery.cli.collect import command as collect_command
from ediscovery.cli.custodians import command as custodians_command
from ediscovery.cli.demo import command as demo_command
from ediscovery.cli.produce import command as produce_command
from ediscovery.cli.sandbox import command as sandbox_command
from ediscovery.cli.verify import command as verify_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ediscovery")
@click.option("-v", "--verbose", count=True, help="More diagnostic output on stderr (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def cli(verbose: int, quiet: bool) -> None:
    """Collect, preserve, produce and verify Claude Enterprise data for legal matters."""
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    # Warnings are still emitted below the displayed level: the renderer turns WeasyPrint's
    # into run-report warnings, which -q must not silence.
    root.setLevel(min(level, logging.WARNING))
    # Those WeasyPrint warnings reach the user through the run report, not twice on stderr.
    weasyprint = logging.getLogger("weasyprint")
    weasyprint.propagate = False
    weasyprint.addHandler(logging.NullHandler())
    # The HTTP libraries' debug logs show raw request headers, the API key among them.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(level, logging.INFO))


for _command in (
    demo_command,
    sandbox_command,
    custodians_command,
    collect_command,
    verify_command,
    produce_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    cli()
