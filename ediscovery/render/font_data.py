"""Font data: the engine reads a font file's bytes only when it writes them.

WeasyPrint copies the whole font file into memory for every font a document uses, as soon as
the font is first met, although with HarfBuzz subsetting those bytes are replaced by the
subset before anything reads them. The fallback fonts transcripts need for Chinese, Japanese
and Korean text and for emoji are collections of 10 to 19 MB each, so every run of a chat
that holds one such character copied 20 to 50 MB and read every page of the files, in each
layout process at once.

:func:`defer_font_data` makes that copy lazy: the face is kept, and its bytes are read the
first time the engine asks for them (an unsubset font, a variable or colour font's rework);
a subset's bytes are likewise read when the font is written. What is written is the same bytes
(``tests/render/test_font_data.py``). It changes WeasyPrint only where its ``Font`` reads the
face in the expected way, and otherwise leaves the engine as it is.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

logger = logging.getLogger(__name__)

_EAGER_READ = "self.file_content = get_hb_object_data(self.hb_face)"


class _FaceData:
    """A HarfBuzz face whose bytes have not been read yet; truthy when it has any."""

    __slots__ = ("face",)

    def __init__(self, face: Any) -> None:
        self.face = face

    def __bool__(self) -> bool:
        from weasyprint.text.ffi import harfbuzz

        blob = harfbuzz.hb_face_reference_blob(self.face)
        try:
            return bool(harfbuzz.hb_blob_get_length(blob))
        finally:
            harfbuzz.hb_blob_destroy(blob)


class _FileContent:
    """``Font.file_content``: reads a deferred face's bytes on first use and keeps them."""

    def __init__(self, read: Any) -> None:
        self.read = read

    def __get__(self, font: Any, owner: type | None = None) -> Any:
        if font is None:
            return self
        value = font.__dict__["_file_content"]
        if isinstance(value, _FaceData):
            value = font.__dict__["_file_content"] = self.read(value.face)
        return value

    def __set__(self, font: Any, value: Any) -> None:
        font.__dict__["_file_content"] = value


def defer_font_data() -> bool:
    """Make the engine's font bytes lazy (once per process); False where its ``Font`` is not the
    expected one, and nothing is changed."""
    from weasyprint.pdf import fonts

    if isinstance(fonts.Font.__dict__.get("file_content"), _FileContent):
        return True
    try:
        expected = _EAGER_READ in inspect.getsource(fonts.Font.__init__)
    except (OSError, TypeError):
        expected = False
    if not expected or not callable(getattr(fonts, "get_hb_object_data", None)):
        logger.debug("WeasyPrint's fonts are not the expected ones: font data stays eager")
        return False
    read = fonts.get_hb_object_data

    def face_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is None and glyph is None:
            return _FaceData(hb_object)
        return read(hb_object, ot_color, glyph)

    fonts.get_hb_object_data = face_data
    fonts.Font.file_content = _FileContent(read)
    return True
