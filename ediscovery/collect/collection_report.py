"""The human-readable collection report (``reports/collection-report.html`` and ``.pdf``).

Owns what counsel attaches to a declaration: the run's parameters, the same per-custodian
numbers as ``summary.csv``, errors and limitations, a summary of the custody log (event
counts, first and last hash, whether the chain links) and the archive hash when known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ediscovery.evidence.derived import write_text_durably
from ediscovery.evidence.digest import sha256_file
from ediscovery.render.templates import stylesheet
from ediscovery.resources import templates_dir

TEMPLATE = "collection-report.html.j2"
STYLESHEET = "collection-report.css"


def template_dir() -> Path:
    """``templates/report`` of the installation (see :mod:`ediscovery.resources`)."""
    return templates_dir() / "report"


@dataclass
class CustodySummary:
    total: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    first_hash: str = ""
    last_hash: str = ""
    linked: bool = True
    problem: str = ""


def summarize_custody(path: Path) -> CustodySummary:
    """Count events per action and check each ``prev_hash`` links to the previous ``hash``."""
    summary = CustodySummary()
    if not path.is_file():
        summary.linked, summary.problem = False, "custody.jsonl is missing"
        return summary
    previous = "0" * 64
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            event = json.loads(line)
            summary.total += 1
            action = str(event.get("action"))
            summary.actions[action] = summary.actions.get(action, 0) + 1
            summary.first_hash = summary.first_hash or str(event.get("hash"))
            summary.last_hash = str(event.get("hash"))
            if summary.linked and event.get("prev_hash") != previous:
                summary.linked, summary.problem = False, f"line {number} does not link to line {number - 1}"
            previous = str(event.get("hash"))
    return summary


def render_html(
    manifest: Mapping[str, Any],
    summary: Sequence[Mapping[str, str]],
    problems: Sequence[Mapping[str, str]],
    custody: CustodySummary,
    *,
    manifest_sha256: str,
    archive_info: Mapping[str, Any] | None,
) -> str:
    from ediscovery.verify.corroboration import corroboration_of, verdict

    directory = template_dir()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory), autoescape=True, undefined=jinja2.ChainableUndefined
    )
    corroboration = corroboration_of(manifest)
    return env.get_template(TEMPLATE).render(
        corroboration=corroboration,
        corroboration_verdict=verdict(corroboration) if corroboration else "",
        m=manifest,
        summary=summary,
        problems=problems,
        custody=custody,
        manifest_sha256=manifest_sha256,
        archive=dict(archive_info or {}),
        css=stylesheet(f"report/{STYLESHEET}"),
    )


def write_collection_report(
    bag_root: Path,
    manifest: Mapping[str, Any],
    summary: Sequence[Mapping[str, str]],
    problems: Sequence[Mapping[str, str]],
    *,
    archive_info: Mapping[str, Any] | None = None,
) -> list[str]:
    """Write the HTML and PDF report; return their bag-relative paths."""
    manifest_path = bag_root / "manifest.json"
    digest = sha256_file(manifest_path) if manifest_path.is_file() else ""
    html = render_html(
        manifest,
        summary,
        problems,
        summarize_custody(bag_root / "custody.jsonl"),
        manifest_sha256=digest,
        archive_info=archive_info,
    )
    write_text_durably(bag_root / "reports" / "collection-report.html", html)
    from ediscovery.render.pdf import render_html_to_pdf

    render_html_to_pdf(html, bag_root / "reports" / "collection-report.pdf")
    return ["reports/collection-report.html", "reports/collection-report.pdf"]
