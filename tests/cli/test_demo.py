"""The demo runs the whole job, and runs again in the same folder (an incremental run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ediscovery.demo import run_demo
from ediscovery.verify import verify


@pytest.mark.slow
def test_demo_runs_twice_in_one_folder(tmp_path: Path) -> None:
    lines: list[str] = []
    first = run_demo(tmp_path, scale="tiny", echo=lines.append)
    second = run_demo(tmp_path, scale="tiny", echo=lines.append)

    for result in (first, second):
        assert result.status == "complete"
        assert result.archive is not None and verify(result.archive).ok
        assert result.production is not None
        assert (result.production / "VOL001" / "DATA" / "VOL001.dat").is_file()
    assert first.production != second.production
    assert "$ ediscovery collect --matter 'Acme v. Widget' --custodian alice@example.com" in "\n".join(lines)
