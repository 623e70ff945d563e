"""Render test fixtures: one representative bag rendered once per module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ediscovery.render import RenderOptions, RenderResult, render_collection

from .render_bag import build_rich_bag


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


@pytest.fixture(scope="module")
def rich_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RenderResult]:
    """The rich bag rendered in one process with prefix ACME- starting at 100."""
    root = build_rich_bag(tmp_path_factory.mktemp("bag") / "bag", time_zone="Europe/Paris")
    out = root / "data" / "transcripts"
    options = RenderOptions(bates_prefix="ACME-", bates_start=100, bates_digits=6, jobs=1, write_text=True)
    return out, render_collection(root, out, options)
