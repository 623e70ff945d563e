"""Where a receipt's attestation lives and what to attest it with (:mod:`ediscovery.archive.attest`
makes and checks it), apart from the cryptography that does: a run needs these names before
its first request, and the cryptography only once the archive is sealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from ediscovery.errors import UsageError

TOKEN_SUFFIX = ".tsr"
SIGNATURE_SUFFIX = ".sig"
SIGNER_SUFFIX = ".sig.pem"


def token_path(receipt: Path) -> Path:
    return receipt.with_name(receipt.name + TOKEN_SUFFIX)


def signature_path(receipt: Path) -> Path:
    return receipt.with_name(receipt.name + SIGNATURE_SUFFIX)


def signer_path(receipt: Path) -> Path:
    return receipt.with_name(receipt.name + SIGNER_SUFFIX)


@dataclass(frozen=True)
class Attestation:
    """What to attest a receipt with: a TSA to ask, a key to sign with (and its certificate)."""

    tsa_url: str | None = None
    sign_key: Path | None = None
    sign_cert: Path | None = None

    def wanted(self) -> bool:
        return self.tsa_url is not None or self.sign_key is not None

    def check(self) -> None:
        """What can be checked before a run that attests at its end: the TSA's URL and the
        signing key (UsageError, ConfigError), so a wrong one fails before the first request."""
        if self.tsa_url is not None:
            try:
                url = httpx.URL(self.tsa_url)
            except httpx.InvalidURL:
                url = httpx.URL()
            if url.scheme not in ("http", "https") or not url.host:
                raise UsageError(f"--tsa-url {self.tsa_url!r} is not an http:// or https:// URL.")
        if self.sign_cert is not None and self.sign_key is None:
            raise UsageError("--sign-cert is the signing key's certificate: give --sign-key too.")
        if self.sign_key is not None:
            from ediscovery.archive.attest import signing_key

            signing_key(self.sign_key, self.sign_cert)


def attestation_files(receipt: Path) -> list[Path]:
    """The files attesting ``receipt`` (present or not)."""
    return [token_path(receipt), signature_path(receipt), signer_path(receipt)]
