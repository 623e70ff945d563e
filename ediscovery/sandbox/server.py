"""Running the sandbox over real HTTP: ``serve`` (foreground) and ``running_server`` (thread).

Both bind to loopback by default. The demo key is public and printed; no secret is involved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from ediscovery.sandbox.app import create_app
from ediscovery.sandbox.faults import FaultConfig
from ediscovery.sandbox.tenant import DEMO_KEY, Tenant


def serve(
    tenant: Tenant,
    host: str = "127.0.0.1",
    port: int = 8787,
    faults: FaultConfig | None = None,
    *,
    rate_limit: int = 600,
) -> None:
    """Serve ``tenant`` until interrupted, after printing the base URL and the demo key."""
    app = create_app(tenant, faults=faults, rate_limit=rate_limit)
    print(f"Compliance API sandbox: http://{host}:{port}")
    print(f"Demo key (x-api-key): {DEMO_KEY}")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextmanager
def running_server(app: Starlette | Tenant, host: str = "127.0.0.1") -> Iterator[str]:
    """Run ``app`` (or a default app over a tenant) on an ephemeral port; yield its base URL."""
    asgi = create_app(app) if isinstance(app, Tenant) else app
    config = uvicorn.Config(asgi, host=host, port=0, log_config=None, lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sandbox-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("sandbox server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
