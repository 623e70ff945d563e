"""DER order of a time-stamp response's certificate set: only the order changes, never a byte
of what is signed, and what is not an RFC 3161 response is refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest
from cryptography import x509
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder, decode_timestamp_response

from ediscovery.archive.der import _der_order, sorted_sets

from .tsa import Tsa, running_tsa


@pytest.fixture(scope="module")
def chained() -> Iterator[Tsa]:
    """A TSA that sends its chain in issuing order, after answering one request as collect asks."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (CI installs it)")
    with running_tsa(chain=True) as tsa:
        built = TimestampRequestBuilder().data(b"receipt").hash_algorithm(HashAlgorithm.SHA256)
        query = built.nonce(nonce=True).cert_request(cert_request=True).build().as_bytes()
        httpx.post(tsa.url, content=query).raise_for_status()
        yield tsa


def test_the_sorted_copy_parses_and_differs_only_in_the_order_of_the_certificates(chained: Tsa) -> None:
    sent = chained.sent[0]
    fixed = sorted_sets(sent)
    assert fixed != sent and len(fixed) == len(sent) and sorted(fixed) == sorted(sent)
    response = decode_timestamp_response(fixed)
    names = {
        x509.load_der_x509_certificate(c).subject.rfc4514_string() for c in response.signed_data.certificates
    }
    assert names == {"CN=Test TSA", "CN=Test TSA intermediate", "CN=Test TSA root"}
    assert sorted_sets(fixed) == fixed  # already in order: unchanged


@pytest.mark.parametrize("cut", [1, 2, 10, 200, -1])
def test_a_truncated_response_is_refused(chained: Tsa, cut: int) -> None:
    with pytest.raises(ValueError):
        sorted_sets(chained.sent[0][:cut])


def test_what_is_not_a_time_stamp_response_is_refused() -> None:
    for data in (
        b"",
        b"\x30\x80\x00\x00",
        b"\x30\x03\x02\x01\x00\x00",
        b"\x04\x00",
        b"\x30\x05\x30\x00\x02\x01\x00",
    ):
        with pytest.raises(ValueError):
            sorted_sets(data)


def test_a_refusal_has_no_token_and_is_left_as_it_is() -> None:
    refusal = bytes.fromhex("30053003020102")  # TimeStampResp { status: rejection (2) }
    assert sorted_sets(refusal) == refusal


def test_der_order_pads_the_shorter_encoding_with_zero_octets() -> None:
    assert _der_order([b"\x02\x01", b"\x01\xff\xff", b"\x02"]) == [b"\x01\xff\xff", b"\x02", b"\x02\x01"]
