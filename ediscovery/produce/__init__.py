"""Reports of every run and production volumes for review platforms (DAT/OPT/CSV, text, RSMF)."""

from __future__ import annotations

from ediscovery.produce.formats import FORMATS
from ediscovery.produce.production import ProductionResult, build_production
from ediscovery.produce.reports import write_reports

__all__ = ["FORMATS", "ProductionResult", "build_production", "write_reports"]
