"""Golden HTML of a representative chat; regenerate with EDISCOVERY_REGEN_GOLDEN=1."""

from __future__ import annotations

import os
from pathlib import Path

from ediscovery.evidence.stored import StoredBag
from ediscovery.render.options import RenderOptions
from ediscovery.render.plan import plan_jobs, read_collection
from ediscovery.render.worker import build_html

from .render_bag import build_rich_bag

GOLDEN = Path(__file__).parent / "golden" / "chat_rich.html"


def test_chat_html_matches_golden(tmp_path: Path) -> None:
    bag = StoredBag.open(build_rich_bag(tmp_path / "bag", time_zone="Europe/Paris"))
    job = plan_jobs(bag, read_collection(bag, "Europe/Paris"))[0]
    html = build_html(bag, job, RenderOptions(bates_prefix="ACME-", bates_digits=6))
    if os.environ.get("EDISCOVERY_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8")


def test_golden_html_escapes_chat_markup() -> None:
    html = GOLDEN.read_text(encoding="utf-8")
    assert "&lt;b&gt;report&lt;/b&gt;.pdf" in html
    assert "<b>report</b>" not in html
    assert 'dir="auto"' in html
