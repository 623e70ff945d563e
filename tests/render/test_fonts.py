"""Characters no installed font covers are reported per document; coverage is cached on disk."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ediscovery.render import RenderOptions, RenderResult, fonts, render_collection

from .render_bag import BagBuilder, message


def test_uncovered_characters_warn_naming_document_and_code_point(tmp_path: Path) -> None:
    bag = BagBuilder(tmp_path / "bag")
    bag.chat("claude_chat_plain", [message("m1", "user", "Plain text, 漢字 and 😀.")])
    bag.chat(
        "claude_chat_pua",
        [message("m2", "user", "Private \ue000 and last \U0010fffd here.")],
        created_at="2026-05-01T00:00:00Z",
    )
    result = render_collection(bag.finish(), tmp_path / "out", RenderOptions(jobs=1))
    glyphs = [w for w in result.warnings if "no installed font" in w]
    assert glyphs == [
        "chat claude_chat_pua: no installed font has a glyph for U+E000 (private use); it shows as a box.",
        "chat claude_chat_pua: no installed font has a glyph for U+10FFFD (private use); it shows as a box.",
    ]
    assert [d.source_id for d in result.documents] == ["claude_chat_plain", "claude_chat_pua"]


def test_multilingual_chat_has_no_missing_glyph_warnings(rich_render: tuple[Path, RenderResult]) -> None:
    _, result = rich_render
    assert not [w for w in result.warnings if "glyph" in w]


@pytest.fixture
def one_font(tmp_path: Path) -> Path:
    source = next((p for p in fonts.stack_files() if p.suffix.lower() in (".ttf", ".otf")), None)
    if source is None:
        pytest.skip("no TrueType font installed")
    target = tmp_path / "fonts" / source.name
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target


def test_font_coverage_is_read_from_disk_until_a_font_changes(
    tmp_path: Path, one_font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans: list[tuple[Path, ...]] = []
    real_scan = fonts._scan

    def counting_scan(paths: tuple[Path, ...]) -> frozenset[int]:
        scans.append(tuple(paths))
        return real_scan(paths)

    monkeypatch.setattr(fonts, "_scan", counting_scan)
    cache = tmp_path / "cache"
    first = fonts.coverage("test", (one_font,), cache)
    second = fonts.coverage("test", (one_font,), cache)
    assert ord("A") in first and first == second
    assert len(scans) == 1
    stat = one_font.stat()
    os.utime(one_font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert fonts.coverage("test", (one_font,), cache) == first
    assert len(scans) == 2


def test_damaged_coverage_cache_is_rebuilt(tmp_path: Path, one_font: Path) -> None:
    cache = tmp_path / "cache"
    expected = fonts.coverage("test", (one_font,), cache)
    stored = cache / "font-coverage-test.json"
    key = json.loads(stored.read_text())["key"]
    damaged = json.dumps({"key": key, "ranges": "oops"})
    for damage in (damaged, "not json", ""):
        stored.write_text(damage)
        assert fonts.coverage("test", (one_font,), cache) == expected
        assert json.loads(stored.read_text())["key"] == key


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDISCOVERY_CACHE_DIR", str(tmp_path / "c"))
    assert fonts.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("EDISCOVERY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert fonts.cache_dir() == tmp_path / "x" / "ediscovery"
