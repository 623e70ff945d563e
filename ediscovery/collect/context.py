"""Context: what every part of one traversal shares — the natives, the plan, the tally, the tasks."""

from __future__ import annotations

from dataclasses import dataclass

from ediscovery.collect.early import EarlyLayout
from ediscovery.collect.increment import Previous
from ediscovery.collect.plan import Plan
from ediscovery.collect.recorder import Recorder
from ediscovery.collect.scope import Scope
from ediscovery.collect.tally import Tally
from ediscovery.collect.tasks import Tasks
from ediscovery.progress import Reporter


@dataclass(frozen=True)
class Context:
    """One traversal's shared state (see the module docstring)."""

    natives: Recorder
    plan: Plan
    tally: Tally
    tasks: Tasks
    early: EarlyLayout | None = None
    """Lays out stored chats' transcripts while the traversal goes on (None: no PDFs)."""

    @property
    def scope(self) -> Scope:
        return self.plan.scope

    @property
    def previous(self) -> Previous | None:
        return self.plan.previous

    @property
    def reporter(self) -> Reporter:
        return self.natives.reporter

    def carried(self, kind: str, object_id: str) -> bool:
        """Whether an earlier run of the series stored ``object_id`` intact (then it is carried)."""
        previous = self.plan.previous
        if previous is not None and previous.has(kind, object_id):
            self.tally.carry(kind, object_id)
            return True
        return False
