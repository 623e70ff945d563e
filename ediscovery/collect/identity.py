"""Identity: what makes two ``collect`` commands the same run, and what a resumed run must repeat."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ediscovery.collect.plan import Custodian
from ediscovery.collect.sources import ALL_SOURCES
from ediscovery.collect.state import RunInfo
from ediscovery.errors import UsageError

if TYPE_CHECKING:
    from ediscovery.collect.run import CollectOptions


def check_same_evidence(run: RunInfo, wanted: Mapping[str, Any]) -> None:
    """Refuse to resume ``run`` with options that would change what its evidence is."""
    recorded = run.params.get("evidence")
    if not isinstance(recorded, dict):
        return  # a run started before these were recorded
    names = sorted(set(recorded) | set(wanted))
    differ = [n for n in names if recorded.get(n) != wanted.get(n)]
    if not differ:
        return
    said = "; ".join(f"{n}: {recorded.get(n)!r} then, {wanted.get(n)!r} now" for n in differ)
    raise UsageError(
        f"Run {run.run_id} was started with other options than this command gives ({said}); "
        "resuming it would change what its evidence is.",
        hint="Run the command again with the options the run was started with.",
    )


def identity(options: CollectOptions, custodians: tuple[Custodian, ...]) -> dict[str, Any]:
    """What makes two commands the *same* run (for resume) or the same series (for increments)."""
    wanted = {
        "matter": options.matter,
        "user_ids": sorted({uid for c in custodians for uid in c.user_ids}),
        "since": options.scope.to_json()["since"],
        "until": options.scope.to_json()["until"],
    }
    if options.scope.sources != ALL_SOURCES:  # runs of every source keep the identity they had
        wanted["sources"] = sorted(options.scope.sources)
    return wanted
