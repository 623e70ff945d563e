"""The Compliance API simulator: seeded tenant, ASGI app, fault injection, loopback server.

Run the whole job without an Enterprise account::

    from ediscovery.sandbox import create_app, generate_tenant
    app = create_app(generate_tenant(seed=7, scale="tiny"))

``serve()`` runs it under uvicorn; ``running_server()`` runs it in a background thread on an
ephemeral loopback port (for tests). See ``docs`` in each module for the behaviours modelled.
"""

from __future__ import annotations

from ediscovery.sandbox.app import create_app
from ediscovery.sandbox.clock import ManualClock
from ediscovery.sandbox.faults import FaultConfig, FaultRule
from ediscovery.sandbox.server import running_server, serve
from ediscovery.sandbox.synthetic import generate_tenant
from ediscovery.sandbox.tenant import DELETE_KEY, DEMO_KEY, Tenant
from ediscovery.sandbox.truth import ground_truth

__all__ = [
    "DELETE_KEY",
    "DEMO_KEY",
    "FaultConfig",
    "FaultRule",
    "ManualClock",
    "Tenant",
    "create_app",
    "generate_tenant",
    "ground_truth",
    "running_server",
    "serve",
]
