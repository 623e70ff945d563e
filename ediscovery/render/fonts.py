"""Fonts: which characters the installed fonts can draw, so no glyph is silently a box.

The transcript stylesheet asks for the Noto families; Pango falls back to any font that
fontconfig knows. Coverage is checked with the charsets fontconfig reads from the cmaps
(``fc-query``) first of the stylesheet's families, then -- only for characters those lack --
of every font fontconfig lists. Each coverage set is kept per process and on
disk (``$EDISCOVERY_CACHE_DIR``, else ``$XDG_CACHE_HOME/ediscovery`` or ``~/.cache/ediscovery``)
under a key made of every font file's path, size and modification time: installing or
removing a font changes the key and the set is read again. Characters no font covers are
reported per document as render warnings instead of turning into boxes unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ediscovery.evidence.store import replacing

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


def _charset(text: str) -> set[int]:
    """Code points of a fontconfig charset (``20-7e a0 …``, hex ranges separated by spaces)."""
    points: set[int] = set()
    for part in text.split():
        low, _, high = part.partition("-")
        try:
            points.update(range(int(low, 16), int(high or low, 16) + 1))
        except ValueError:
            logger.debug("Ignoring an unreadable charset range %r", part)
    return points


def _scan(paths: Iterable[Path]) -> frozenset[int]:
    """The code points the font files ``paths`` map, as fontconfig reads them (the same cmaps
    Pango falls back on), in one ``fc-query`` call: seconds and hundreds of MB less than
    parsing the font tables in Python."""
    files = [str(path) for path in paths]
    exe = shutil.which("fc-query")
    if exe is None or not files:
        return frozenset()
    done = subprocess.run(
        [exe, "--format", "%{charset}\n", *files], capture_output=True, text=True, check=False, timeout=120
    )
    covered: set[int] = set()
    for line in done.stdout.splitlines():
        covered |= _charset(line)
    return frozenset(covered)


def cache_dir() -> Path:
    """Where coverage sets are kept between runs."""
    explicit = os.environ.get("EDISCOVERY_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ediscovery"


def _key(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256(b"fontconfig charset\n")
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _ranges(points: frozenset[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for point in sorted(points):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return ranges


def _load(path: Path, key: str) -> frozenset[int] | None:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        if data.get("key") != key:
            return None
        return frozenset(p for low, high in data["ranges"] for p in range(int(low), int(high) + 1))
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _save(path: Path, key: str, points: frozenset[int]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "ranges": _ranges(points)}, handle, separators=(",", ":"))
    except OSError as exc:  # a read-only home must not stop rendering
        logger.debug("Cannot cache font coverage in %s: %s", path, exc)


def coverage(name: str, paths: tuple[Path, ...], directory: Path | None = None) -> frozenset[int]:
    """Code points the fonts ``paths`` cover, from the disk cache when the fonts are unchanged."""
    key = _key(paths)
    cached = (directory or cache_dir()) / f"font-coverage-{name}.json"
    points = _load(cached, key)
    if points is None:
        points = _scan(paths)
        _save(cached, key, points)
    return points


@lru_cache(maxsize=1)
def stack_coverage() -> frozenset[int]:
    """Code points the stylesheet's own families cover (cached per process and on disk)."""
    return coverage("stack", stack_files())


@lru_cache(maxsize=1)
def installed_coverage() -> frozenset[int]:
    """Code points at least one installed font has a glyph for (cached per process and on disk)."""
    return coverage("installed", font_files())


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


_UNNAMED = {"Co": "(private use)", "Cn": "(unassigned)", "Cs": "(surrogate)"}


def describe_char(char: str) -> str:
    """``U+1F600 GRINNING FACE`` (or ``U+E000 (private use)``) for a warning."""
    category = unicodedata.category(char)
    return f"U+{ord(char):04X} {unicodedata.name(char, '') or _UNNAMED.get(category, '(unnamed)')}"
