"""The shared ``--password-env`` reader: the password comes from the named variable only."""

from __future__ import annotations

import pytest

from ediscovery.cli.options import password_from_env
from ediscovery.errors import ConfigError


def test_no_variable_named_means_no_password() -> None:
    assert password_from_env(None) is None


def test_the_named_variable_holds_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASE_ARCHIVE_PW", "s3cret pass")
    assert password_from_env("CASE_ARCHIVE_PW") == "s3cret pass"


@pytest.mark.parametrize("value", [None, ""])
def test_an_unset_or_empty_variable_is_a_config_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("CASE_ARCHIVE_PW", raising=False)
    if value is not None:
        monkeypatch.setenv("CASE_ARCHIVE_PW", value)
    with pytest.raises(ConfigError) as caught:
        password_from_env("CASE_ARCHIVE_PW")
    assert caught.value.exit_code == 1
    assert str(caught.value) == (
        "Environment variable CASE_ARCHIVE_PW is not set or empty; it must hold the archive password."
    )
