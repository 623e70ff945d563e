"""Templates: the Jinja2 environment that turns document contexts into transcript HTML.

Autoescaping is always on; chat text reaches a template either as a plain string (escaped)
or as :class:`markupsafe.Markup` produced by :mod:`ediscovery.render.markup`. Values placed
in CSS strings (legend, matter, custodian in the page margins) go through :func:`css_string`.
A stylesheet inlined in a ``<style>`` element must come from :func:`stylesheet`: autoescaping a
plain string there turns ``"Noto Sans"`` into ``&#34;Noto Sans&#34;`` and WeasyPrint drops the rule.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ediscovery.errors import RenderError
from ediscovery.evidence.canonical import printable
from ediscovery.render.markup import markdown_html
from ediscovery.resources import templates_dir


def templates_root() -> Path:
    """The shipped ``templates/`` folder, resolved (the safe fetcher compares real paths)."""
    root = templates_dir().resolve()
    if not (root / "transcript").is_dir():
        raise RenderError(
            f"The transcript templates shipped with ediscovery are missing from {root}.",
            hint="Reinstall ediscovery; a wheel must include its templates.",
        )
    return root


def css_string(value: object) -> Markup:
    """A quoted CSS string with every character outside [A-Za-z0-9 ] hex-escaped (safe in <style>)."""
    out = []
    for char in str(value):
        if char.isascii() and (char.isalnum() or char == " "):
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x} ")  # the space ends the escape
    return Markup('"' + "".join(out) + '"')


def stylesheet(name: str) -> Markup:
    """The CSS file ``name`` (relative to ``templates/``) ready for a ``<style>`` element.

    CSS comes only from our own files, never from chat content; it is returned as Markup so
    autoescaping leaves its quotes alone. A file that could close the element is refused.
    """
    root = templates_root()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or path.suffix != ".css" or not path.is_file():
        raise RenderError(f"No stylesheet {name!r} under {root}.")
    text = path.read_text(encoding="utf-8")
    if "</" in text:
        raise RenderError(f"Stylesheet {name!r} contains '</', which would end its <style> element.")
    return Markup(text)


def human_size(value: object) -> str:
    """``1.5 MiB (1572864 bytes)``; empty for unknown sizes."""
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    size = float(value)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{value} bytes" if unit == "bytes" else f"{size:.1f} {unit} ({value} bytes)"
        size /= 1024
    return f"{value} bytes"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared environment (autoescape on, undefined values are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_root())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["markdown"] = markdown_html
    env.filters["human_size"] = human_size
    env.globals["stylesheet"] = stylesheet
    return env


def render_template(name: str, context: dict[str, Any]) -> str:
    """The HTML of template ``name`` with ``context``; streamed internally, returned whole."""
    template = environment().get_template(name)
    return printable("".join(template.generate(context)))
