"""A server that misbehaves without end: every run still ends, with a clear message, no traceback.

The misbehaving server is the sandbox behind an ASGI wrapper on loopback: requests to one path
get the bad behaviour, everything else the sandbox's own answer. ``ediscovery collect`` runs
against it in a subprocess, with ``--timeout 2`` so that a test takes seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from ediscovery.sandbox import DEMO_KEY, Tenant, create_app, generate_tenant, ground_truth, running_server

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = "EDISCOVERY_TEST_KEY"
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Misbehaving:
    """The sandbox, except that requests whose path matches ``target`` get ``behaviour``."""

    def __init__(self, inner: Any, behaviour: str, target: str) -> None:
        self.inner, self.behaviour, self.target = inner, behaviour, target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not fnmatch.fnmatch(scope["path"], self.target):
            await self.inner(scope, receive, send)
            return
        await getattr(self, self.behaviour)(scope, receive, send)

    async def _real(self, scope: Scope, receive: Receive) -> dict[str, Any]:
        """The sandbox's first page, whatever cursor or token was asked for."""
        query = [p for p in scope["query_string"].split(b"&") if not p.startswith((b"page=", b"after_id="))]
        scope = {**scope, "query_string": b"&".join(query)}
        sent: list[MutableMapping[str, Any]] = []

        async def keep(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        await self.inner(scope, receive, keep)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return dict(json.loads(body))

    @staticmethod
    async def _json(send: Send, body: dict[str, Any], status: int = 200, **headers: str) -> None:
        data = json.dumps(body).encode()
        pairs = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
        pairs += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": pairs})
        await send({"type": "http.response.body", "body": data})

    async def same_items(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await self._real(scope, receive)
        await self._json(send, {**body, "has_more": True, "last_id": f"cursor-{uuid.uuid4()}"})

    async def fresh_tokens(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await self._real(scope, receive)
        await self._json(send, {**body, "has_more": True, "next_page": f"token-{uuid.uuid4()}"})

    async def trickle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"120")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for _ in range(120):
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await asyncio.sleep(0.5)
        await send({"type": "http.response.body", "body": b""})

    async def silent(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(60)

    async def retry_after(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down."}}
        await self._json(send, error, 429, retry_after="3000")

    async def huge_json(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(961 << 20).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for _ in range(60):
            await send({"type": "http.response.body", "body": b"[" * (1 << 16), "more_body": True})
            await asyncio.sleep(0.5)

    async def endless_download(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/octet-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for _ in range(20_000):  # about 1.3 GB, far past any listed size
            await send({"type": "http.response.body", "body": bytes(1 << 16), "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def tenant() -> Tenant:
    return generate_tenant(seed=7, scale="tiny")


@pytest.fixture
def serve(tenant: Tenant) -> Callable[[str, str], Any]:
    app = create_app(tenant, indexing_lag_seconds=0)

    def start(behaviour: str, target: str) -> Any:
        return running_server(Misbehaving(app, behaviour, target))  # type: ignore[arg-type]

    return start


def collect(base_url: str, out: Path) -> subprocess.CompletedProcess[str]:
    args = ["--matter", "m", "--custodian", "alice@example.com", "--api-url", base_url, "--key-env", KEY_ENV,
            "--out", str(out), "--no-pdf", "-q", "--max-rpm", "600", "--timeout", "2"]  # fmt: skip
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, KEY_ENV: DEMO_KEY}, capture_output=True, text=True, cwd=ROOT, timeout=180,
        check=False,
    )  # fmt: skip


def _a_chat(tenant: Tenant) -> str:
    truth = ground_truth(tenant, "alice@example.com")
    return sorted(cid for cid, chat in truth["chats"].items() if not chat["deleted"])[0]


def _a_file(tenant: Tenant) -> str:
    return sorted(ground_truth(tenant, "alice@example.com")["files"])[0]


CASES: list[tuple[str, str, Callable[[Tenant], str], int, str]] = [
    ("same_items", "/v1/compliance/apps/chats", lambda t: "", 1, "pages in a row without an item"),
    ("fresh_tokens", "/v1/compliance/organizations", lambda t: "", 1, "pages in a row without an item"),
    ("trickle", "/v1/compliance/apps/chats/{}/messages", _a_chat, 4, "got no complete answer in time"),
    ("silent", "/v1/compliance/apps/chats/{}/messages", _a_chat, 4, "got no complete answer in time"),
    ("silent", "/v1/compliance/organizations", lambda t: "", 1, "got no complete answer in time"),
    ("retry_after", "/v1/compliance/apps/chats/{}/messages", _a_chat, 1, "run the same command again after"),
    ("huge_json", "/v1/compliance/apps/chats/{}/messages", _a_chat, 4, "over the 256 MiB a page may have"),
    ("endless_download", "/v1/compliance/apps/chats/files/{}/content", _a_file, 4, "bytes its listing gave"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("behaviour", "target", "pick", "code", "message"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_a_misbehaving_server_ends_the_run_with_a_clear_message(
    serve: Callable[[str, str], Any],
    tenant: Tenant,
    tmp_path: Path,
    behaviour: str,
    target: str,
    pick: Callable[[Tenant], str],
    code: int,
    message: str,
) -> None:
    with serve(behaviour, target.format(pick(tenant))) as base_url:
        done = collect(base_url, tmp_path / "out")
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
