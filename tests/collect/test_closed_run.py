"""A run stopped after it closed (while attesting its receipt) leaves its bag as it sealed it."""

from __future__ import annotations

from pathlib import Path

import httpx
import py7zr
import pytest

from ediscovery.archive import attest
from ediscovery.archive.attestation import Attestation
from ediscovery.evidence.bag import CUSTODY_LOG
from ediscovery.sandbox import ManualClock
from ediscovery.verify import verify

from .conftest import run_sealed

TSA = Attestation(tsa_url="https://tsa.test")


def _interrupted(*args: object) -> list[str]:
    raise KeyboardInterrupt


def _as_sealed(archive: Path, tmp_path: Path) -> None:
    """The bag folder's custody log is the one in the archive, and both verify."""
    bag = archive.with_suffix("")
    with py7zr.SevenZipFile(archive) as sealed:
        sealed.extract(path=tmp_path / "sealed", targets=[f"{bag.name}/{CUSTODY_LOG}"])
    assert (bag / CUSTODY_LOG).read_bytes() == (tmp_path / "sealed" / bag.name / CUSTODY_LOG).read_bytes()
    assert verify(bag).ok and verify(archive).ok


@pytest.mark.slow
def test_a_ctrl_c_while_attesting_is_an_attestation_failure_of_a_closed_run(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(attest, "attest_receipt", _interrupted)
    result = run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out", attestation=TSA)
    assert result.status == "complete" and result.archive is not None and not result.verify_problems
    assert result.attestation_error is not None
    assert "interrupted" in result.attestation_error and "ediscovery attest" in result.attestation_error
    _as_sealed(result.archive, tmp_path)


@pytest.mark.slow
def test_a_closed_runs_custody_log_takes_no_event_from_a_later_failure(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*args: object) -> None:
        raise OSError("the receipt could not be read")

    monkeypatch.setattr(attest, "attest_or_say", failing)
    with pytest.raises(OSError, match="receipt could not be read"):
        run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out", attestation=TSA)
    [archive] = (tmp_path / "out").rglob("*.7z")
    _as_sealed(archive, tmp_path)
