"""The demo runs the whole job, and runs again in the same folder (an incremental run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ediscovery.demo import run_demo
from ediscovery.verify import verify
from tests.page_bounds import words_off_page
from tests.pdfa_rules import every_pdf, problems


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
        assert (result.archive.parent / f"{result.archive.name}.certification.pdf").is_file()
    assert first.production != second.production
    ours = [p for p in every_pdf(tmp_path) if "NATIVES" not in p.parts and "native" not in p.parts]
    assert len(ours) > 10
    assert {str(p.relative_to(tmp_path)): problems(p) for p in ours if problems(p)} == {}
    assert {str(p.relative_to(tmp_path)): words_off_page(p)[:3] for p in ours if words_off_page(p)} == {}
    shown = "\n".join(lines)
    assert "$ ediscovery collect --matter 'Acme v. Widget' --custodian alice@example.com" in shown
    assert "$ ediscovery verify-proof " in shown  # a message proven and checked (exit 0, or the demo fails)
    for result in (first, second):
        corroboration = json.loads((result.bag / "manifest.json").read_bytes())["corroboration"]
        assert corroboration["matched"] == corroboration["answered"] == corroboration["requests"] > 0
        assert corroboration["unexpected_on_platform"]["count"] == 0
