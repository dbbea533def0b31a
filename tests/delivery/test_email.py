"""`crossover email`: a real SMTP server in the test process, STARTTLS, implicit TLS, failures, --dry-run."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jinja2 import UndefinedError
from pypdf import PdfReader

from crossover.catalogue import Catalogue
from crossover.delivery.email import SmtpSettings, _environment, smtp_settings
from crossover.engine.results import Results

from .delivery_fixtures import analyse_raw, blank_pdf, example_raw, free_port, run_cli

USER = "consultant"
PASSWORD = "s3cret-Pa55word!"
SENDER = "Crossover Advisory <reports@advisory.example>"
REJECTED = "nobody@nowhere.example"
NO_FROM_WARNING = (
    "Warning: no From address is set, so the message has no From: line and a real send is "
    "refused; give --from ADDRESS, or set CROSSOVER_SMTP_FROM or from under [smtp] in the "
    "file given with --config\n"
)


# -- the test server ---------------------------------------------------------------------


@dataclass
class Received:
    envelope: Envelope
    session: Session
    encrypted: bool
    """The connection was TLS (implicit, or upgraded by STARTTLS) when the message came."""


@dataclass
class Inbox:
    """An aiosmtpd handler keeping what it receives, refusing mail for nowhere.example."""

    received: list[Received] = field(default_factory=list)
    echo_credentials: bool = False

    async def handle_RCPT(  # noqa: N802  (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.endswith("@nowhere.example"):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802  (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        assert server.transport is not None  # a DATA command came over it
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.received.append(Received(envelope, session, encrypted))
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == USER.encode()
            and data.password == PASSWORD.encode()
        )
        if ok:
            return AuthResult(success=True)
        # A careless server that repeats what it was sent: it must not reach our output.
        echoed = data.password.decode() if self.echo_credentials else ""
        return AuthResult(
            success=False, handled=False, message=f"535 5.7.8 Authentication failed {echoed}"
        )


@dataclass
class Tls:
    cert: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1, made fresh for this run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crossover test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return Tls(cert_path, context)


@dataclass
class Server:
    inbox: Inbox
    port: int


@contextmanager
def serving(inbox: Inbox, **options: Any) -> Iterator[Server]:
    """An aiosmtpd server on 127.0.0.1 at a free port, for the length of the block."""
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield Server(inbox, port)
    finally:
        controller.stop()


@pytest.fixture
def starttls_server(tls: Tls) -> Iterator[Server]:
    """Requires STARTTLS, and a login once encrypted."""
    inbox = Inbox()
    with serving(
        inbox,
        tls_context=tls.server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=inbox.authenticate,
    ) as server:
        yield server


# -- the report on disk ------------------------------------------------------------------


@pytest.fixture
def report(tmp_path: Path, example_results: dict[str, Results]) -> Path:
    """A PDF with its results JSON beside it, as `crossover report` leaves them."""
    pdf = blank_pdf(tmp_path / "northwind-documents-2026-11-27.pdf")
    results = example_results["document-intelligence"]
    (tmp_path / "northwind-documents-2026-11-27-results.json").write_text(
        results.model_dump_json(indent=2)
    )
    return pdf


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch, tls: Tls) -> pytest.MonkeyPatch:
    for key in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY", "FROM", "CA_FILE"):
        monkeypatch.delenv(f"CROSSOVER_SMTP_{key}", raising=False)
    monkeypatch.setenv("CROSSOVER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CROSSOVER_SMTP_FROM", SENDER)
    monkeypatch.setenv("CROSSOVER_SMTP_USER", USER)
    monkeypatch.setenv("CROSSOVER_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("CROSSOVER_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("CROSSOVER_SMTP_CA_FILE", str(tls.cert))
    return monkeypatch


def astuple_received(inbox: Inbox) -> list[tuple[Envelope, Session, bool]]:
    return [(r.envelope, r.session, r.encrypted) for r in inbox.received]


def parts(message: EmailMessage) -> tuple[str, str, EmailMessage]:
    body_text = message.get_body(preferencelist=("plain",))
    body_html = message.get_body(preferencelist=("html",))
    attachments = list(message.iter_attachments())
    assert body_text is not None and body_html is not None and len(attachments) == 1
    attachment = attachments[0]
    assert isinstance(attachment, EmailMessage)
    return body_text.get_content(), body_html.get_content(), attachment


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


# -- sending -----------------------------------------------------------------------------


def test_sends_over_starttls_with_login_to_every_recipient(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    code, out, err = run_cli(
        [
            "email",
            str(report),
            "--to",
            "cfo@northwind.example",
            "--to",
            "Dana Fox <cto@northwind.example>",
            "--cc",
            "partner@advisory.example",
            "--subject",
            "Your LLM hosting report",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    assert out == (
        f"Sent {report.name} to cfo@northwind.example, Dana Fox <cto@northwind.example>, "
        f"cc partner@advisory.example via 127.0.0.1:{starttls_server.port}\n"
    )
    [(envelope, session, encrypted)] = astuple_received(starttls_server.inbox)
    assert encrypted and session.ssl is not None
    assert session.authenticated
    assert envelope.mail_from == "reports@advisory.example"
    assert envelope.rcpt_tos == [
        "cfo@northwind.example",
        "cto@northwind.example",
        "partner@advisory.example",
    ]
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Your LLM hosting report"
    assert message["From"] == SENDER
    assert message["To"] == "cfo@northwind.example, Dana Fox <cto@northwind.example>"
    assert message["Cc"] == "partner@advisory.example"
    assert "Bcc" not in message

    text, html, attachment = parts(message)
    assert "Recommendation: Adopt the proposed split" in text
    # Northwind's headline plan is its proposal (tests/engine/test_golden.py works its figures).
    assert "Monthly savings:       $20,693" in text
    assert "Payback:               1.9 weeks" in text
    shown = parse_html(html)
    assert "Monthly savings" in shown.text and "$20,693" in shown.text
    # The proposal is the headline: it is not set beside itself as a comparison.
    assert "Your proposal saves" not in text
    assert "script" not in shown.tags

    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == report.name
    payload = attachment.get_content()
    assert payload == report.read_bytes()
    assert len(PdfReader(BytesIO(payload)).pages) == 1
    assert PASSWORD not in out + err


def test_sends_over_implicit_tls_with_settings_from_a_config_file(
    tls: Tls, smtp_env: pytest.MonkeyPatch, report: Path, tmp_path: Path, capsys: Any
) -> None:
    inbox = Inbox()
    config = tmp_path / "smtp.toml"
    smtp_env.setenv("CROSSOVER_SMTP_HOST", "wrong.invalid")
    # aiosmtpd offers AUTH only after STARTTLS unless told that this connection is TLS already.
    with serving(
        inbox,
        ssl_context=tls.server_context,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    ) as server:
        # The file names the server; the password stays in the environment.
        config.write_text(
            "[smtp]\n"
            'host = "127.0.0.1"\n'
            f"port = {server.port}\n"
            'security = "tls"\n'
            f'ca_file = "{tls.cert}"\n'
            'from = "reports@advisory.example"\n'
            f'user = "{USER}"\n'
        )
        code, _, err = run_cli(
            ["email", str(report), "--to", "cfo@northwind.example", "--config", str(config)],
            capsys,
        )
    assert (code, err) == (0, "")
    [(envelope, session, encrypted)] = astuple_received(inbox)
    assert encrypted and session.authenticated
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content, policy=policy.default)
    assert (
        message["Subject"] == "LLM hosting report for Northwind Documents: Adopt the proposed split"
    )


def test_a_wrong_password_is_an_authentication_failure(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    smtp_env.setenv("CROSSOVER_SMTP_PASSWORD", "not-the-password")
    code, out, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == (
        f"Error: authentication failed at the SMTP server 127.0.0.1:{starttls_server.port} "
        "(535 5.7.8 Authentication failed); check the SMTP user and password\n"
    )
    assert out == ""
    assert starttls_server.inbox.received == []
    assert report.exists() and report.with_name(f"{report.stem}-results.json").exists()


def test_a_server_echoing_the_password_does_not_leak_it(
    tls: Tls, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    inbox = Inbox(echo_credentials=True)
    wrong = "wrong-Pa55word-echoed"
    smtp_env.setenv("CROSSOVER_SMTP_PASSWORD", wrong)
    with serving(
        inbox,
        tls_context=tls.server_context,
        require_starttls=True,
        authenticator=inbox.authenticate,
    ) as server:
        smtp_env.setenv("CROSSOVER_SMTP_PORT", str(server.port))
        code, out, err = run_cli(
            ["--debug", "email", str(report), "--to", "cfo@northwind.example"], capsys
        )
    assert code == 69
    assert wrong not in out + err
    assert "Authentication failed ***" in err


def test_a_refused_connection_says_so(
    smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    port = free_port()
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(port))
    code, out, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == f"Error: cannot connect to the SMTP server 127.0.0.1:{port}: connection refused\n"
    assert PASSWORD not in out + err


def test_a_rejected_recipient_is_named(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    code, _, err = run_cli(["email", str(report), "--to", REJECTED], capsys)
    assert code == 69
    assert err == (
        f"Error: the SMTP server 127.0.0.1:{starttls_server.port} rejected recipient(s) "
        f"{REJECTED} (550 5.1.1 <{REJECTED}>: mailbox unavailable)\n"
    )


def test_one_rejected_recipient_among_several_is_still_an_error(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    code, _, err = run_cli(
        ["email", str(report), "--to", "cfo@northwind.example", "--cc", REJECTED], capsys
    )
    assert code == 69
    assert err.endswith("mailbox unavailable); the message went to the others\n")
    [(envelope, _, _)] = astuple_received(starttls_server.inbox)
    assert envelope.rcpt_tos == ["cfo@northwind.example"]


def test_an_untrusted_certificate_is_a_tls_failure(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    smtp_env.delenv("CROSSOVER_SMTP_CA_FILE")
    code, _, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == (
        f"Error: TLS failure with the SMTP server 127.0.0.1:{starttls_server.port}: its "
        "certificate is not trusted (self-signed certificate); give the CA with ca_file if "
        "it is a private one\n"
    )
    assert starttls_server.inbox.received == []


def test_a_server_without_starttls_is_refused_rather_than_sent_in_clear(
    smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    with serving(Inbox()) as running:
        smtp_env.setenv("CROSSOVER_SMTP_PORT", str(running.port))
        code, _, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == (
        f"Error: the SMTP server 127.0.0.1:{running.port} does not offer STARTTLS: "
        "set security to tls or none\n"
    )
    assert running.inbox.received == []


def test_plain_smtp_without_login_for_a_local_relay(
    smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    for key in ("USER", "PASSWORD", "CA_FILE"):
        smtp_env.delenv(f"CROSSOVER_SMTP_{key}")
    smtp_env.setenv("CROSSOVER_SMTP_SECURITY", "none")
    with serving(Inbox()) as running:
        smtp_env.setenv("CROSSOVER_SMTP_PORT", str(running.port))
        code, _, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert (code, err) == (0, "")
    assert len(running.inbox.received) == 1


def test_implicit_tls_against_a_plain_port_says_what_to_change(
    smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_SECURITY", "tls")
    with serving(Inbox()) as running:
        smtp_env.setenv("CROSSOVER_SMTP_PORT", str(running.port))
        code, _, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == (
        f"Error: TLS failure with the SMTP server 127.0.0.1:{running.port}: it did not answer "
        "in TLS; for a port that starts in plain text (often 587) set security to starttls\n"
    )


def test_a_server_that_never_answers_times_out(
    smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setattr("crossover.delivery.email.SMTP_TIMEOUT_S", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections complete in the backlog; no greeting ever comes
        port = silent.getsockname()[1]
        smtp_env.setenv("CROSSOVER_SMTP_PORT", str(port))
        code, _, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 69
    assert err == f"Error: cannot reach the SMTP server 127.0.0.1:{port}: no answer within 0.5 s\n"


def test_a_password_smtplib_cannot_send_is_named_not_shown(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    smtp_env.setenv("CROSSOVER_SMTP_PASSWORD", "pässwörd-ünicode")
    code, out, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert code == 65
    assert err == (
        "Error: the SMTP user or password has characters other than ASCII, which the login "
        "cannot send\n"
    )
    assert "pässwörd" not in out + err


# -- dry run and inputs ------------------------------------------------------------------


def test_dry_run_writes_an_eml_that_parses_back(
    report: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    for key in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY", "FROM", "CA_FILE"):
        monkeypatch.delenv(f"CROSSOVER_SMTP_{key}", raising=False)
    monkeypatch.setenv("CROSSOVER_SMTP_FROM", "reports@advisory.example")
    code, out, err = run_cli(
        ["email", str(report), "--to", "cfo@northwind.example", "--cc", "a@b.example", "--dry-run"],
        capsys,
    )
    eml = report.with_suffix(".eml")
    assert (code, err) == (0, "")
    assert out.startswith(
        "From: reports@advisory.example\n"
        "To: cfo@northwind.example\n"
        "Cc: a@b.example\n"
        "Subject: LLM hosting report for Northwind Documents: Adopt the proposed split\n"
        f"Attachment: {report.name}\n"
        "\n"
        "Northwind Documents: self-host open-weight models or keep paying per-token APIs?\n"
    )
    assert "  Monthly savings:       $20,693\n" in out
    assert out.endswith(f"\n\nMessage written to {eml} (not sent)\n")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"] == "reports@advisory.example"
    assert message["To"] == "cfo@northwind.example"
    assert message["Cc"] == "a@b.example"
    assert message["Message-ID"].endswith("@advisory.example>")
    text, html, attachment = parts(message)
    assert "Monthly savings" in text and "Monthly savings" in html
    assert attachment.get_content() == report.read_bytes()
    assert sorted(p.name for p in report.parent.iterdir()) == [
        "northwind-documents-2026-11-27-results.json",
        "northwind-documents-2026-11-27.eml",
        "northwind-documents-2026-11-27.pdf",
    ]


def test_the_client_name_is_escaped_in_html_and_kept_in_text(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    raw = example_raw()
    raw["client"]["client_name"] = "<script>alert(1)</script> & Sons\nBcc: evil@x.example"
    pdf = blank_pdf(tmp_path / "r.pdf")
    (tmp_path / "r-results.json").write_text(analyse_raw(raw, catalogue).model_dump_json())
    code, _, err = run_cli(["email", str(pdf), "--to", "cfo@x.example", "--dry-run"], capsys)
    assert (code, err) == (0, NO_FROM_WARNING)
    message = message_from_bytes((tmp_path / "r.eml").read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert "Bcc" not in message
    assert message["Subject"].startswith(
        "LLM hosting report for <script>alert(1)</script> & Sons Bcc:"
    )
    text, html, _ = parts(message)
    assert "<script>alert(1)</script> & Sons" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in html
    assert "script" not in parse_html(html).tags


def test_missing_results_json_is_a_data_error(report: Path, capsys: Any) -> None:
    results = report.with_name(f"{report.stem}-results.json")
    results.unlink()
    code, _, err = run_cli(["email", str(report), "--to", "cfo@x.example", "--dry-run"], capsys)
    assert code == 65
    assert err == (
        f"Error: {results}: not found; the email's figures come from the results JSON the "
        "report saves beside its PDF (render the report again)\n"
    )


def test_invalid_results_json_is_a_data_error(report: Path, capsys: Any) -> None:
    results = report.with_name(f"{report.stem}-results.json")
    results.write_text('{"monthly_savings_usd": "lots"}')
    code, _, err = run_cli(["email", str(report), "--to", "cfo@x.example", "--dry-run"], capsys)
    assert code == 65
    assert err.startswith(f"Error: {results}: not valid results JSON (")
    assert err.endswith("); render the report again\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--to", "cfo@x.example\nBcc: evil@x.example"],
            "--to 'cfo@x.example\\nBcc: evil@x.example': not an email address (give one "
            "address per option, like cfo@client.example, in ASCII)",
        ),
        (
            ["--to", "a@x.example, b@x.example"],
            "--to 'a@x.example, b@x.example': not an email address (give one address per "
            "option, like cfo@client.example, in ASCII)",
        ),
        (
            ["--to", "cfo@x.example", "--subject", "Hi\r\nBcc: e@x"],
            "--subject 'Hi\\r\\nBcc: e@x': must be a single line without control characters",
        ),
    ],
)
def test_header_injection_is_refused(
    report: Path, args: list[str], message: str, capsys: Any
) -> None:
    code, _, err = run_cli(["email", str(report), *args, "--dry-run"], capsys)
    assert code == 65
    assert err == f"Error: {message}\n"


def test_not_a_pdf_is_a_data_error(tmp_path: Path, capsys: Any) -> None:
    fake = tmp_path / "r.pdf"
    fake.write_text("hello")
    code, _, err = run_cli(["email", str(fake), "--to", "cfo@x.example", "--dry-run"], capsys)
    assert (code, err) == (65, f"Error: {fake}: not a PDF file\n")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CROSSOVER_SMTP_FROM": "a@x.example"},
            "SMTP host is not set: set CROSSOVER_SMTP_HOST or host under [smtp] in the file given with --config",
        ),
        (
            {
                "CROSSOVER_SMTP_HOST": "h",
                "CROSSOVER_SMTP_FROM": "a@x.example",
                "CROSSOVER_SMTP_SECURITY": "ssl",
            },
            "SMTP security 'ssl': expected one of starttls, tls, none",
        ),
        (
            {
                "CROSSOVER_SMTP_HOST": "h",
                "CROSSOVER_SMTP_FROM": "a@x.example",
                "CROSSOVER_SMTP_PORT": "http",
            },
            "SMTP port 'http': expected a number from 1 to 65535",
        ),
        (
            {
                "CROSSOVER_SMTP_HOST": "h",
                "CROSSOVER_SMTP_FROM": "a@x.example",
                "CROSSOVER_SMTP_USER": "u",
            },
            "SMTP user and password: give both, or neither",
        ),
        (
            {
                "CROSSOVER_SMTP_HOST": "h",
                "CROSSOVER_SMTP_FROM": "a@x.example",
                "CROSSOVER_SMTP_SECURITY": "none",
                "CROSSOVER_SMTP_USER": "u",
                "CROSSOVER_SMTP_PASSWORD": PASSWORD,
            },
            "SMTP security is none, so the password would cross the network unencrypted: use starttls or tls",
        ),
    ],
)
def test_bad_settings_are_data_errors(
    report: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str, capsys: Any
) -> None:
    for key in ("HOST", "PORT", "USER", "PASSWORD", "SECURITY", "FROM", "CA_FILE"):
        monkeypatch.delenv(f"CROSSOVER_SMTP_{key}", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, out, err = run_cli(["email", str(report), "--to", "cfo@x.example"], capsys)
    assert (code, err) == (65, f"Error: {message}\n")
    assert PASSWORD not in out + err


def test_an_unknown_config_key_is_named(report: Path, tmp_path: Path, capsys: Any) -> None:
    config = tmp_path / "smtp.toml"
    config.write_text('[smtp]\nhost = "h"\npasword = "x"\n')
    code, _, err = run_cli(
        ["email", str(report), "--to", "cfo@x.example", "--config", str(config)], capsys
    )
    assert code == 65
    assert err == (
        f"Error: {config}: [smtp] pasword: not a known key (expected: host, port, user, "
        "password, security, from, ca_file)\n"
    )


def test_settings_never_show_the_password() -> None:
    settings = smtp_settings(
        {"host": "h", "from": "a@x.example", "user": USER, "password": PASSWORD}
    )
    assert isinstance(settings, SmtpSettings)
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert settings.port == 587 and settings.security == "starttls"


def test_templates_refuse_a_missing_value() -> None:
    with pytest.raises(UndefinedError):
        _environment().get_template("message.txt.j2").render({})
    with pytest.raises(UndefinedError):
        _environment().get_template("message.html.j2").render({})


# -- header injection through encoded words and control characters (issue 13) -------------

ENCODED_CRLF = "Acme =?utf-8?q?x=0D=0AReply-To:_a@evil.example?="
ENCODED_BLANK_LINE = "Acme =?utf-8?q?=0D=0A=0D=0Aplain_text?="


def _dry_run_message(
    tmp_path: Path, catalogue: Catalogue, client_name: str, capsys: Any, *extra: str
) -> EmailMessage:
    raw = example_raw()
    raw["client"]["client_name"] = client_name
    pdf = blank_pdf(tmp_path / "r.pdf")
    (tmp_path / "r-results.json").write_text(analyse_raw(raw, catalogue).model_dump_json())
    code, _, err = run_cli(
        ["email", str(pdf), "--to", "cfo@x.example", "--dry-run", *extra], capsys
    )
    assert (code, err) == (0, NO_FROM_WARNING)
    message = message_from_bytes((tmp_path / "r.eml").read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize("name", [ENCODED_CRLF, ENCODED_BLANK_LINE])
def test_an_encoded_word_in_the_client_name_never_becomes_a_header(
    name: str,
    tmp_path: Path,
    catalogue: Catalogue,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    # Python 3.11.7 (no CVE-2024-6923 fix) decodes the encoded CR LF into a real header line
    # unless the guard keeps the encoded word from being one.
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    message = _dry_run_message(tmp_path, catalogue, name, capsys)
    assert "Reply-To" not in message
    assert sorted(message.keys()) == [
        "Content-Type",
        "Date",
        "MIME-Version",
        "Message-ID",
        "Subject",
        "To",
    ]
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
    assert message["Subject"].startswith("LLM hosting report for Acme =\u2060?utf-8?q?")
    _, _, attachment = parts(message)
    assert attachment.get_content() == (tmp_path / "r.pdf").read_bytes()


def test_an_encoded_word_in_the_subject_option_stays_text(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    message = _dry_run_message(tmp_path, catalogue, "Acme", capsys, "--subject", ENCODED_CRLF)
    assert "Reply-To" not in message
    assert message["Subject"] == "Acme =\u2060?utf-8?q?x=0D=0AReply-To:_a@evil.example?="


def test_nul_esc_and_bel_in_the_client_name_never_reach_the_subject(
    tmp_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    message = _dry_run_message(
        tmp_path, catalogue, "Ac\x00me\x1b]0;x\x07 Ltd\u2028Bcc: e@x", capsys
    )
    # The email package may fold the line; unfolded, the subject is the name with spaces.
    subject = " ".join(message["Subject"].split())
    assert subject.startswith("LLM hosting report for Ac me ]0;x Ltd Bcc: e@x: ")
    assert "Bcc" not in message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--to", "cfo@x.example", "--subject", "Report\u2028Bcc: e@x"],
            "--subject 'Report\\u2028Bcc: e@x': must be a single line without control characters",
        ),
        (
            ["--to", "cfo@x.example", "--subject", "Report\x00\x1b[2J\x07"],
            "--subject 'Report\\x00\\x1b[2J\\x07': must be a single line without control "
            "characters",
        ),
        (
            ["--to", "jané@exämple.example"],
            "--to 'jané@exämple.example': not an email address (give one address per option, "
            "like cfo@client.example, in ASCII)",
        ),
        (
            ["--to", "=?utf-8?q?x=0D=0ABcc:_e@x.example?= <cfo@x.example>"],
            "--to '=?utf-8?q?x=0D=0ABcc:_e@x.example?= <cfo@x.example>': not an email "
            "address (give one address per option, like cfo@client.example, in ASCII)",
        ),
    ],
)
def test_control_characters_encoded_words_and_non_ascii_addresses_are_refused(
    report: Path, args: list[str], message: str, capsys: Any
) -> None:
    code, _, err = run_cli(["email", str(report), *args, "--dry-run"], capsys)
    assert (code, err) == (65, f"Error: {message}\n")


# -- the consultant's opening and the sender (issue 14) ----------------------------------

OPENING = (
    "Dear Dana,\r\n"
    "\r\n"
    "Thank you for the figures. Before you read the report:\r\n"
    "- the bill you gave is below what these volumes cost on list prices;\r\n"
    "- we suggest a two-week pilot <script>alert(1)</script> & {{ 7*7 }}.\r\n"
    "\r\n"
    "Best regards,\r\n"
    "Jane\r\n"
)


def _opening_file(tmp_path: Path, text: str | bytes = OPENING) -> Path:
    path = tmp_path / "message.txt"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_the_message_opens_the_body_and_from_wins_over_the_configured_sender(
    starttls_server: Server,
    smtp_env: pytest.MonkeyPatch,
    report: Path,
    tmp_path: Path,
    capsys: Any,
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    code, _, err = run_cli(
        [
            "email",
            str(report),
            "--to",
            "cfo@northwind.example",
            "--message",
            str(_opening_file(tmp_path)),
            "--from",
            "Jane Doe <jane@advisory.example>",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    [received] = starttls_server.inbox.received
    assert received.envelope.mail_from == "jane@advisory.example"
    assert isinstance(received.envelope.content, bytes)
    message = message_from_bytes(received.envelope.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["From"] == "Jane Doe <jane@advisory.example>"
    assert message["Message-ID"].endswith("@advisory.example>")
    text, html, _ = parts(message)
    # SMTP carries lines ended by CR LF; the text as written ends them with LF.
    text, html = text.replace("\r\n", "\n"), html.replace("\r\n", "\n")
    assert text.startswith(
        "Dear Dana,\n"
        "\n"
        "Thank you for the figures. Before you read the report:\n"
        "- the bill you gave is below what these volumes cost on list prices;\n"
        "- we suggest a two-week pilot <script>alert(1)</script> & {{ 7*7 }}.\n"
        "\n"
        "Best regards,\n"
        "Jane\n"
        "\n"
        "Northwind Documents: self-host open-weight models or keep paying per-token APIs?\n"
    )
    shown = parse_html(html)
    assert "script" not in shown.tags
    assert shown.tags[:3] == ["html", "head", "meta"]
    body = html.split("<body", 1)[1]
    assert body.index("Dear Dana,") < body.index("<h1")
    assert "<p>Best regards,<br>Jane</p>" in body
    assert (
        "<li>we suggest a two-week pilot &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
        "{{ 7*7 }}.</li>"
    ) in body


def test_the_dry_run_shows_the_opening_and_the_from_line(
    report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    code, out, err = run_cli(
        [
            "email",
            str(report),
            "--to",
            "cfo@northwind.example",
            "--message",
            str(_opening_file(tmp_path)),
            "--from",
            "jane@advisory.example",
            "--dry-run",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    assert out.startswith(
        "From: jane@advisory.example\n"
        "To: cfo@northwind.example\n"
        "Subject: LLM hosting report for Northwind Documents: Adopt the proposed split\n"
        f"Attachment: {report.name}\n"
        "\n"
        "Dear Dana,\n"
        "\n"
        "Thank you for the figures."
    )
    saved = message_from_bytes(report.with_suffix(".eml").read_bytes(), policy=policy.default)
    assert saved["From"] == "jane@advisory.example"


def test_the_dry_run_without_a_sender_warns_and_shows_no_from_line(
    report: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("CROSSOVER_SMTP_FROM", raising=False)
    code, out, err = run_cli(
        ["email", str(report), "--to", "cfo@northwind.example", "--dry-run"], capsys
    )
    assert (code, err) == (0, NO_FROM_WARNING)
    assert out.startswith("To: cfo@northwind.example\nSubject: ")
    assert "From:" not in out


def test_a_real_send_without_a_sender_is_refused_and_nothing_is_sent(
    starttls_server: Server, smtp_env: pytest.MonkeyPatch, report: Path, capsys: Any
) -> None:
    smtp_env.setenv("CROSSOVER_SMTP_PORT", str(starttls_server.port))
    smtp_env.delenv("CROSSOVER_SMTP_FROM")
    code, out, err = run_cli(["email", str(report), "--to", "cfo@northwind.example"], capsys)
    assert (code, out) == (65, "")
    assert err == (
        "Error: no From address is set, so the message cannot be sent: give --from ADDRESS, or "
        "set CROSSOVER_SMTP_FROM or from under [smtp] in the file given with --config\n"
    )
    assert starttls_server.inbox.received == []


def test_a_from_option_that_is_not_one_address_is_refused(report: Path, capsys: Any) -> None:
    code, _, err = run_cli(
        [
            "email",
            str(report),
            "--to",
            "cfo@x.example",
            "--from",
            "me@x.example\r\nBcc: all@x.example",
            "--dry-run",
        ],
        capsys,
    )
    assert (code, err) == (
        65,
        "Error: --from 'me@x.example\\r\\nBcc: all@x.example': not an email address (give one "
        "address per option, like cfo@client.example, in ASCII)\n",
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "Dear Dana,\n\nAll \x1b[2Jclear.\n",
            "a control character (\\x1b) found at line 3, column 5: remove it (the text must be "
            'plain text: paragraphs separated by a blank line, bullets as lines starting with "- ")',
        ),
        (
            "Hello \u202eevil",
            "a control character (\\u202e) found at line 1, column 7: remove it (the text must be "
            'plain text: paragraphs separated by a blank line, bullets as lines starting with "- ")',
        ),
        (
            "Gr\xfc\xdfe".encode("latin-1"),
            "not UTF-8 text (byte 3 cannot be read); save the file as UTF-8 plain text",
        ),
        (
            " \r\n\r\n  ",
            "the message is empty; write the opening of the email in it, or leave out --message",
        ),
        (
            "x" * 8_001,
            "the message is 8,001 characters; a message may be at most 8,000: shorten it",
        ),
        (
            "y" * 40_000,
            "the message file is 40,000 bytes; a message may be at most 8,000 characters: "
            "shorten it",
        ),
    ],
)
def test_a_message_file_that_is_not_plain_text_is_refused_with_the_fix(
    report: Path, tmp_path: Path, content: str | bytes, problem: str, capsys: Any
) -> None:
    path = _opening_file(tmp_path, content)
    code, out, err = run_cli(
        ["email", str(report), "--to", "cfo@x.example", "--message", str(path), "--dry-run"],
        capsys,
    )
    assert (code, out, err) == (65, "", f"Error: {path}: {problem}\n")
    assert not report.with_suffix(".eml").exists()


def test_a_missing_message_file_is_named(report: Path, tmp_path: Path, capsys: Any) -> None:
    missing = tmp_path / "nowhere.txt"
    code, _, err = run_cli(
        ["email", str(report), "--to", "cfo@x.example", "--message", str(missing), "--dry-run"],
        capsys,
    )
    assert (code, err) == (
        65,
        f"Error: {missing}: no such file; --message takes a UTF-8 text file holding the opening "
        "of the email (the greeting and your paragraphs)\n",
    )
