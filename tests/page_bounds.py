"""Nothing in a PDF may leave its page: every word's box (as poppler's pdftotext finds it) lies
inside the page's media box."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="(-?[\d.]+)" yMin="(-?[\d.]+)" xMax="(-?[\d.]+)" yMax="(-?[\d.]+)">(.*?)</word>'
)
TOLERANCE = 0.5  # points


def words_off_page(pdf: Path) -> list[str]:
    """``page N: 'word' at x..x`` for every word whose box is not inside its page."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    found = []
    for number, (width, height, body) in enumerate(_PAGE.findall(done.stdout), start=1):
        w, h = float(width), float(height)
        for x0, y0, x1, y1, word in _WORD.findall(body):
            if (
                float(x0) < -TOLERANCE
                or float(y0) < -TOLERANCE
                or float(x1) > w + TOLERANCE
                or float(y1) > h + TOLERANCE
            ):
                found.append(f"page {number}: {html.unescape(word)!r} at x {x0}..{x1} of {w}")
    return found
