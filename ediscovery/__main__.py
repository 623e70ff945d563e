"""Run the command-line interface: ``python -m ediscovery``."""

from ediscovery.cli import main

main()
