"""A Time-Stamp Authority on loopback for tests: ``openssl ts -reply`` behind a small HTTP server.

It has its own root certificate and a TSA certificate issued by it (extended key usage
``timeStamping``, critical, as RFC 3161 §2.3 requires), and answers every POST of a DER
``TimeStampReq`` with the ``TimeStampResp`` openssl signs. With ``chain``, the TSA certificate
is issued by an intermediate CA, and the responses carry the chain in issuing order (TSA,
intermediate, root), as many public TSAs send it, not in DER order.
"""

from __future__ import annotations

import datetime
import http.server
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
signer_cert = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


Issuer = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def make_certificate(
    common: str, key: ec.EllipticCurvePrivateKey, issuer: Issuer | None,
    *, ca: bool = False, usage: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:  # fmt: skip
    """A certificate for ``key``: self-signed, or issued by ``issuer`` (certificate, key)."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(issuer[0].subject if issuer else _name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class Tsa:
    url: str
    root: Path
    """The TSA's root certificate (PEM): what a verifier trusts."""
    sent: list[bytes] = field(default_factory=list)
    """Every response body, as sent."""


def _certificates(home: Path, chain: bool) -> str:
    """Write the root, TSA certificate and key (and the chain); the config's extra lines."""
    root_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = make_certificate("Test TSA root", root_key, None, ca=True)
    issuer, extra = (root, root_key), ""
    if chain:
        middle_key = ec.generate_private_key(ec.SECP256R1())
        middle = make_certificate("Test TSA intermediate", middle_key, issuer, ca=True)
        issuer, extra = (middle, middle_key), "certs = $dir/chain.pem\n"
        (home / "chain.pem").write_bytes(pem(middle) + pem(root))
    tsa = make_certificate("Test TSA", tsa_key, issuer, usage=ExtendedKeyUsageOID.TIME_STAMPING)
    (home / "root.pem").write_bytes(pem(root))
    (home / "tsa.pem").write_bytes(pem(tsa))
    (home / "tsa.key").write_bytes(key_pem(tsa_key))
    return extra


@contextmanager
def running_tsa(*, chain: bool = False) -> Iterator[Tsa]:
    """A loopback TSA for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="tsa-") as folder:
        home = Path(folder)
        extra = _certificates(home, chain)
        (home / "serial").write_text("01\n")
        (home / "ts.cnf").write_text(CONFIG.format(dir=home) + extra)
        lock = threading.Lock()
        sent: list[bytes] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers.get("content-length", "0")))
                with lock:
                    (home / "q.tsq").write_bytes(query)
                    subprocess.run(
                        ["openssl", "ts", "-reply", "-config", str(home / "ts.cnf"), "-queryfile",
                         str(home / "q.tsq"), "-out", str(home / "r.tsr")],
                        check=True, capture_output=True,
                    )  # fmt: skip
                    body = (home / "r.tsr").read_bytes()
                    sent.append(body)
                self.send_response(200)
                self.send_header("content-type", "application/timestamp-reply")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Tsa(f"http://127.0.0.1:{server.server_address[1]}/tsa", home / "root.pem", sent)
        finally:
            server.shutdown()
            thread.join(timeout=5)
