"""The shipped nginx site (deploy/nginx/ctip.conf) started in front of the test server.

Only what cannot run in a test is changed: ports (127.0.0.1 only), the certificate (made
here, self-signed), the static folder, the log folder and the upstream's port. Each change
must match the lines it expects in the shipped file, so an edit there that the test does not
understand fails loudly instead of testing something else.
"""

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

SITE = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "ctip.conf"


def nginx_binary() -> str:
    """Debian's nginx (.ci/run installs it); missing on CI is a failure, elsewhere a skip."""
    path = os.environ.get("CTIP_NGINX") or shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if not path:
        message = "nginx not found: apt-get install -y nginx"
        if os.environ.get("CTIP_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _replace_once(text: str, pattern: str, replacement: str) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    assert count == 1, f"deploy/nginx/ctip.conf: expected one line matching {pattern!r}"
    return new


def _replace_every(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy/nginx/ctip.conf: expected {old!r}"
    return text.replace(old, new)


def site_for_test(upstream_port: int, https_port: int, http_port: int, folder: Path) -> str:
    cert, key = _self_signed(folder)
    site = SITE.read_text(encoding="utf-8")
    site = _replace_once(site, r"^\s*listen 80;$", f"    listen 127.0.0.1:{http_port};")
    site = _replace_once(site, r"^\s*listen \[::\]:80;\n", "")
    site = _replace_once(
        site, r"^\s*listen 443 ssl http2;$", f"    listen 127.0.0.1:{https_port} ssl http2;"
    )
    site = _replace_once(site, r"^\s*listen \[::\]:443 ssl http2;\n", "")
    site = _replace_once(site, r"^(\s*ssl_certificate)\s+\S+;$", rf"\1 {cert};")
    site = _replace_once(site, r"^(\s*ssl_certificate_key)\s+\S+;$", rf"\1 {key};")
    site = _replace_every(site, "/srv/ctip/var/static/", f"{folder}/static/")
    site = _replace_every(site, "/var/log/nginx/", f"{folder}/logs/")
    return _replace_once(
        site, r"^(\s*server) 127\.0\.0\.1:8001;$", rf"\1 127.0.0.1:{upstream_port};"
    )


@contextmanager
def shipped_nginx(upstream_port: int, folder: Path) -> Iterator[int]:
    """Run the shipped site in front of 127.0.0.1:upstream_port; yields its HTTPS port."""
    binary = nginx_binary()
    https_port, http_port = _free_port(), _free_port()
    (folder / "static").mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    (folder / "site.conf").write_text(
        site_for_test(upstream_port, https_port, http_port, folder), encoding="utf-8"
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the temp folder
    (folder / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "-p", folder, "-c", folder / "nginx.conf", "-e", folder / "error.log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    errors = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"nginx did not start: {errors}") from None
                time.sleep(0.05)
        yield https_port
    finally:
        process.terminate()
        process.wait(timeout=10)


class ProxyClient:
    """A browser-like client (cookies, CSRF token) connecting from one loopback address."""

    def __init__(self, port: int, source: str) -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            source_address=(self.source, 0),
            context=self.context,
            timeout=30,
        )
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, text

    def sign_in(self, username: str, password: str, headers: dict[str, str] | None = None) -> int:
        """The password step of the sign-in page; 302 signed in, 200 refused, 429 locked."""
        self.cookies.pop("sessionid", None)
        _status, page = self.request("GET", "/sign-in/", headers=headers)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, "the sign-in page has no CSRF token"
        form = urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        ).encode()
        status, _text = self.request(
            "POST",
            "/sign-in/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://127.0.0.1:{self.port}/sign-in/",
                **(headers or {}),
            },
        )
        return status

    def token(self, username: str, password: str) -> int:
        """The API's token endpoint; 200 with a token, 400 refused."""
        import json

        body = json.dumps({"username": username, "password": password}).encode()
        status, _text = self.request(
            "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"}
        )
        return status
