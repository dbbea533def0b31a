"""The portal over HTTPS as a firm deploys it: `crossover serve` with its own TLS, in Chromium."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crossover.cli import main

from .conftest import CONSULTANT, EXAMPLE, PASSWORD
from .test_browser import ARGS, CHROMIUM, _free_port, _shots, _watch

UNVERIFIED = ssl._create_unverified_context()
"""The test's own self-signed certificate: the client checks nothing (Chromium is told to)."""


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Served:
    url: str
    data: Path
    process: subprocess.Popen[str]
    log: str | None = None

    def stop(self) -> str:
        """Stop the server (SIGTERM, as a service manager would) and return all it printed."""
        if self.log is None:
            self.process.terminate()
            self.log = self.process.communicate(timeout=30)[0]
            assert "Traceback" not in self.log, self.log
        return self.log


@pytest.fixture
def https(tmp_path: Path, database_url: str) -> Iterator[Served]:
    """`crossover serve` with its own TLS, two web processes and one report worker."""
    cert, key = self_signed(tmp_path)
    data = tmp_path / "portal"
    env = {**os.environ, "CROSSOVER_DATABASE_URL": database_url}
    crossover = [sys.executable, "-m", "crossover"]
    subprocess.run(
        [*crossover, "users", "add", CONSULTANT, "--data", str(data)],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            *crossover,
            "serve",
            "--port",
            str(port),
            "--data",
            str(data),
            "--workers",
            "2",
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"https://localhost:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/sign-in", timeout=2, context=UNVERIFIED).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError(
                    f"the server did not start: {server.communicate()[0]}"
                ) from None
            time.sleep(0.2)
    served = Served(url, data, server)
    try:
        yield served
    finally:
        served.stop()


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium")
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_over_https_a_consultant_and_a_client_do_the_whole_round(
    https: Served, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("CROSSOVER_SCREENSHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        consultant = browser.new_context(ignore_https_errors=True)
        desk = consultant.new_page()
        _watch(desk, errors)
        answer = desk.goto(f"{https.url}/desk/")
        # Signed out, the desk sends the consultant to sign in, and back to the desk after.
        assert answer is not None
        assert "/sign-in?next=" in desk.url
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
        desk.fill("#email", CONSULTANT)
        desk.fill("#password", PASSWORD)
        desk.click("input[value='Sign in']")
        desk.wait_for_selector("h1:has-text('Clients')")
        [cookie] = [c for c in consultant.cookies() if c["name"] == "session"]
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        desk.fill("#name", "Northwind Documents")
        desk.fill("#email", "cfo@northwind.example")
        desk.click("input[value='Create the private link']")
        link = desk.inner_text("#private-link").strip()
        assert link.startswith(f"{https.url}/c/")
        token = link.rsplit("/", 1)[1]

        # The client uploads in a browser of its own: the form's CSRF check passes over HTTPS.
        client = browser.new_context(ignore_https_errors=True)
        portal = client.new_page()
        _watch(portal, errors)
        portal.goto(link)
        assert "Crossover Advisory" in portal.inner_text("footer")  # the firm, from its brand
        portal.set_input_files("#workbook", str(EXAMPLE))
        portal.click("input[value='Upload and check']")
        portal.wait_for_selector("#result h2:has-text('Received')")
        _shots(portal, "https-client-received", shots)

        # The consultant renders (the upload queued it), looks at it and releases it.
        desk.click("nav >> text=Clients")
        desk.click("table >> text=Northwind Documents")
        version = desk.query_selector("table.versions tbody tr a")
        assert version is not None
        version.click()
        desk.wait_for_selector("text=Download the PDF", timeout=180_000)
        desk.click("button:has-text('Release to the client')")
        desk.wait_for_selector("text=Released to the client")
        _shots(desk, "https-desk-version", shots)

        portal.reload()
        assert "Your recommendation" in portal.inner_text("main")
        with portal.expect_download() as pdf:
            portal.click("text=Download the report (PDF)")
        assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF-")
        browser.close()
    assert errors == []
    log = https.stop()
    # gunicorn logged every request, and no line carries the client's private link.
    assert '"GET /c/[link] HTTP/1.1" 200' in log
    assert '"POST /c/[link]/upload HTTP/1.1" 302' in log
    assert token not in log


def test_plain_http_beyond_loopback_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "data")])
    assert exit_info.value.code == 2  # a usage error
    said = capsys.readouterr().err
    assert "not serving plain HTTP on 0.0.0.0: passwords, session cookies" in said
    assert "--certfile" in said and "--allow-plain-http" in said
    assert not (tmp_path / "data").exists()  # refused before anything is made


def test_a_certificate_needs_its_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, _ = self_signed(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--certfile", str(cert), "--data", str(tmp_path / "data")])
    assert exit_info.value.code == 2  # a usage error
    assert "--certfile and --keyfile go together" in capsys.readouterr().err
