"""Fixtures for the evidence layer tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ediscovery.evidence import EvidenceStore

ACTOR = {"os_user": "examiner", "host": "forensics-01"}


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    root = tmp_path / "bag"
    root.mkdir()
    return root


@pytest.fixture
def store(bag: Path) -> EvidenceStore:
    return EvidenceStore(bag)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """A clock that advances one second per call from a fixed start."""
    start = datetime(2026, 11, 26, 1, 2, 3, tzinfo=UTC)
    calls = {"n": 0}

    def now() -> datetime:
        calls["n"] += 1
        return start + timedelta(seconds=calls["n"])

    return now
