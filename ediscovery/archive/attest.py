"""Attestation of a sealed archive's receipt: an RFC 3161 time-stamp and a signature.

Both cover the receipt's exact bytes, and the receipt names the archive's SHA-256, the bag's
manifests, the records' Merkle root and the custody chain's head: a bag rewritten and
re-chained, with a new receipt, no longer matches either. Beside ``x.7z.receipt.json``:

* ``x.7z.receipt.json.tsr`` — the Time-Stamp Authority's response (DER ``TimeStampResp``, RFC 3161)
  over the receipt's SHA-256, from the TSA the user named (nothing is contacted otherwise);
  ``openssl ts -verify -data x.7z.receipt.json -in x.7z.receipt.json.tsr -CAfile tsa-root.pem``
  checks it.
* ``x.7z.receipt.json.sig`` — the signature of the receipt's bytes with the user's PEM key (Ed25519;
  ECDSA or RSA PKCS#1 v1.5 over SHA-256, as ``openssl dgst -sha256 -sign`` makes), and
  ``x.7z.receipt.json.sig.pem`` — the signer's certificate (when given) or public key, which
  ``openssl dgst -sha256 -verify`` takes.

Checking returns typed problems (``verify.problems``); what could not be checked without a
trust anchor is said, never passed silently.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from ediscovery.archive.attestation import Attestation, signature_path, signer_path, token_path
from ediscovery.archive.der import sorted_sets
from ediscovery.errors import AttestationError, ConfigError, EdiscoveryError
from ediscovery.evidence.store import atomic_write

MAX_RESPONSE = 1 << 20


def timestamp_receipt(
    receipt: Path, tsa_url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
) -> datetime:
    """Ask the TSA at ``tsa_url`` to time-stamp the receipt; store the token; return its time."""
    request = TimestampRequestBuilder().data(receipt.read_bytes()).hash_algorithm(HashAlgorithm.SHA256)
    built = request.nonce(nonce=True).cert_request(cert_request=True).build()
    headers = {"content-type": "application/timestamp-query", "accept": "application/timestamp-reply"}
    try:
        with httpx.Client(timeout=timeout, transport=transport) as client:
            status, content = _bounded_post(client, tsa_url, built.as_bytes(), headers, timeout)
    except httpx.HTTPError as exc:
        raise AttestationError(f"The Time-Stamp Authority at {tsa_url} could not be reached: {exc}.") from exc
    if status != 200:
        raise AttestationError(f"The Time-Stamp Authority at {tsa_url} answered HTTP {status}.")
    try:
        response = decode_timestamp_response(sorted_sets(content))
    except ValueError as exc:
        raise AttestationError(
            f"The Time-Stamp Authority at {tsa_url} sent no time-stamp response: {exc}."
        ) from exc
    if PKIStatus(response.status) not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise AttestationError(f"The Time-Stamp Authority refused the request: {response.status_string}.")
    if response.tst_info.nonce != built.nonce or response.tst_info.message_imprint.message != _digest(
        receipt
    ):
        raise AttestationError(
            "The Time-Stamp Authority's token is not for this request (nonce or hash differ)."
        )
    atomic_write(token_path(receipt), content)  # as the TSA sent it
    return response.tst_info.gen_time


def _bounded_post(
    client: httpx.Client, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    """POST ``body``; the status and the answer, read as it streams: an answer over
    :data:`MAX_RESPONSE` bytes, or one still arriving after ``timeout`` seconds, is an
    AttestationError, never held in memory or waited on without end."""
    deadline = time.monotonic() + timeout
    with client.stream("POST", url, content=body, headers=headers) as answer:
        chunks, size = [], 0
        for chunk in answer.iter_bytes():
            size += len(chunk)
            if size > MAX_RESPONSE:
                raise AttestationError(
                    f"The Time-Stamp Authority at {url} sent more than {MAX_RESPONSE} bytes."
                )
            if time.monotonic() > deadline:
                raise AttestationError(
                    f"The Time-Stamp Authority at {url} did not finish its answer in {timeout:g} s."
                )
            chunks.append(chunk)
        return answer.status_code, b"".join(chunks)


def _digest(receipt: Path) -> bytes:
    return hashlib.sha256(receipt.read_bytes()).digest()


def _load_key(path: Path) -> Any:
    try:
        return serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"Cannot read the signing key {path}: {exc}.",
            hint="Give an unencrypted PEM private key (Ed25519, ECDSA or RSA) readable by this user.",
        ) from exc


SigningKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def signing_key(key_path: Path, certificate: Path | None = None) -> tuple[SigningKey, bytes]:
    """The PEM key at ``key_path`` and the signer file's bytes (its certificate when given, else
    its public key); ConfigError when the key cannot sign or the certificate is not its own."""
    key = _load_key(key_path)
    if not isinstance(key, SigningKey):
        raise ConfigError(f"The signing key {key_path} is of a kind not supported: {type(key).__name__}.")
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if certificate is None:
        return key, public
    cert = _load_certificate(certificate)
    if _spki(cert.public_key()) != _spki(key.public_key()):
        raise ConfigError(f"The certificate {certificate} is not the signing key's.")
    return key, cert.public_bytes(serialization.Encoding.PEM)


def sign_receipt(receipt: Path, key_path: Path, certificate: Path | None = None) -> None:
    """Sign the receipt's bytes with the PEM key at ``key_path``; store signature and signer."""
    key, signer = signing_key(key_path, certificate)
    data = receipt.read_bytes()
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(data)
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    else:
        signature = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    atomic_write(signature_path(receipt), signature)
    atomic_write(signer_path(receipt), signer)


