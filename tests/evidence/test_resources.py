from __future__ import annotations

import pytest

from ediscovery import resources
from ediscovery.errors import EdiscoveryError


def test_shipped_folders_are_found() -> None:
    assert (resources.manifests_dir() / "manifest.schema.json").is_file()
    assert resources.templates_dir().is_dir()
    assert resources.schema_path("custody-event.schema.json").is_file()


@pytest.mark.parametrize("name", ["missing.schema.json", "../pyproject.toml", "", ".hidden"])
def test_missing_or_unsafe_schema_names_raise_a_clear_error(name: str) -> None:
    with pytest.raises(EdiscoveryError, match="schema"):
        resources.schema_path(name)


def test_a_missing_folder_says_where_it_looked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "_candidates", lambda name: [])
    with pytest.raises(EdiscoveryError, match="'templates' folder shipped with ediscovery is missing"):
        resources.templates_dir()
