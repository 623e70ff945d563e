"""Resources: where the shipped ``templates/`` and ``manifests/`` folders are.

They live at the top of the repository; ``ediscovery/_data/<name>`` links to them, so a wheel
carries them inside the package and a checkout or editable install finds them the same way.
A missing folder is an installation problem and raises a clear :class:`EdiscoveryError`.
"""

from __future__ import annotations

from pathlib import Path

from ediscovery.errors import EdiscoveryError

_PACKAGE = Path(__file__).resolve().parent


def _candidates(name: str) -> list[Path]:
    return [_PACKAGE / "_data" / name, _PACKAGE.parent / name]


def resource_dir(name: str) -> Path:
    """The first existing shipped folder called ``name``."""
    for candidate in _candidates(name):
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(path) for path in _candidates(name))
    raise EdiscoveryError(
        f"The {name!r} folder shipped with ediscovery is missing (looked in {searched}).",
        hint="Reinstall ediscovery; a wheel must include its data files.",
    )


def templates_dir() -> Path:
    """The folder of Jinja2 templates and CSS."""
    return resource_dir("templates")


def manifests_dir() -> Path:
    """The folder of JSON Schemas and the BagIt profile."""
    return resource_dir("manifests")


def schema_path(name: str) -> Path:
    """The path of one file in ``manifests/`` (e.g. ``manifest.schema.json``)."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise EdiscoveryError(f"Invalid schema name {name!r}.")
    path = manifests_dir() / name
    if not path.is_file():
        raise EdiscoveryError(
            f"Schema {name!r} is missing from {path.parent}.",
            hint="Reinstall ediscovery; a wheel must include its data files.",
        )
    return path