def _load_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read the certificate {path}: {exc}.") from exc


def load_certificates(paths: list[Path]) -> list[x509.Certificate]:
    """Every certificate of each PEM file in ``paths`` (a bundle may hold several)."""
    found: list[x509.Certificate] = []
    for path in paths:
        try:
            found += x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"Cannot read the certificates in {path}: {exc}.") from exc
    return found


@dataclass(frozen=True)
class Finding:
    """What one check of the attestation found: a problem (``ok`` False) or a note."""

    ok: bool
    what: str
    detail: str


def check_token(receipt_bytes: bytes, token: bytes, roots: list[x509.Certificate]) -> Finding:
    """The time-stamp token against the receipt and, given ``roots``, the TSA's chain."""
    try:
        response = decode_timestamp_response(sorted_sets(token))
    except ValueError as exc:
        return Finding(False, "time-stamp", f"not an RFC 3161 response: {exc}")
    when = response.tst_info.gen_time.isoformat()
    if response.tst_info.message_imprint.message not in (
        hashlib.sha256(receipt_bytes).digest(),
        hashlib.sha512(receipt_bytes).digest(),
    ):
        return Finding(False, "time-stamp", f"the token of {when} is for another hash than this receipt's")
    if not roots:
        return Finding(
            True, "time-stamp", f"{when}, for this receipt; the TSA was not checked (give --tsa-cert)"
        )
    try:
        VerifierBuilder(roots=list(roots)).build().verify_message(response, receipt_bytes)
    except (VerificationError, ValueError) as exc:
        return Finding(
            False, "time-stamp", f"the token of {when} does not verify against the TSA certificate: {exc}"
        )
    return Finding(
        True, "time-stamp", f"{when}, for this receipt, by a TSA chaining to the trusted certificate"
    )


def check_signature(
    receipt_bytes: bytes, signature: bytes, signer_pem: bytes, trust: list[x509.Certificate]
) -> Finding:
    """The signature over the receipt and, given ``trust``, whether the signer is trusted."""
    try:
        cert = x509.load_pem_x509_certificate(signer_pem) if b"CERTIFICATE" in signer_pem else None
        public = cert.public_key() if cert is not None else serialization.load_pem_public_key(signer_pem)
    except ValueError as exc:
        return Finding(False, "signature", f"the signer file is not a PEM certificate or public key: {exc}")
    if not _valid(public, signature, receipt_bytes):
        return Finding(False, "signature", "the signature does not match this receipt")
    if not trust:
        return Finding(True, "signature", "matches this receipt; the signer was not checked (give --trust)")
    if _trusted(public, cert, trust):
        return Finding(True, "signature", "matches this receipt, by a trusted signer")
    return Finding(False, "signature", "matches this receipt, but the signer is not one --trust names")


def _valid(public: Any, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(signature, data)
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _spki(key: Any) -> bytes:
    der: bytes = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def _trusted(public: Any, cert: x509.Certificate | None, trust: list[x509.Certificate]) -> bool:
    """The signer is trusted when a trusted certificate holds its key, or directly issued its certificate."""
    if any(_spki(t.public_key()) == _spki(public) for t in trust):
        return True
    if cert is None:
        return False
    for anchor in trust:
        try:
            cert.verify_directly_issued_by(anchor)
            return True
        except (ValueError, TypeError, InvalidSignature):
            continue
    return False


def attest_receipt(receipt: Path, attestation: Attestation) -> list[str]:
    """Sign and/or time-stamp ``receipt`` as asked; returns a line per file written."""
    if not receipt.is_file():
        raise AttestationError(f"{receipt} does not exist: only a sealed archive's receipt can be attested.")
    done = []
    if attestation.sign_key is not None:
        sign_receipt(receipt, attestation.sign_key, attestation.sign_cert)
        done.append(f"signed: {signature_path(receipt).name} (signer in {signer_path(receipt).name})")
    if attestation.tsa_url is not None:
        when = timestamp_receipt(receipt, attestation.tsa_url)
        done.append(f"time-stamped {when.isoformat()} by {attestation.tsa_url}: {token_path(receipt).name}")
    return done


def attest_or_say(receipt: Path, attestation: Attestation, note: Callable[[str], None]) -> str | None:
    """:func:`attest_receipt` for a run already closed: each file written is ``note``-d, and a
    failure (a TSA that cannot be reached) is returned, not raised — the archive is sealed and
    verified, its custody log final, and ``ediscovery attest`` can attest it later. A Ctrl-C
    while attesting is such a failure too: there is nothing of the run left to resume."""
    try:
        lines = attest_receipt(receipt, attestation)
    except AttestationError as exc:
        return str(exc)
    except EdiscoveryError as exc:  # the key or certificate, changed since the run checked them
        return f"{exc} {AttestationError.hint}"
    except OSError as exc:
        return str(AttestationError(f"The receipt's attestation could not be written: {exc}."))
    except KeyboardInterrupt:
        return str(AttestationError("The receipt's attestation was interrupted."))
    for line in lines:
        note(line)
    return None
