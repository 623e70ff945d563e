"""``ediscovery custodians [SEARCH]``: list the people of every linked organization."""

from __future__ import annotations

import asyncio
import json
import sys

import click
from rich.console import Console
from rich.table import Table

from ediscovery.cli.options import api_options, build_client, fail, output_options
from ediscovery.collect.custodians import DirectoryPerson, load_directory, search
from ediscovery.errors import EdiscoveryError


@click.command("custodians")
@click.argument("text", metavar="[SEARCH]", required=False, default="")
@api_options
@output_options
def command(text: str, api_url: str, key_env: str, max_rpm: int, api_version: str, as_json: bool) -> None:
    """List directory users (email, name, user ids, organizations), optionally filtered by SEARCH."""
    try:
        people = asyncio.run(_people(text, api_url, key_env, max_rpm, api_version))
    except EdiscoveryError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps([_as_json(p) for p in people], ensure_ascii=False, indent=2, sort_keys=True))
    else:
        _print_table(people)


async def _people(
    text: str, api_url: str, key_env: str, max_rpm: int, api_version: str
) -> list[DirectoryPerson]:
    async with build_client(api_url, key_env, max_rpm, api_version) as client:
        return search(await load_directory(client), text)


def _as_json(person: DirectoryPerson) -> dict[str, object]:
    return {
        "email": person.email,
        "full_name": person.full_name,
        "user_ids": list(person.user_ids),
        "organizations": [{"uuid": o.uuid, "name": o.name} for o in person.organizations],
    }


def _print_table(people: list[DirectoryPerson]) -> None:
    table = Table(box=None, pad_edge=False)
    for header in ("Email", "Name", "User ID(s)", "Organizations"):
        table.add_column(header, overflow="fold")
    for person in people:
        orgs = ", ".join(o.name or o.uuid for o in person.organizations)
        table.add_row(person.email, person.full_name or "", "\n".join(person.user_ids), orgs)
    console = Console(file=sys.stdout, width=160, highlight=False, soft_wrap=False)
    console.print(table)
    console.print(f"{len(people)} {'person' if len(people) == 1 else 'people'}")
