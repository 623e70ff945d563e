"""Worker processes give the same files and numbers however they are started."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ediscovery.render import RenderOptions, RenderResult, collection, render_collection

from .render_bag import BagBuilder, message


def _bag(root: Path) -> Path:
    bag = BagBuilder(root)
    for n in range(3):
        texts = [message(f"m{n}-{i}", "user", f"Chat {n} line {i} with digits 0123456789.") for i in range(4)]
        bag.chat(f"claude_chat_{n}", texts, created_at=f"2026-04-1{n}T00:00:00Z")
    return bag.finish()


def _facts(result: RenderResult) -> list[tuple[str, str, str, str]]:
    return [(d.path, d.bates_begin, d.bates_end, d.sha256) for d in result.documents]


@pytest.mark.parametrize("single_threaded", [True, False], ids=["fork", "forkserver"])
def test_pool_gives_the_bytes_of_a_single_process_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_threaded: bool
) -> None:
    root = _bag(tmp_path / "bag")
    options = RenderOptions(bates_prefix="P", bates_start=5, bates_digits=4, jobs=1)
    inline = render_collection(root, tmp_path / "one", options)
    monkeypatch.setattr(collection, "_single_threaded", lambda: single_threaded)
    expected = "fork" if single_threaded else "forkserver"
    assert collection.pool_context().get_start_method() == expected
    pooled = render_collection(root, tmp_path / "two", replace(options, jobs=2))
    assert _facts(pooled) == _facts(inline)
    assert pooled.next_bates == inline.next_bates == 5 + sum(d.page_count for d in inline.documents)
