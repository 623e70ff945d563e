"""The collector reaches the API only through the client's public methods."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ediscovery"


def _sources_outside_the_client() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if p.parent.name not in ("api", "sandbox")]


def test_no_module_outside_the_client_touches_its_private_session() -> None:
    offenders = [str(p) for p in _sources_outside_the_client() if "._session" in p.read_text()]
    assert offenders == []
