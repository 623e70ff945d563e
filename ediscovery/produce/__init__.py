"""Production volumes for review platforms (DAT/OPT/CSV load files, text, RSMF, PDFs)."""

from __future__ import annotations

from ediscovery.produce.formats import FORMATS
from ediscovery.produce.production import ProductionResult, build_production

__all__ = ["FORMATS", "ProductionResult", "build_production"]
