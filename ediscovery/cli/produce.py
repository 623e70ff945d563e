"""The ``ediscovery produce`` command: a production volume for review platforms from collections.

Exit status: 0 produced, 1 error, 2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ediscovery.cli.options import fail, password_from_env
from ediscovery.errors import EdiscoveryError, Interrupted
from ediscovery.produce import FORMATS, ProductionResult, build_production
from ediscovery.progress import NullReporter, Reporter


def _formats(text: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip().lower() for part in text.split(",") if part.strip()}))


def _reporter(quiet: bool) -> Reporter:
    if quiet:
        return NullReporter()
    from ediscovery.cli.progress import RichReporter

    return RichReporter()


def _summary(result: ProductionResult) -> dict[str, Any]:
    return {
        "volume": str(result.volume_dir),
        "documents": result.documents,
        "pages": result.pages,
        "first_bates": result.first_bates,
        "last_bates": result.last_bates,
        "next_bates": result.next_bates,
        "manifest_sha256": result.manifest_sha256,
        "warnings": list(result.warnings),
    }


@click.command("produce")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option(
    "--format", "formats", default=",".join(FORMATS), show_default=True, help="Comma-separated parts."
)
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archives' password.")
@click.option("--bates-prefix", default="PROD", show_default=True, help="Bates number prefix.")
@click.option("--bates-start", type=int, default=1, show_default=True, help="First Bates number.")
@click.option("--bates-digits", type=int, default=9, show_default=True, help="Bates number digits.")
@click.option("--legend", default="CONFIDENTIAL", show_default=True, help="Legend on every PDF page.")
@click.option(
    "--rsmf-slice", type=click.Choice(["day"]), help="Cut RSMF into 24-hour slices of the display zone."
)
@click.option("--volume", "volume_name", default="VOL001", show_default=True, help="Production volume name.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def command(**values: Any) -> None:
    """Build a production volume (DAT/OPT/CSV, text, natives, PDFs, RSMF) from sealed archives or bags.

    Exit status: 0 produced, 1 error, 2 usage.
    """
    reporter = _reporter(values["quiet"] or values["as_json"])
    try:
        result = build_production(
            values["sources"],
            values["out"],
            formats=_formats(values["formats"]),
            password=password_from_env(values["password_env"]),
            bates_prefix=values["bates_prefix"],
            bates_start=values["bates_start"],
            bates_digits=values["bates_digits"],
            legend=values["legend"],
            rsmf_slice=values["rsmf_slice"],
            volume_name=values["volume_name"],
            reporter=reporter,
        )
    except EdiscoveryError as exc:
        reporter.close()
        fail(exc)
    except KeyboardInterrupt:
        reporter.close()
        click.echo(
            "Interrupted; nothing was published (the unfinished volume was removed). "
            "Run the same command again to build it.",
            err=True,
        )
        sys.exit(Interrupted.exit_code)
    reporter.close()
    if values["as_json"]:
        click.echo(json.dumps(_summary(result), sort_keys=True, ensure_ascii=False))
        return
    span = f"{result.first_bates} to {result.last_bates}"
    click.echo(f"produced {result.documents} documents, {span}: {result.volume_dir}")
    for warning in result.warnings:
        click.echo(f"  warning: {warning}", err=True)
