"""The receipt's RFC 3161 time-stamp and signature: made against a loopback TSA, checked by
verify with the user's trust anchors, and by openssl; every way of faking them fails."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import ec
from rfc3161_client import decode_timestamp_response

from ediscovery.archive import seal
from ediscovery.archive.attest import attest_receipt, timestamp_receipt
from ediscovery.archive.attestation import (
    Attestation,
    attestation_files,
    signature_path,
    signer_path,
    token_path,
)
from ediscovery.cli import cli
from ediscovery.errors import AttestationError
from ediscovery.sandbox import DEMO_KEY
from ediscovery.verify import verify
from ediscovery.verify.sidecar import Anchors
from tests.archive.tsa import Tsa, key_pem, make_certificate, pem, running_tsa
from tests.verify.finished import finished_bag, retag


@pytest.fixture(scope="module")
def tsa() -> object:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (CI installs it)")
    with running_tsa() as running:
        yield running


@pytest.fixture(scope="module")
def chained_tsa() -> object:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (CI installs it)")
    with running_tsa(chain=True) as running:
        yield running


class Signer:
    """A signing key with a certificate issued by a CA the verifier trusts."""

    def __init__(self, folder: Path, name: str = "signer") -> None:
        ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca = make_certificate(f"{name} CA", ca_key, None, ca=True)
        folder.mkdir(parents=True, exist_ok=True)
        self.ca, self.key, self.cert = (
            folder / f"{name}-ca.pem",
            folder / f"{name}.key",
            folder / f"{name}.pem",
        )
        self.ca.write_bytes(pem(ca))
        self.key.write_bytes(key_pem(key))
        self.cert.write_bytes(pem(make_certificate("Collector", key, (ca, ca_key))))


def _sealed(tmp_path: Path, name: str = "run") -> Path:
    bag = finished_bag(tmp_path / name)
    return Path(seal(bag, tmp_path / name / f"{bag.name}.7z").archive_path)


def _receipt(archive: Path) -> Path:
    return Path(f"{archive}.receipt.json")


def _attested(tmp_path: Path, tsa: Tsa, signer: Signer) -> Path:
    archive = _sealed(tmp_path)
    attest_receipt(_receipt(archive), Attestation(tsa.url, signer.key, signer.cert))
    return archive


def _problems(archive: Path, anchors: Anchors) -> list[str]:
    return [f"{type(p).__name__}: {p}" for p in verify(archive, anchors=anchors).problems]


def test_a_time_stamped_signed_receipt_verifies_with_its_anchors(tmp_path: Path, tsa: Tsa) -> None:
    signer = Signer(tmp_path / "keys")
    archive = _attested(tmp_path, tsa, signer)
    report = verify(archive, anchors=Anchors((tsa.root,), (signer.ca,)))
    assert report.ok, [str(p) for p in report.problems]
    assert any(n.startswith("time-stamp: ") and "chaining to the trusted" in n for n in report.limits)
    assert "signature: matches this receipt, by a trusted signer" in report.limits
    receipt = _receipt(archive)
    token, signature = token_path(receipt), signature_path(receipt)
    assert "Verification: OK" in _openssl(
        "ts", "-verify", "-data", receipt, "-in", token, "-CAfile", tsa.root
    )
    public = tmp_path / "public.pem"
    _openssl("x509", "-in", signer_path(receipt), "-pubkey", "-noout", "-out", public)
    assert "Verified OK" in _openssl("dgst", "-sha256", "-verify", public, "-signature", signature, receipt)


def _openssl(*args: object) -> str:
    """What openssl printed; the test fails when it exits non-zero (as VERIFY-style checks would)."""
    done = subprocess.run(["openssl", *map(str, args)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_tsa_sending_its_chain_in_issuing_order_is_accepted_and_its_token_kept_as_sent(
    tmp_path: Path, chained_tsa: Tsa, tsa: Tsa
) -> None:
    archive = _sealed(tmp_path)
    receipt = _receipt(archive)
    attest_receipt(receipt, Attestation(chained_tsa.url))
    token = token_path(receipt).read_bytes()
    assert token == chained_tsa.sent[-1]
    with pytest.raises(ValueError, match="InvalidSetOrdering"):  # not in DER order, as sent
        decode_timestamp_response(token)
    report = verify(archive, anchors=Anchors((chained_tsa.root,)))
    assert report.ok, [str(p) for p in report.problems]
    assert any(n.startswith("time-stamp: ") and "chaining to the trusted" in n for n in report.limits)
    assert "Verification: OK" in _openssl(
        "ts", "-verify", "-data", receipt, "-in", token_path(receipt), "-CAfile", chained_tsa.root
    )
    assert any("does not verify" in p for p in _problems(archive, Anchors((tsa.root,))))


def test_a_rewritten_and_resealed_bag_fails_with_the_old_or_no_attestation(tmp_path: Path, tsa: Tsa) -> None:
    signer = Signer(tmp_path / "keys")
    archive = _attested(tmp_path, tsa, signer)
    anchors = Anchors((tsa.root,), (signer.ca,))
    bag = archive.parent / archive.name.removesuffix(".7z")
    kept = {p: p.read_bytes() for p in (token_path(_receipt(archive)), signature_path(_receipt(archive)))}
    (bag / "reports" / "summary.csv").write_bytes(b"custodian,items\nalice@example.com,0\n")
    retag(bag)
    archive.unlink()
    seal(bag, archive)  # a consistent archive and a new receipt; the attestation files stay
    for path, data in kept.items():
        path.write_bytes(data)
    problems = _problems(archive, anchors)
    assert any("time-stamp" in p and "another hash" in p for p in problems), problems
    assert any("signature does not match this receipt" in p for p in problems), problems
    for path in kept:
        path.unlink()
    problems = _problems(archive, anchors)
    assert sum("none beside the receipt" in p for p in problems) == 2, problems


def test_a_swapped_receipt_fails(tmp_path: Path, tsa: Tsa) -> None:
    signer = Signer(tmp_path / "keys")
    archive = _attested(tmp_path, tsa, signer)
    other = _sealed(tmp_path, "other")
    _receipt(archive).write_bytes(_receipt(other).read_bytes())
    problems = _problems(archive, Anchors((tsa.root,), (signer.ca,)))
    assert any(p.startswith("AttestationFailed") and "time-stamp" in p for p in problems), problems
    assert any(p.startswith("AttestationFailed") and "signature" in p for p in problems), problems


def test_a_token_for_another_hash_fails(tmp_path: Path, tsa: Tsa) -> None:
    archive = _sealed(tmp_path)
    other = _sealed(tmp_path, "other")
    attest_receipt(_receipt(other), Attestation(tsa.url))
    shutil.copy(token_path(_receipt(other)), token_path(_receipt(archive)))
    problems = _problems(archive, Anchors((tsa.root,)))
    assert any("is for another hash than this receipt's" in p for p in problems), problems


def test_a_token_from_an_untrusted_tsa_fails(tmp_path: Path, tsa: Tsa) -> None:
    archive = _sealed(tmp_path)
    attest_receipt(_receipt(archive), Attestation(tsa.url))
    stranger = Signer(tmp_path / "stranger", "stranger")
    problems = _problems(archive, Anchors((stranger.ca,)))
    assert any("does not verify against the TSA certificate" in p for p in problems), problems


def test_an_untrusted_signer_fails(tmp_path: Path, tsa: Tsa) -> None:
    trusted, stranger = Signer(tmp_path / "keys"), Signer(tmp_path / "stranger", "stranger")
    archive = _sealed(tmp_path)
    attest_receipt(_receipt(archive), Attestation(sign_key=stranger.key, sign_cert=stranger.cert))
    problems = _problems(archive, Anchors(signers=(trusted.ca,)))
    assert any("the signer is not one --trust names" in p for p in problems), problems
    assert verify(archive, anchors=Anchors(signers=(stranger.ca,))).ok


def test_the_command_line_attests_and_verify_exits_3_on_a_forgery(tmp_path: Path, tsa: Tsa) -> None:
    signer = Signer(tmp_path / "keys")
    archive = _sealed(tmp_path)
    runner = CliRunner()
    args = [
        "attest",
        str(archive),
        "--tsa-url",
        tsa.url,
        "--sign-key",
        str(signer.key),
        "--sign-cert",
        str(signer.cert),
    ]
    made = runner.invoke(cli, args)
    assert made.exit_code == 0 and "time-stamped" in made.output and "signed" in made.output, made.output
    checked = ["verify", str(archive), "--tsa-cert", str(tsa.root), "--trust", str(signer.ca)]
    assert runner.invoke(cli, checked).exit_code == 0
    signature_path(_receipt(archive)).write_bytes(b"\x00" * 64)
    forged = runner.invoke(cli, checked)
    assert forged.exit_code == 3 and "signature does not match" in forged.output
    nothing = runner.invoke(cli, ["attest", str(archive)])
    assert nothing.exit_code == 2


def test_an_unreachable_tsa_is_a_clear_error_and_leaves_the_archive_as_it_was(tmp_path: Path) -> None:
    archive = _sealed(tmp_path)
    before = _receipt(archive).read_bytes()
    result = CliRunner().invoke(cli, ["attest", str(archive), "--tsa-url", "http://127.0.0.1:9/tsa"])
    assert result.exit_code == 1 and "could not be reached" in result.output
    assert _receipt(archive).read_bytes() == before and not token_path(_receipt(archive)).exists()
    assert verify(archive).ok


def test_collect_attests_the_receipt_and_the_next_run_carries_it(
    tmp_path: Path, tsa: Tsa, live_sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    signer = Signer(tmp_path / "keys")
    monkeypatch.setenv("ANTHROPIC_COMPLIANCE_ACCESS_KEY", DEMO_KEY)
    args = ["collect", "--matter", "Acme v. Widget", "--custodian", "alice@example.com", "--no-pdf", "-q",
            "--out", str(tmp_path / "out"), "--api-url", live_sandbox, "--tsa-url", tsa.url,
            "--sign-key", str(signer.key), "--sign-cert", str(signer.cert), "--json"]  # fmt: skip
    anchors = Anchors((tsa.root,), (signer.ca,))
    first, second = (CliRunner().invoke(cli, args) for _ in range(2))
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    archive, later = (Path(json.loads(r.stdout)["archive"]) for r in (first, second))
    assert token_path(_receipt(archive)).is_file() and signature_path(_receipt(archive)).is_file()
    assert verify(archive, anchors=anchors).ok
    bag = later.parent / later.name.removesuffix(".7z")
    carried = sorted(p.name for p in (bag / "previous").iterdir())
    assert carried == sorted(p.name for p in [_receipt(archive), *attestation_files(_receipt(archive))])
    report = verify(later, anchors=anchors)
    assert report.ok, [str(p) for p in report.problems]
    assert any(n.startswith("previous run's time-stamp: ") for n in report.limits), report.limits
    carried_receipt = bag / "previous" / _receipt(archive).name
    carried_receipt.write_bytes(
        carried_receipt.read_bytes().replace(b'"receipt_version"', b'"receipt_version" ')
    )
    retag(bag)
    problems = [str(p) for p in verify(bag, anchors=anchors).problems]
    assert any("time-stamp" in p and "another hash" in p for p in problems), problems
    assert any("signature does not match this receipt" in p for p in problems), problems


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_ed25519_and_rsa_signatures_verify_here_and_with_openssl(tmp_path: Path, kind: str) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (CI installs it)")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else rsa.generate_private_key(65537, 2048)
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    archive = _sealed(tmp_path)
    receipt = _receipt(archive)
    attest_receipt(receipt, Attestation(sign_key=key_file))
    assert verify(archive, anchors=Anchors()).ok
    signature, public = signature_path(receipt), signer_path(receipt)
    if kind == "ed25519":
        shown = _openssl(
            "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", public, "-sigfile", signature, "-in", receipt
        )
        assert "Signature Verified Successfully" in shown
    else:
        assert "Verified OK" in _openssl(
            "dgst", "-sha256", "-verify", public, "-signature", signature, receipt
        )


def test_a_collect_whose_tsa_cannot_be_reached_is_closed_verified_and_says_so(
    tmp_path: Path, live_sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_COMPLIANCE_ACCESS_KEY", DEMO_KEY)
    args = ["collect", "--matter", "Acme v. Widget", "--custodian", "alice@example.com", "--no-pdf", "-q",
            "--out", str(tmp_path / "out"), "--api-url", live_sandbox, "--tsa-url", "http://127.0.0.1:9/tsa",
            "--json"]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "could not be reached" in result.output, result.output
    summary = json.loads(result.stdout)
    archive, bag = Path(summary["archive"]), Path(summary["bag"])
    assert "could not be reached" in summary["attestation_error"]
    assert verify(archive).ok and verify(bag).ok  # the custody log is the sealed one, untouched
    assert not token_path(_receipt(archive)).exists()


@pytest.mark.parametrize(
    ("options", "code", "said"),
    [
        (["--sign-key", "{garbage}"], 1, "Cannot read the signing key"),
        (["--sign-key", "{key}", "--sign-cert", "{other}"], 1, "is not the signing key's"),
        (["--sign-cert", "{cert}"], 2, "give --sign-key too"),
        (["--tsa-url", "tsa.example.com"], 2, "not an http:// or https:// URL"),
    ],
)
def test_collect_refuses_an_attestation_it_could_not_make_before_its_first_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], code: int, said: str
) -> None:
    signer, other = Signer(tmp_path / "keys"), Signer(tmp_path / "other", "other")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    files = {"garbage": garbage, "key": signer.key, "cert": signer.cert, "other": other.cert}
    monkeypatch.setenv("ANTHROPIC_COMPLIANCE_ACCESS_KEY", DEMO_KEY)
    args = ["collect", "--matter", "Acme v. Widget", "--custodian", "alice@example.com", "-q",
            "--out", str(tmp_path / "out"), "--api-url", "http://127.0.0.1:9",
            *(option.format(**files) for option in options)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code and said in result.output, result.output
    assert not (tmp_path / "out").exists()  # nothing collected, not even a folder


def _endless(pause: float) -> Iterator[bytes]:
    while True:
        time.sleep(pause)
        yield b"\x30" * 65536


@pytest.mark.parametrize(("pause", "said"), [(0.0, "sent more than"), (0.05, "did not finish its answer")])
def test_a_tsa_answer_without_end_is_refused_not_held_or_waited_on(
    tmp_path: Path, pause: float, said: str
) -> None:
    archive = _sealed(tmp_path)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=_endless(pause)))
    with pytest.raises(AttestationError, match=said):
        timestamp_receipt(_receipt(archive), "https://tsa.test/", timeout=0.5, transport=transport)
    assert not token_path(_receipt(archive)).exists()
