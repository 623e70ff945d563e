"""The ``ediscovery prove`` and ``ediscovery verify-proof`` commands: one record's inclusion proof."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ediscovery.cli.options import fail, password_from_env
from ediscovery.cli.verify import EXIT_INVALID
from ediscovery.errors import ConfigError, EdiscoveryError
from ediscovery.evidence.canonical import dumps_pretty
from ediscovery.evidence.paths import safe_id
from ediscovery.evidence.store import atomic_write
from ediscovery.verify.proofs import check_proof, prove


def _default_out(source: Path, record_id: str) -> Path:
    """Beside the archive (or the bag folder): where the evidence already is."""
    return source.resolve().parent / f"{safe_id(record_id)}.proof.json"


@click.command("prove")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.argument("record_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the proof.")
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archive password.")
def prove_command(source: Path, record_id: str, out: Path | None, password_env: str | None) -> None:
    """Write an inclusion proof that record RECORD_ID (a message, file, activity… id) is in the
    sealed archive or bag SOURCE, checkable with the collection's root alone.

    The proof holds the record's hashes and, for a message or other item, its JSON as the API
    sent it; nothing else of the collection. By default it is written beside the archive.
    """
    try:
        document = prove(source, record_id, password_from_env(password_env))
        target = out or _default_out(source, record_id)
        atomic_write(target, dumps_pretty(document))
    except EdiscoveryError as exc:
        fail(exc)
    count = len(document["proofs"])
    click.echo(f"{target}: {count} record(s) named {record_id}, root {document['root']}")


def _root_of(root: str | None, receipt: Path | None) -> str | None:
    if receipt is None:
        return root
    try:
        data = json.loads(receipt.read_bytes())
        found = data["bag"]["records_root"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{receipt} holds no records root (bag.records_root): {exc}.") from exc
    if not isinstance(found, str):
        raise ConfigError(f"{receipt} holds no records root (bag.records_root).")
    return found


@click.command("verify-proof")
@click.argument("proof", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--root", metavar="HEX", help="The records root the proof must reach (from the receipt or manifest)."
)
@click.option("--receipt", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The archive's .receipt.json: take the root from it.")  # fmt: skip
@click.option("--file", "content", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file handed over with the proof: check it is the proven file's content.")  # fmt: skip
def verify_proof_command(proof: Path, root: str | None, receipt: Path | None, content: Path | None) -> None:
    """Check an inclusion proof written by `ediscovery prove`.

    Exit status: 0 the proof holds, 3 it does not, 1 it could not be checked.
    """
    try:
        expected = _root_of(root, receipt)
        document = json.loads(proof.read_bytes())
    except EdiscoveryError as exc:
        fail(exc)
    except ValueError as exc:
        fail(ConfigError(f"{proof} is not JSON: {exc}."))
    problems = check_proof(document, root=expected, file=content)
    for problem in problems:
        click.echo(f"  {problem}")
    if problems:
        click.echo(f"INVALID: {len(problems)} problem(s)")
        sys.exit(EXIT_INVALID)
    anchor = (
        "the root given" if expected else "the root the proof carries (give --root or --receipt to tie it)"
    )
    for item in document["proofs"]:
        record = json.loads(item["record"])
        click.echo(f"included: {record['kind']} {record['id']} ({record['path']})")
    click.echo(f"VALID: {len(document['proofs'])} record(s) lead to {document['root']}, {anchor}")
