"""Slip sheets: the one-page placeholder PDF of every document produced natively.

Owns the page that keeps page-level Bates numbering continuous for natives: "Produced
natively", file name, size, SHA-256, control number, legend, Bates stamp. Every slip sheet of
a production is laid out in one pass and written as one single-page PDF each.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ediscovery.produce.pdf import write_pages

_MAX_NAME = 240

_CSS = """
@page { size: Letter; margin: 0.6in; }
body { font-family: "Noto Sans", "Noto Sans CJK JP", sans-serif; font-size: 11pt; margin: 0;
       image-rendering: pixelated; }
section { height: 9.7in; position: relative; page-break-after: always; overflow: hidden; }
section:last-child { page-break-after: auto; }
h1 { font-size: 18pt; margin: 2in 0 0.3in 0; text-align: center; }
table { margin: 0 auto; border-collapse: collapse; max-width: 6.5in; }
th { text-align: right; padding: 3pt 8pt; vertical-align: top; white-space: nowrap; }
td { padding: 3pt 8pt; overflow-wrap: anywhere; font-family: "Noto Sans", "Noto Sans CJK JP", sans-serif; }
.stamp { position: absolute; bottom: 0; left: 0; right: 0; font-size: 9pt; }
.legend { float: left; } .bates { float: right; }
"""


@dataclass(frozen=True)
class SlipSheet:
    bates: str
    doctype: str
    filename: str
    size: int
    sha256: str
    native_path: str
    parent: str
    legend: str


def _section(slip: SlipSheet) -> str:
    name = slip.filename if len(slip.filename) <= _MAX_NAME else slip.filename[:_MAX_NAME] + "…"
    rows = [
        ("Document type", slip.doctype),
        ("File name", name),
        ("Size", f"{slip.size:,} bytes"),
        ("SHA-256", slip.sha256),
        ("Native file", slip.native_path),
        ("Family of", slip.parent),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows if v)
    return (
        f"<section><h1>Produced natively</h1><table>{cells}</table>"
        f'<div class="stamp"><span class="legend">{html.escape(slip.legend)}</span>'
        f'<span class="bates">{html.escape(slip.bates)}</span></div></section>'
    )


def slip_sheet_html(slips: Sequence[SlipSheet]) -> str:
    body = "".join(_section(s) for s in slips)
    head = f'<head><meta charset="utf-8"><style>{_CSS}</style></head>'
    return f'<!DOCTYPE html><html lang="en">{head}<body>{body}</body></html>'


def write_slip_sheets(slips: Sequence[SlipSheet], folder: Path) -> None:
    """Write ``<folder>/<bates>.pdf``, one single-page PDF per slip sheet."""
    if slips:
        write_pages(slip_sheet_html(slips), [folder / f"{slip.bates}.pdf" for slip in slips])
