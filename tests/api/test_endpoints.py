"""The endpoint table is the one place paths come from, and the sandbox serves every entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from ediscovery.api.endpoints import ENDPOINTS, path
from ediscovery.errors import ResponseFormatError
from ediscovery.sandbox.app import ENDPOINTS as SERVED
from ediscovery.sandbox.routing import SCOPES, match

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_sandbox_serves_every_endpoint_of_the_table_with_its_scope(name: str) -> None:
    template = ENDPOINTS[name].template
    found = match(SERVED, "GET", path(name, *["x_1"] * template.count("{}")))
    assert found is not None, f"the sandbox has no GET {template}"
    assert ENDPOINTS[name].scope in SCOPES[found[0].scope]


def test_an_id_is_one_segment_and_an_unusable_one_is_refused() -> None:
    assert path("chat_messages", "a/b?c") == "/v1/compliance/apps/chats/a%2Fb%3Fc/messages"
    for bad in ("", ".", ".."):
        with pytest.raises(ResponseFormatError):
            path("file", bad)


def test_no_compliance_path_is_written_outside_api_and_sandbox() -> None:
    package = ROOT / "ediscovery"
    found = [
        str(p.relative_to(ROOT))
        for p in package.rglob("*.py")
        if p.parent.name not in ("api", "sandbox") and "/v1/compliance" in p.read_text(encoding="utf-8")
    ]
    assert found == []
