"""Collector: the traversal that finds and stores everything in scope for the custodians.

Per ``user_...`` id, over every organization the key reaches: the chat list (per-user mode,
largest page), the projects the user created, the Activity Feed events whose actor is the user
within the range, the user's agent sessions (``collect.sessions``), the code artifacts the user
owns (``collect.code_artifacts``), and the settings of every linked organization of the
custodians (``collect.settings``). Then every listed chat's messages (``collect.chats`` decides
which are responsive), and everything those messages and the projects in scope reference
(``collect.attachments``, ``collect.projects``). Each object is fetched once however often it is referenced.

An item that fails (malformed answer, persistent 5xx, …) is recorded and the traversal goes
on; a referenced object that no longer exists (404) is recorded as a limitation. Missing
permissions, bad keys and evidence errors (disk full) stop the run (``collect.tasks``).
"""

from __future__ import annotations

from collections.abc import Awaitable

from ediscovery.collect.activity import Activity
from ediscovery.collect.attachments import Attachments
from ediscovery.collect.chats import Chats
from ediscovery.collect.code_artifacts import CodeArtifacts
from ediscovery.collect.context import Context
from ediscovery.collect.corroboration import read_platform_record
from ediscovery.collect.early import EarlyLayout
from ediscovery.collect.limitations import NotInDirectory, SourceNotCollected, SourceUnavailable
from ediscovery.collect.plan import Plan
from ediscovery.collect.projects import Projects
from ediscovery.collect.recorder import Recorder
from ediscovery.collect.sessions import Sessions
from ediscovery.collect.settings import Settings
from ediscovery.collect.sources import NOT_COLLECTED, Source
from ediscovery.collect.tally import Tally
from ediscovery.collect.tasks import Tasks
from ediscovery.errors import NotFoundError, PermissionDeniedError


class Collector:
    """Walks the scope of a :class:`Plan` through :class:`Recorder`; see the module docstring."""

    def __init__(self, natives: Recorder, plan: Plan, early: EarlyLayout | None = None) -> None:
        tally = Tally()
        self.ctx = Context(natives, plan, tally, Tasks(tally, natives.custody, natives.reporter), early)
        self.attachments = Attachments(self.ctx)
        self.chats = Chats(self.ctx, self.attachments)
        self.projects = Projects(self.ctx, self.attachments)
        self.activity = Activity(self.ctx)
        self.settings = Settings(self.ctx)
        self.code = CodeArtifacts(self.ctx)
        self.sessions = Sessions(self.ctx)

    async def run(self) -> Tally:
        """Collect everything in scope; returns the tally (errors, references, what was seen).

        A run-level failure (missing scope, disk full, interruption) cancels every task still
        in flight and waits for them before it propagates, so nothing writes to the bag or
        the state after the run has stopped.
        """
        try:
            tally = await self._traverse()
            if self.ctx.early is not None:
                await self.ctx.early.finish()
            return tally
        except BaseException:
            if self.ctx.early is not None:
                self.ctx.early.abort()
            await self.ctx.tasks.cancel_all()
            raise

    async def _traverse(self) -> Tally:
        ctx, tasks, scope = self.ctx, self.ctx.tasks, self.ctx.scope
        ctx.reporter.stage("listing")
        users = ctx.plan.user_ids
        if scope.wants(Source.CHATS):
            await tasks.all(self.chats.listing(uid) for uid in users)
        if scope.wants(Source.PROJECTS):
            await tasks.all(self.projects.listing(uid) for uid in users)
        ctx.reporter.stage("collecting")
        chats = sorted(ctx.tally.chats.items())
        ctx.reporter.expect("chats", len(chats))
        await tasks.all(self.chats.chat(chat_id, seen) for chat_id, seen in chats)
        self.attachments.spawn_uploads()
        if ctx.early is not None:
            ctx.early.uploads_spawned.set()
        if scope.wants(Source.PROJECTS):
            await tasks.all(self.projects.project(pid) for pid in sorted(ctx.tally.project_reasons))
        if scope.wants(Source.ACTIVITIES):
            await tasks.all(self.activity.listing(uid) for uid in users)
            self.activity.note_unattributed()
        if scope.wants(Source.LOCAL_SESSIONS):
            await self._optional(Source.LOCAL_SESSIONS, self.sessions.local())
        if scope.wants(Source.REMOTE_SESSIONS):
            await self._optional(
                Source.REMOTE_SESSIONS, tasks.all(self.sessions.remote(uid) for uid in users)
            )
        if scope.wants(Source.CODE_ARTIFACTS):
            await self._optional(Source.CODE_ARTIFACTS, tasks.all(self.code.listing(uid) for uid in users))
        if scope.wants(Source.SETTINGS):
            await self.settings.all()
        self._note_departed()
        self._note_not_collected()
        await tasks.drain()
        if ctx.plan.feed_lag is not None:  # last: the platform's record of every call above
            await read_platform_record(ctx, ctx.plan.feed_lag)
        return ctx.tally

    async def _optional(self, source: Source, listing: Awaitable[None]) -> None:
        """List a source the tenant may not have (beta endpoints) or the key may not reach: a
        missing scope or a 404 for its list is a named limitation, not a failed run."""
        try:
            await listing
        except (PermissionDeniedError, NotFoundError) as exc:
            self.ctx.tally.limit(SourceUnavailable(str(source), str(exc)))

    def _note_not_collected(self) -> None:
        """Sources the API serves that this version does not collect, named in every manifest."""
        for name, what in NOT_COLLECTED.items():
            self.ctx.tally.limit(SourceNotCollected(name, what))

    def _note_departed(self) -> None:
        """A custodian found in no organization's users list is collected by user id alone."""
        for custodian in self.ctx.plan.custodians:
            if not custodian.in_directory:
                self.ctx.tally.limit(NotInDirectory(custodian.label))
