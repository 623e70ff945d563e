"""RFC 5987 file names are decoded exactly, however hostile, and never sanitized here."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediscovery.api import disposition_filename


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("attachment; filename*=utf-8''quarterly_report.pdf", "quarterly_report.pdf"),
        ("attachment; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.txt", "日本語.txt"),
        ("attachment; filename*=utf-8''..%2F..%2Fetc%2Fpasswd", "../../etc/passwd"),
        ("attachment; filename*=utf-8''a%3Bb%22c%5C.txt", 'a;b"c\\.txt'),
        ("attachment; filename*=utf-8''nul%00byte%0A.txt", "nul\x00byte\n.txt"),
        ("attachment; filename*=utf-8''CON", "CON"),
        ("attachment; filename*=iso-8859-1'en'caf%E9.txt", "café.txt"),
        ("attachment; filename*=utf-8''bad%FFbyte", "bad\ufffdbyte"),
        ('attachment; filename="plain name.txt"', "plain name.txt"),
        ("attachment; filename=\"fallback.txt\"; filename*=utf-8''%C3%A9.txt", "é.txt"),
        ("attachment", None),
        (None, None),
    ],
)
def test_disposition_filename(header: str | None, expected: str | None) -> None:
    assert disposition_filename(header) == expected


@given(st.text(min_size=1, max_size=200))
def test_any_name_round_trips_through_rfc5987(name: str) -> None:
    encoded = quote(name.encode("utf-8", "surrogatepass"), safe="")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be sent as UTF-8
    assert disposition_filename(f"attachment; filename*=utf-8''{encoded}") == name
