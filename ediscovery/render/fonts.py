"""Fonts: which characters the installed fonts can draw, so no glyph is silently a box.

The transcript stylesheet asks for the Noto families; Pango falls back to any font that
fontconfig knows. Coverage is checked with the cmaps (read with fontTools) first of the
stylesheet's families, then -- only for characters those lack -- of every font fontconfig
lists; both are computed once per process. Characters no font covers are reported as
render warnings instead of turning into missing-glyph boxes unnoticed.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

logger = logging.getLogger(__name__)

# Characters that are not drawn as glyphs (controls, format marks, variation selectors).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Mn", "Me"})


def font_files() -> tuple[Path, ...]:
    """Every font file fontconfig knows, sorted; empty when ``fc-list`` is unavailable."""
    exe = shutil.which("fc-list")
    if exe is None:
        return ()
    done = subprocess.run(
        [exe, "--format", "%{file}\n"], capture_output=True, text=True, check=False, timeout=60
    )
    return tuple(sorted({Path(line) for line in done.stdout.splitlines() if line.strip()}))


STACK = (
    "Noto Sans",
    "Noto Sans Mono",
    "Noto Sans CJK SC",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Math",
    "Noto Sans Symbols",
    "Noto Sans Symbols 2",
    "Noto Color Emoji",
    "DejaVu Sans",
)


def stack_files() -> tuple[Path, ...]:
    """The files fontconfig picks for the stylesheet's font families."""
    exe = shutil.which("fc-match")
    if exe is None:
        return ()
    found = set()
    for family in STACK:
        done = subprocess.run(
            [exe, "-f", "%{file}", family], capture_output=True, text=True, check=False, timeout=60
        )
        if done.stdout.strip():
            found.add(Path(done.stdout.strip()))
    return tuple(sorted(found))


def _cmaps(path: Path) -> Iterable[dict[int, str]]:
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = list(TTCollection(str(path), lazy=True).fonts)
        else:
            fonts = [TTFont(str(path), lazy=True)]
        for font in fonts:
            yield font.getBestCmap() or {}
    except Exception as exc:  # a broken font file must not stop rendering
        logger.debug("Cannot read cmap of %s: %s", path, exc)


def _coverage(paths: Iterable[Path]) -> frozenset[int]:
    covered: set[int] = set()
    for path in paths:
        for cmap in _cmaps(path):
            covered.update(cmap)
    return frozenset(covered)


@lru_cache(maxsize=1)
def stack_coverage() -> frozenset[int]:
    """Code points the stylesheet's own families cover (cached per process)."""
    return _coverage(stack_files())


@lru_cache(maxsize=1)
def installed_coverage() -> frozenset[int]:
    """Code points at least one installed font has a glyph for (cached per process)."""
    return _coverage(font_files())


def needs_glyph(char: str) -> bool:
    """True for characters a reader expects to see drawn."""
    return not char.isspace() and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def missing_glyphs(chars: Iterable[str], coverage: frozenset[int] | None = None) -> list[str]:
    """The characters of ``chars`` (sorted, distinct) that no installed font covers."""
    wanted = sorted({c for c in chars if ord(c) > 0x7E and needs_glyph(c)})
    if not wanted:
        return []
    if coverage is not None:
        return [c for c in wanted if ord(c) not in coverage]
    rest = [c for c in wanted if ord(c) not in stack_coverage()]
    if not rest:
        return []
    everything = installed_coverage()
    return [c for c in rest if ord(c) not in everything]


def describe_char(char: str) -> str:
    """``U+1F600 GRINNING FACE`` for a warning."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')}"
