"""Font files are read only as far as the PDF needs them, and the PDF is the same bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from weasyprint.pdf import fonts as engine_fonts

from ediscovery.render import font_data
from ediscovery.render.pdf import draw, layout_html

# Latin, CJK (a collection font of many MB), emoji (a colour font) and monospace.
HTML = "<p>Plain text, <b>漢字 かな 한글</b>, 😀 and <code>code()</code>.</p>" * 3


def _drawn(reads: list[int], monkeypatch: pytest.MonkeyPatch, *, lazy: bool) -> bytes:
    """The PDF of :data:`HTML`; ``reads`` gets the size of every whole-face read."""
    descriptor = engine_fonts.Font.__dict__["file_content"]
    original: Callable[..., Any] = descriptor.read

    def counted(hb_object: Any, *args: Any) -> Any:
        data = original(hb_object, *args)
        if not args:
            reads.append(len(data or b""))
        return data

    if lazy:
        monkeypatch.setattr(descriptor, "read", counted)
    else:  # the engine as it is without font_data
        monkeypatch.delattr(engine_fonts.Font, "file_content")
        monkeypatch.setattr(engine_fonts, "get_hb_object_data", counted)
    out = io.BytesIO()
    draw(layout_html(HTML), out, identifier=b"0" * 32)
    monkeypatch.undo()
    return out.getvalue()


def test_fonts_are_read_only_as_subsets_and_the_pdf_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    assert font_data.defer_font_data()  # installed by ediscovery.render.pdf
    lazy_reads: list[int] = []
    eager_reads: list[int] = []
    lazy = _drawn(lazy_reads, monkeypatch, lazy=True)
    eager = _drawn(eager_reads, monkeypatch, lazy=False)
    assert lazy == eager
    # The engine alone copies each whole font file (the CJK collection is over 10 MB) ...
    assert max(eager_reads) > 10_000_000, eager_reads
    # ... deferred, only the subsets written into the PDF are read.
    assert lazy_reads and sum(lazy_reads) < max(eager_reads) / 10, lazy_reads


def test_an_engine_of_another_shape_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    descriptor = engine_fonts.Font.__dict__["file_content"]
    monkeypatch.delattr(engine_fonts.Font, "file_content")
    monkeypatch.setattr(engine_fonts, "get_hb_object_data", descriptor.read)
    monkeypatch.setattr(font_data, "_EAGER_READ", "self.file_content = read_the_face_another_way()")
    assert font_data.defer_font_data() is False
    assert engine_fonts.get_hb_object_data is descriptor.read
    assert "file_content" not in engine_fonts.Font.__dict__
