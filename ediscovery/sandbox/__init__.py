"""The Compliance API simulator: seeded tenant, ASGI app, fault injection, loopback server.

Run the whole job without an Enterprise account::

    from ediscovery.sandbox import DEMO_KEY, Tenant, create_app
    app = create_app(Tenant.generate(seed=7, scale="tiny"))

``serve()`` runs it under uvicorn; ``running_server()`` runs it in a background thread on an
ephemeral loopback port (for tests). See ``docs`` in each module for the behaviours modelled.
"""

from __future__ import annotations

from ediscovery.sandbox.app import create_app
from ediscovery.sandbox.clock import ManualClock
from ediscovery.sandbox.faults import FaultConfig, FaultRule
from ediscovery.sandbox.server import running_server, serve
from ediscovery.sandbox.tenant import DELETE_KEY, DEMO_KEY, Tenant

__all__ = [
    "DELETE_KEY",
    "DEMO_KEY",
    "FaultConfig",
    "FaultRule",
    "ManualClock",
    "Tenant",
    "create_app",
    "running_server",
    "serve",
]
