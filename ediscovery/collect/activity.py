"""Activity: the Activity Feed events whose actor is a custodian, within the range.

**Indexing lag.** The feed indexes events up to a minute late. When the range has no ``until``
or reaches within ``ACTIVITY_INDEXING_MARGIN`` of the moment the feed was listed, the manifest
carries an ``activity_indexing_lag`` limitation per user id with the effective upper bound,
instead of silently claiming the feed complete up to that moment. Events recorded before sign-in
carry no user id and cannot be selected by actor: that is stated per custodian.
"""

from __future__ import annotations

from datetime import timedelta

from ediscovery.api.models import body_items
from ediscovery.collect.context import Context
from ediscovery.collect.limitations import ActivityIndexingLag, UnattributedActivity
from ediscovery.collect.tasks import RUN_LEVEL
from ediscovery.collect.walker import walk
from ediscovery.errors import ApiError
from ediscovery.evidence.kinds import Kind
from ediscovery.evidence.paths import native_path
from ediscovery.timestamps import format_timestamp, parse_timestamp

# Documented indexing lag is one minute; the integration guide advises a few minutes of margin.
ACTIVITY_INDEXING_MARGIN = timedelta(minutes=5)


class Activity:
    """Lists the feed per custodian user id; see the module docstring."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def listing(self, uid: str) -> None:
        """Every feed event of actor ``uid`` in the range (from where an earlier run left off)."""
        scope, previous = self.ctx.scope, self.ctx.previous
        since = previous.activity_since(uid, scope) if previous is not None else scope.since
        pairs: tuple[tuple[str, str], ...] = (("actor_ids[]", uid),)
        if since is not None:
            pairs += (("created_at.gte", format_timestamp(since)),)
        if scope.until is not None:
            pairs += (("created_at.lt", format_timestamp(scope.until)),)
        tally = self.ctx.tally
        tally.activity_window[uid] = None if since is None else format_timestamp(since)
        try:
            pages = await walk(
                self.ctx.natives, "activities", *pairs, kind=Kind.ACTIVITIES, source_id=uid, custodians=(uid,)
            )
        except RUN_LEVEL:
            raise
        except ApiError as exc:
            self.ctx.tasks.failed(Kind.ACTIVITIES, uid, exc)
            return
        tally.activities_listed.add(uid)
        self._note_indexing_lag(uid)
        self.ctx.reporter.advance("activities", sum(len(body_items(body)) for body in pages))
        if self.ctx.early is not None:
            self.ctx.early.activity_stored(uid)

    def note_unattributed(self) -> None:
        """Pre-sign-in events name no user id, so ``actor_ids[]`` cannot select them (one note each).

        Their ``unauthenticated_user_actor`` carries only an email address; selecting them would
        mean reading everyone's events, so they are stated as not collected instead.
        """
        for custodian in self.ctx.plan.custodians:
            self.ctx.tally.limit(UnattributedActivity(custodian.label))

    def _note_indexing_lag(self, uid: str) -> None:
        """A limitation when the range reaches into the feed's indexing lag at listing time.

        The listing time is the first page's ``retrieved_at`` as stored, so a resumed run
        states the same bound as the run that fetched it.
        """
        entry = self.ctx.natives.state.entry(native_path(Kind.ACTIVITIES, uid, page=1))
        if entry is None or not entry.get("retrieved_at"):
            return
        listed_at = parse_timestamp(str(entry["retrieved_at"]))
        indexed_until = listed_at - ACTIVITY_INDEXING_MARGIN
        until = self.ctx.scope.until
        if until is not None and until <= indexed_until:
            return
        effective = until if until is not None else listed_at
        self.ctx.tally.limit(ActivityIndexingLag(uid, listed_at, indexed_until, effective))
