"""A PDF/A-3B conformance check, written from ISO 19005-3 for the rules a transcript can break.

veraPDF cannot be installed here, so this checks, with pypdf, the clauses that apply to what
WeasyPrint writes (clause numbers of ISO 19005-2/-3, which share them):

* 6.1.3  the trailer has an ``/ID``; the file is not encrypted (no ``/Encrypt``);
* 6.2.2  an ``/OutputIntents`` entry of subtype ``/GTS_PDFA1`` with an embedded ICC profile;
* 6.2.4.4 / 6.2.8  images: no ``/Interpolate true``, no ``/Alternates``, no ``/OPI``;
* 6.2.10 transparency: blend modes are the standard ones, no transfer functions (``/TR``,
  ``/TR2`` other than ``/Default``), soft masks only as ``/None`` or a mask dictionary;
* 6.2.11 fonts: every font but Type 3 is embedded (``/FontFile``, ``/FontFile2`` or
  ``/FontFile3``), and (6.2.11.7, required for searchable text) has a ``/ToUnicode`` map;
* 6.5-6.6 no ``/JavaScript``, no ``/Launch``, ``/ImportData``, ``/ResetForm`` actions, no
  additional-actions (``/AA``) on the catalogue or pages; annotations have the print flag and
  are not hidden;
* 6.6.2  XMP metadata in the catalogue identifies the file as ``pdfaid:part`` 3,
  ``pdfaid:conformance`` B;
* 6.8   an embedded file's specification has ``/F``, ``/UF`` and ``/AFRelationship``, and its
  stream a ``/Subtype`` (MIME type).

:func:`problems` returns every violation found, as text naming the clause and the object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

STANDARD_BLEND_MODES = {
    "/Normal", "/Compatible", "/Multiply", "/Screen", "/Overlay", "/Darken", "/Lighten", "/ColorDodge",
    "/ColorBurn", "/HardLight", "/SoftLight", "/Difference", "/Exclusion", "/Hue", "/Saturation",
    "/Color", "/Luminosity",
}  # fmt: skip
FORBIDDEN_ACTIONS = {"/Launch", "/Sound", "/Movie", "/ResetForm", "/ImportData", "/JavaScript", "/Hide"}
PRINT_FLAG, HIDDEN_FLAG, INVISIBLE_FLAG, NOVIEW_FLAG = 4, 2, 1, 32


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def problems(path: Path) -> list[str]:
    """Every PDF/A-3B violation of ``path`` this check knows (empty: conforms)."""
    reader = PdfReader(path)
    found: list[str] = []
    if reader.is_encrypted:
        return ["6.1.3: the file is encrypted"]
    trailer = reader.trailer
    ident = _resolve(trailer.get("/ID"))
    if not isinstance(ident, ArrayObject) or len(ident) != 2:
        found.append("6.1.3: the trailer has no /ID of two strings")
    root = _resolve(trailer["/Root"])
    found += _catalogue(root)
    seen: set[int] = set()
    for number, page in enumerate(reader.pages, start=1):
        where = f"page {number}"
        if "/AA" in page:
            found.append(f"6.5.2: {where} has additional actions (/AA)")
        found += _resources(_resolve(page.get("/Resources")), where, seen)
        for annotation in _resolve(page.get("/Annots")) or []:
            found += _annotation(_resolve(annotation), where, seen)
    return found


def _catalogue(root: DictionaryObject) -> list[str]:
    found: list[str] = []
    for key in ("/AA", "/OpenAction"):
        action = _resolve(root.get(key))
        if key == "/AA" and action is not None:
            found.append("6.5.2: the catalogue has additional actions (/AA)")
        elif isinstance(action, DictionaryObject) and action.get("/S") in FORBIDDEN_ACTIONS:
            found.append(f"6.5.1: the catalogue opens with a {action.get('/S')} action")
    names = _resolve(root.get("/Names")) or {}
    if "/JavaScript" in names:
        found.append("6.5.1: the name tree has /JavaScript")
    found += _xmp(root)
    found += _output_intents(root)
    found += _embedded_files(names)
    return found


def _xmp(root: DictionaryObject) -> list[str]:
    metadata = _resolve(root.get("/Metadata"))
    if metadata is None:
        return ["6.6.2.1: the catalogue has no XMP /Metadata stream"]
    xmp = metadata.get_data().decode("utf-8", errors="replace")
    part = re.search(r"pdfaid:part(?:=\"|>)\s*(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:=\"|>)\s*([A-Za-z])", xmp)
    found = []
    if part is None or part.group(1) != "3":
        found.append(f"6.6.4: XMP pdfaid:part is {part.group(1) if part else 'absent'}, not 3")
    if conformance is None or conformance.group(1).upper() != "B":
        found.append(f"6.6.4: XMP pdfaid:conformance is {conformance.group(1) if conformance else 'absent'}")
    return found


def _output_intents(root: DictionaryObject) -> list[str]:
    intents = [_resolve(i) for i in _resolve(root.get("/OutputIntents")) or []]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        return ["6.2.2: no /OutputIntents entry of subtype /GTS_PDFA1"]
    profile = _resolve(pdfa[0].get("/DestOutputProfile"))
    if profile is None or not profile.get_data():
        return ["6.2.2: the PDF/A output intent has no embedded ICC profile (/DestOutputProfile)"]
    return []


def _embedded_files(names: Any) -> list[str]:
    tree = _resolve(names.get("/EmbeddedFiles")) if names else None
    if tree is None:
        return []
    found = []
    pairs = list(_resolve(tree.get("/Names")) or [])
    for label, spec in zip(pairs[::2], pairs[1::2], strict=False):
        spec = _resolve(spec)
        found += [
            f"6.8: embedded file {label} has no {k}"
            for k in ("/F", "/UF", "/AFRelationship")
            if k not in spec
        ]
        stream = _resolve(_resolve(spec.get("/EF") or {}).get("/F"))
        if stream is not None and "/Subtype" not in stream:
            found.append(f"6.8: embedded file {label} has no MIME /Subtype")
    return found


def _annotation(annotation: DictionaryObject, where: str, seen: set[int]) -> list[str]:
    found = []
    flags = int(annotation.get("/F", 0))
    kind = annotation.get("/Subtype")
    if kind != "/Popup" and (not flags & PRINT_FLAG or flags & (HIDDEN_FLAG | INVISIBLE_FLAG | NOVIEW_FLAG)):
        found.append(f"6.3.2: a {kind} annotation on {where} is not printed or is hidden (/F {flags})")
    action = _resolve(annotation.get("/A"))
    if isinstance(action, DictionaryObject) and action.get("/S") in FORBIDDEN_ACTIONS:
        found.append(f"6.5.1: a {kind} annotation on {where} has a {action.get('/S')} action")
    appearance = _resolve(annotation.get("/AP")) or {}
    for state in appearance.values():
        stream = _resolve(state)
        if hasattr(stream, "get") and "/Resources" in stream:
            found += _resources(_resolve(stream["/Resources"]), f"an annotation on {where}", seen)
    return found


def _resources(resources: Any, where: str, seen: set[int]) -> list[str]:
    if not isinstance(resources, DictionaryObject):
        return []
    found: list[str] = []
    for name, font in (_resolve(resources.get("/Font")) or {}).items():
        found += _font(_resolve(font), f"font {name} on {where}")
    for name, state in (_resolve(resources.get("/ExtGState")) or {}).items():
        found += _graphics_state(_resolve(state), f"graphics state {name} on {where}")
    for name, xobject in _xobjects(resources):
        key = id(xobject)
        if key in seen:
            continue
        seen.add(key)
        found += _xobject(xobject, f"XObject {name} on {where}", seen)
    for name, pattern in (_resolve(resources.get("/Pattern")) or {}).items():
        pattern = _resolve(pattern)
        if hasattr(pattern, "get") and "/Resources" in pattern:
            found += _resources(_resolve(pattern["/Resources"]), f"pattern {name} on {where}", seen)
    return found


def _xobjects(resources: DictionaryObject) -> Iterator[tuple[str, Any]]:
    for name, xobject in (_resolve(resources.get("/XObject")) or {}).items():
        yield str(name), _resolve(xobject)


def _xobject(xobject: Any, where: str, seen: set[int]) -> list[str]:
    found = []
    if xobject.get("/Subtype") == "/Image":
        flag = xobject.get("/Interpolate")
        if getattr(flag, "value", flag) is True:  # pypdf's BooleanObject(False) is truthy
            found.append(f"6.2.8: image {where} has /Interpolate true")
        found += [f"6.2.8: image {where} has {key}" for key in ("/Alternates", "/OPI") if key in xobject]
        mask = _resolve(xobject.get("/SMask"))
        if mask is not None:
            found += _xobject(mask, f"soft mask of {where}", seen)
    elif xobject.get("/Subtype") == "/Form":
        if "/OPI" in xobject or "/PS" in xobject or xobject.get("/Subtype2") == "/PS":
            found.append(f"6.2.9: form {where} has PostScript or OPI")
        found += _resources(_resolve(xobject.get("/Resources")), where, seen)
    return found


def _graphics_state(state: DictionaryObject, where: str) -> list[str]:
    found = []
    blend = state.get("/BM")
    modes = list(blend) if isinstance(blend, ArrayObject) else [blend] if blend is not None else []
    found += [f"6.2.10: {where} uses blend mode {mode}" for mode in modes if mode not in STANDARD_BLEND_MODES]
    if "/TR" in state:
        found.append(f"6.2.5: {where} has a transfer function (/TR)")
    if state.get("/TR2", "/Default") != "/Default":
        found.append(f"6.2.5: {where} has /TR2 other than /Default")
    mask = _resolve(state.get("/SMask"))
    if mask is not None and mask != "/None" and not isinstance(mask, DictionaryObject):
        found.append(f"6.2.10: {where} has an unusable /SMask")
    return found


def _font(font: DictionaryObject, where: str) -> list[str]:
    kind = font.get("/Subtype")
    if kind == "/Type3":
        return [] if "/ToUnicode" in font else [f"6.2.11.7: {where} (Type 3) has no /ToUnicode map"]
    found = []
    described = font
    if kind == "/Type0":
        descendants = _resolve(font.get("/DescendantFonts")) or []
        described = _resolve(descendants[0]) if descendants else font
    descriptor = _resolve(described.get("/FontDescriptor"))
    if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        found.append(f"6.2.11.4: {where} ({font.get('/BaseFont')}) is not embedded")
    if "/ToUnicode" not in font:
        found.append(f"6.2.11.7: {where} ({font.get('/BaseFont')}) has no /ToUnicode map")
    return found


def every_pdf(folder: Path) -> list[Path]:
    """Every PDF under ``folder``."""
    return sorted(folder.rglob("*.pdf"))
