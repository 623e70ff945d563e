from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.verify.finished import finished_bag


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    return finished_bag(tmp_path / "run")


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (CI installs it)")
    return path
