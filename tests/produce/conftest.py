"""Fixtures of the produce tests: fixture bags of two custodians (see :mod:`.bags`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .bags import build_alice, build_bob


@pytest.fixture
def alice_bag(tmp_path: Path) -> Path:
    return build_alice(tmp_path / "bags" / "alice-example.com_20261126T010203Z-a1b2c3")


@pytest.fixture
def bob_bag(tmp_path: Path) -> Path:
    return build_bob(tmp_path / "bags" / "bob-example.com_20261126T020203Z-d4e5f6")
