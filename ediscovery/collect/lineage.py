"""Lineage: the receipt of the run an incremental run builds on, carried into the new bag.

An incremental run collects only what changed since the last sealed run of the same matter,
custodians and scope, so its evidence depends on that run. Its bag keeps, under ``previous/``,
that run's receipt with the time-stamp and signature beside it (when it has them): whoever
holds the latest archive holds the attested state of the one before it, and ``verify`` checks
that receipt's attestation and that it names the manifest the new run built on.
"""

from __future__ import annotations

from pathlib import Path

from ediscovery.archive.attestation import attestation_files
from ediscovery.collect.increment import Previous
from ediscovery.collect.run import RunLayout
from ediscovery.evidence.store import atomic_write

PREVIOUS_DIR = "previous"


def previous_receipt(layout: RunLayout, previous: Previous) -> Path:
    """Where the previous run's receipt lies: beside its archive, in the same matter folder."""
    custodians = layout.name.rsplit("_", 1)[0]
    return layout.matter_dir / f"{custodians}_{previous.run_id}.7z.receipt.json"


def carry_previous_receipt(layout: RunLayout, previous: Previous | None) -> list[str]:
    """Copy the previous run's receipt and its attestation into ``previous/``; the paths copied."""
    if previous is None:
        return []
    receipt = previous_receipt(layout, previous)
    copied = []
    for source in (receipt, *attestation_files(receipt)):
        if source.is_file():
            atomic_write(layout.bag / PREVIOUS_DIR / source.name, source.read_bytes())
            copied.append(f"{PREVIOUS_DIR}/{source.name}")
    return copied
