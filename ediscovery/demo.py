"""The one-minute demo: the whole job against the embedded sandbox, as a user would run it.

It starts the Compliance API sandbox on a loopback port, then runs the public commands one
after the other in child processes, exactly as they would be typed: ``custodians``,
``collect`` (which seals, verifies and corroborates), ``verify``, ``prove`` and ``verify-proof``
of one message, ``certify`` and ``produce``. Each step prints the
command line first, so the demo doubles as a walkthrough. The demo key is the sandbox's
public key; it is handed to the children through the environment, never as an argument.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ediscovery.errors import EdiscoveryError
from ediscovery.evidence.kinds import Kind
from ediscovery.sandbox import DEMO_KEY, create_app, generate_tenant, running_server

KEY_ENV = "ANTHROPIC_COMPLIANCE_ACCESS_KEY"
MATTER = "Acme v. Widget"
CUSTODIAN = "alice@example.com"
SIGNER = "Sam Examiner, Forensic Analyst"
FEED_LAG = 2.0
"""The embedded sandbox's Activity Feed indexing lag, and how long the demo's collection waits
for it before corroborating (the real feed is up to a minute late: ``collect`` waits 90 s)."""


@dataclass(frozen=True)
class DemoResult:
    """Where the demo left its outputs."""

    bag: Path
    archive: Path | None
    production: Path | None
    status: str


def run_demo(
    out: Path,
    *,
    scale: str = "small",
    custodian: str = CUSTODIAN,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    """Run sandbox → custodians → collect → verify → produce into ``out``."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    echo(f"Starting the Compliance API sandbox (seeded synthetic tenant, scale {scale})…")
    app = create_app(generate_tenant(seed=7, scale=scale), indexing_lag_seconds=FEED_LAG)
    with running_server(app) as base_url:
        echo(f"Sandbox listening on {base_url}\n")
        env = {**os.environ, KEY_ENV: DEMO_KEY}
        _step(echo, env, ["custodians", "--api-url", base_url])
        args = ["collect", "--matter", MATTER, "--custodian", custodian, "--out", str(out), "--corroborate",
                "--feed-lag", str(FEED_LAG)]  # fmt: skip
        collected = _step(echo, env, [*args, "--api-url", base_url, "--json"], capture=True, allowed=(0, 4))
    summary = json.loads(collected)
    archive = Path(summary["archive"]) if summary.get("archive") else None
    echo(json.dumps(summary, indent=2, ensure_ascii=False))
    bag = Path(summary["bag"])
    if archive is not None:
        _step(echo, env, ["verify", str(archive)])
        _prove_one_message(echo, env, bag, archive, out)
        _step(echo, env, ["certify", str(archive), "--signer", SIGNER])
    # Every sealed run of the matter so far: a second demo run is incremental, and the
    # production draws each chat from the latest run that has it.
    sources = sorted(str(path) for path in bag.parent.glob("*.7z")) or [str(bag)]
    production = out / f"production-{bag.name.rsplit('_', 1)[-1]}"
    _step(echo, env, ["produce", *sources, "--out", str(production)])
    _tell_where(echo, Path(summary["bag"]), archive, production)
    return DemoResult(Path(summary["bag"]), archive, production, summary["status"])


def _prove_one_message(
    echo: Callable[[str], None], env: dict[str, str], bag: Path, archive: Path, out: Path
) -> None:
    """Prove the first message of the collection, and check the proof against the receipt."""
    records = [json.loads(line) for line in (bag / "records.jsonl").read_bytes().splitlines()]
    message = next((r for r in records if r["kind"] == Kind.CHAT_MESSAGES and r["item"] is not None), None)
    if message is None:
        return
    proof = out / f"{message['id']}.proof.json"
    _step(echo, env, ["prove", str(archive), message["id"], "--out", str(proof)])
    _step(echo, env, ["verify-proof", str(proof), "--receipt", f"{archive}.receipt.json"])


def _tell_where(echo: Callable[[str], None], bag: Path, archive: Path | None, production: Path) -> None:
    echo("\nDone. Look at:")
    echo(f"  bag:         {bag}")
    echo(f"  archive:     {archive}")
    echo(f"  transcripts: {bag / 'data' / 'transcripts'}")
    echo(f"  production:  {production}")


def _step(
    echo: Callable[[str], None],
    env: dict[str, str],
    args: Sequence[str],
    *,
    capture: bool = False,
    allowed: Sequence[int] = (0,),
) -> str:
    shown = " ".join(_quote(a) for a in args)
    echo(f"$ ediscovery {shown}")
    result = subprocess.run(
        [sys.executable, "-m", "ediscovery", *args],
        env=env,
        stdout=subprocess.PIPE if capture else None,
        text=True,
        check=False,
    )
    if result.returncode not in allowed:
        raise EdiscoveryError(f"Demo step 'ediscovery {shown}' failed with exit status {result.returncode}.")
    echo("")
    return result.stdout or ""


def _quote(arg: str) -> str:
    return f"'{arg}'" if (" " in arg or not arg) else arg
