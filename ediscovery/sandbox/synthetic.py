"""Synthetic tenants: :func:`generate_tenant` builds one from a seed and a scale.

Every record is derived from the seed, so two generations with the same seed and scale are
identical: the directory first (``sandbox.generator``), then the content with its edge cases
(``sandbox.scenario``), then the Activity Feed those records imply (``sandbox.timeline``).
"""

from __future__ import annotations

from ediscovery.sandbox.generator import Builder
from ediscovery.sandbox.scales import SCALES
from ediscovery.sandbox.scenario import build_content
from ediscovery.sandbox.tenant import Tenant
from ediscovery.sandbox.timeline import activities_for


def generate_tenant(seed: int = 7, scale: str = "tiny", *, big_file_bytes: int | None = None) -> Tenant:
    """Build the tenant for ``seed`` and ``scale`` (see :data:`SCALES`)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    builder = Builder(seed, SCALES[scale])
    builder.directory()
    build_content(builder, big_file_bytes=big_file_bytes)
    builder.tenant.activities.extend(activities_for(builder.tenant, builder.ids, builder.rng, builder.scale))
    return builder.tenant
