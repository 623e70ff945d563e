"""A full disk stops every stage the same way: a resumable DiskFullError and an ``error`` custody event."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediscovery.archive import sealer
from ediscovery.errors import DiskFullError
from ediscovery.render import segments
from ediscovery.sandbox import ManualClock
from ediscovery.verify import verify

from .conftest import run_sealed


def _no_space(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.slow
@pytest.mark.parametrize(("where", "name"), [(sealer, "_write_archive"), (segments, "replacing")])
def test_a_full_disk_while_finishing_is_a_resumable_disk_full_error_in_custody(
    sandbox_transport: httpx.ASGITransport,
    sandbox_clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: Any,
    name: str,
) -> None:
    monkeypatch.setattr(where, name, _no_space)
    with pytest.raises(DiskFullError) as caught:
        run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert "No space left while" in str(caught.value)
    assert "Free space on the output device and run the same command again to resume." in str(caught.value)
    [bag] = [p for p in (tmp_path / "out" / "acme-v.-widget").iterdir() if p.is_dir() and p.name[0] != "."]
    last = json.loads((bag / "custody.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["details"]["error"]) == ("error", "DiskFullError")

    monkeypatch.undo()
    result = run_sealed(sandbox_transport, sandbox_clock, tmp_path / "out")
    assert result.resumed and result.status == "complete" and result.bag == bag
    assert result.archive is not None and verify(result.archive).ok
