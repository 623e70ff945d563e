"""A run that verifies its archive reads it back once; a bad archive is caught and sealed again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.archive import sealer
from ediscovery.sandbox import ManualClock
from ediscovery.verify import verify

from .conftest import run_sealed


@pytest.mark.slow
@pytest.mark.parametrize("verified", [True, False])
def test_the_archive_is_read_back_by_the_seal_only_when_no_verification_follows(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    verified: bool,
) -> None:
    checks: list[Path] = []
    check = sealer.check_sealed
    monkeypatch.setattr(
        sealer, "check_sealed", lambda path, *a, **k: checks.append(path) or check(path, *a, **k)
    )
    result = run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out", verify=verified)
    assert result.status == "complete" and result.archive is not None
    assert len(checks) == (0 if verified else 1)
    assert verify(result.archive).ok


@pytest.mark.slow
def test_an_archive_damaged_while_sealing_is_reported_and_sealed_again_on_resume(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write = sealer._write_archive

    def damaged(bag: Path, target: Path, *args: Any) -> None:
        write(bag, target, *args)
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF  # a byte of a packed stream
        target.write_bytes(bytes(data))

    monkeypatch.setattr(sealer, "_write_archive", damaged)
    first = run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert any("CRC mismatch" in problem for problem in first.verify_problems), first.verify_problems
    assert first.to_json()["verify_problems"] == list(first.verify_problems)
    monkeypatch.undo()
    again = run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert again.resumed and again.status == "complete" and not again.verify_problems
    assert again.archive is not None and verify(again.archive).ok
