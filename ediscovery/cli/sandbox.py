"""``ediscovery sandbox``: serve the Compliance API simulator on loopback."""

from __future__ import annotations

import click

from ediscovery.cli.options import fail
from ediscovery.errors import EdiscoveryError
from ediscovery.sandbox import generate_tenant
from ediscovery.sandbox.faults import FaultConfig
from ediscovery.sandbox.scales import SCALES
from ediscovery.sandbox.server import serve


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8787, show_default=True, type=int, help="TCP port.")
@click.option("--scale", type=click.Choice(list(SCALES)), default="small", show_default=True)
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of the synthetic tenant.")
@click.option("--latency-ms", default=0, show_default=True, type=int, help="Latency added to every request.")
@click.option(
    "--error-rate", default=0.0, show_default=True, type=float, help="Fraction of requests answered 500."
)
@click.option("--rate-limit", default=600, show_default=True, type=int, help="Requests per minute.")
def command(
    host: str, port: int, scale: str, seed: int, latency_ms: int, error_rate: float, rate_limit: int
) -> None:
    """Serve a simulated Compliance API with a seeded synthetic tenant (public demo key)."""
    faults = FaultConfig(latency_ms=latency_ms, error_rate=error_rate)
    try:
        serve(
            generate_tenant(seed=seed, scale=scale),
            host=host,
            port=port,
            faults=faults,
            rate_limit=rate_limit,
        )
    except EdiscoveryError as exc:
        fail(exc)
