"""Running the sandbox over real HTTP: ``serve`` (foreground) and ``running_server`` (thread).

Both bind to loopback by default. The demo key is public and printed; no secret is involved.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from ediscovery.errors import UsageError
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
    """Serve ``tenant`` until interrupted, after printing the base URL and the demo key.

    The socket is bound first, so the URL printed is the one served (port 0: the port the
    system chose) and a busy port is an error before anything is printed.
    """
    app = create_app(tenant, faults=faults, rate_limit=rate_limit)
    sock = bind(host, port)
    bound = sock.getsockname()[1]
    print(f"Compliance API sandbox: http://{_url_host(host)}:{bound}", flush=True)
    print(f"Demo key (x-api-key): {DEMO_KEY}", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; UsageError naming the port when it is taken."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
        sock.listen(128)
    except OSError as exc:
        raise UsageError(
            f"Cannot serve the sandbox on {host}:{port}: {exc.strerror or exc}.",
            hint="Choose another port with --port (0 lets the system pick a free one).",
        ) from exc
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


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
