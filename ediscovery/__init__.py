"""ediscovery: collect, preserve, produce and verify Claude Enterprise data for legal matters."""

from __future__ import annotations

from ediscovery.errors import EdiscoveryError

__version__ = "0.1.0"

__all__ = ["EdiscoveryError", "__version__"]
