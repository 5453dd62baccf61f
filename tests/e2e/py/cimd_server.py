"""Serves a Client ID Metadata Document (CIMD) from a loopback HTTP or HTTPS server, for the
end-to-end OAuth tests: the authorization server under test fetches the document named by the
`client_id` URL, and the document's `client_id` must be that URL.

    python cimd_server.py --scheme http|https [--port P] [--cert-dir DIR]
                          --redirect-uri http://127.0.0.1/callback [--client-name NAME]

prints one JSON line {"url": ..., "ca": ... | null} once it listens, then serves until killed.
`oauth_client.py --serve-cimd http|https` runs the same server in-process instead.

With `--scheme https` it needs a certificate: in `--cert-dir` (created if missing) it keeps a
throw-away CA (`ca.pem`, `ca-key.pem`) and a leaf certificate for `127.0.0.1`, `::1` and
`localhost` signed by it (`cert.pem`, `key.pem`), made on first use and reused afterwards, so
the server under test can be told to trust `ca.pem` before this starts. Without `--cert-dir` a
temporary directory is used.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import json
import signal
import ssl
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DOCUMENT_PATH = "/oauth/client-metadata.json"


def document(client_id: str, redirect_uris: list[str], client_name: str) -> dict[str, Any]:
    """The metadata document of a public native client (no secret, PKCE)."""
    return {
        "client_id": client_id,
        "client_name": client_name,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "native",
    }


def ensure_certificates(cert_dir: Path) -> dict[str, Path]:
    """A CA and a loopback leaf certificate in `cert_dir`, made once and reused."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    paths = {
        "ca": cert_dir / "ca.pem",
        "ca_key": cert_dir / "ca-key.pem",
        "cert": cert_dir / "cert.pem",
        "key": cert_dir / "key.pem",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    cert_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=30)

    def pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "platform-mcp e2e CIMD test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths["ca_key"].write_bytes(pem_key(ca_key))
    paths["key"].write_bytes(pem_key(key))
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    # The chain the server presents: leaf, then CA.
    paths["cert"].write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    return paths


class CimdServer:
    """A loopback server answering GET `DOCUMENT_PATH` with the document; records each fetch."""

    def __init__(
        self,
        scheme: str,
        redirect_uris: list[str],
        client_name: str = "platform-mcp e2e (python, CIMD)",
        *,
        port: int = 0,
        cert_dir: Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        if scheme not in ("http", "https"):
            raise ValueError(f"scheme must be http or https, not {scheme!r}")
        self.scheme = scheme
        self.redirect_uris = redirect_uris
        self.client_name = client_name
        self.fetches: list[dict[str, Any]] = []
        self.ca: Path | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                owner.fetches.append(
                    {"path": self.path, "accept": self.headers.get("Accept"), "ua": self.headers.get("User-Agent")}
                )
                if self.path.split("?")[0] != DOCUMENT_PATH:
                    self.send_error(404)
                    return
                body = json.dumps(document(owner.url, owner.redirect_uris, owner.client_name)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "public, max-age=60")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        if scheme == "https":
            if cert_dir is None:
                cert_dir = Path(tempfile.mkdtemp(prefix="cimd-tls-"))
            paths = ensure_certificates(cert_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(paths["cert"], paths["key"])
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.ca = paths["ca"]
        bound = self.httpd.server_address[1]
        self.url = f"{scheme}://{host}:{bound}{DOCUMENT_PATH}"
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="cimd-server", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scheme", choices=("http", "https"), default="https")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert-dir", type=Path, help="where the CA and leaf certificate are kept (https)")
    parser.add_argument("--redirect-uri", action="append", required=True, help="repeat for several")
    parser.add_argument("--client-name", default="platform-mcp e2e (python, CIMD)")
    args = parser.parse_args()
    server = CimdServer(args.scheme, args.redirect_uri, args.client_name, port=args.port, cert_dir=args.cert_dir)
    print(json.dumps({"url": server.url, "ca": str(server.ca) if server.ca else None}), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
