"""Emailing a finished report: the key figures in the body, the PDF attached, sent over SMTP or saved as .eml.

The figures come from the results JSON the report saved beside its PDF, never from a new
analysis. SMTP settings come from CROSSOVER_SMTP_* environment variables or the [smtp]
table of a TOML file. The password is used for the login and nowhere else: not in a
message, an exception, a repr or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import smtplib
import socket
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from importlib.resources import files
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FunctionLoader, StrictUndefined, TemplateNotFound
from pydantic import ValidationError

from crossover.delivery.outputs import SET_KINDS, manifest_path, write_versioned
from crossover.engine.results import Results
from crossover.errors import InputError, ServiceUnavailableError
from crossover.inert import echo, header_text, is_unsafe_char, visible
from crossover.prose import MESSAGE_MAX_CHARS, blocks, tidy
from crossover.summary import display, key_figures, verdict
from crossover.wording import Words

Security = Literal["starttls", "tls", "none"]
SECURITY_MODES: tuple[Security, ...] = ("starttls", "tls", "none")
DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}
SETTING_KEYS = ("host", "port", "user", "password", "security", "from", "ca_file")
"""Keys of the [smtp] table; the environment variables are CROSSOVER_SMTP_ + the key in capitals."""
ENV_PREFIX = "CROSSOVER_SMTP_"
SMTP_TIMEOUT_S = 30.0
MESSAGE_MAX_BYTES = 4 * MESSAGE_MAX_CHARS
"""A --message file larger than this cannot hold at most MESSAGE_MAX_CHARS characters of UTF-8."""
TEMPLATES = "crossover.templates"

# One address per option: "cfo@client.example" or "Jane Doe <cfo@client.example>".
_ADDR_SPEC = re.compile(r"[^@\s<>,;:\"()\[\]\\]+@[^@\s<>,;:\"()\[\]\\]+")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: the server, the security, the sender and the optional login."""

    host: str
    port: int
    security: Security
    from_address: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    """Extra certificate authorities to trust (a company relay with its own CA)."""

    @property
    def where(self) -> str:
        return f"the SMTP server {self.host}:{self.port}"


NO_SENDER = (
    "no From address is set, so the message has no From: line and a real send is refused; "
    f"give --from ADDRESS, or set {ENV_PREFIX}FROM or from under [smtp] in the file given "
    "with --config"
)


def email_report(
    pdf: Path,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str | None = None,
    *,
    config: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    opening: Path | None = None,
    sender: str | None = None,
) -> str:
    """Send the report at `pdf`, opening with the text of the file `opening`; say what was done.

    `sender` (the --from option) wins over the configured From address; without either the
    message is not sent.
    """
    raw = _with_sender(read_smtp_settings(config, environ), sender)
    settings = smtp_settings(raw)
    message = build_message(pdf, to, cc, subject, settings.from_address, _opening(opening))
    send_message(message, settings)
    copies = f", cc {', '.join(cc)}" if cc else ""
    return f"Sent {pdf.name} to {', '.join(to)}{copies} via {settings.host}:{settings.port}"


@dataclass(frozen=True)
class DryRun:
    """A message saved instead of sent: where, what it says, and what is missing for a send."""

    eml: Path
    preview: str
    """The headers and the plain-text body, as a terminal may show them."""
    warnings: tuple[str, ...]
    earlier: str | None = None
    """The name of an earlier message kept beside it (this one took a version suffix)."""


def dry_run(
    pdf: Path,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str | None = None,
    *,
    config: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    opening: Path | None = None,
    sender: str | None = None,
    force: bool = False,
) -> DryRun:
    """Build the message as email_report would, save it as `<pdf stem>.eml` and show it.

    An earlier `<pdf stem>.eml` is kept and this one named `<pdf stem>-2.eml`, `-3`, ... (the
    rule of every output), unless force replaces it.
    """
    raw = _with_sender(read_smtp_settings(config, environ), sender)
    address = _address(raw["from"], "from") if raw.get("from", "").strip() else None
    message = build_message(pdf, to, cc, subject, address, _opening(opening))
    written = write_versioned(
        pdf.parent,
        pdf.stem,
        [(".eml", message.as_bytes())],
        force=force,
        family=SET_KINDS,
        beside=SET_KINDS,
    )
    [eml] = written.paths
    return DryRun(
        eml,
        preview(message),
        () if address is not None else (NO_SENDER,),
        f"{written.asked}.eml" if written.versioned else None,
    )


def _with_sender(raw: dict[str, str], sender: str | None) -> dict[str, str]:
    if sender is None:
        return raw
    return {**raw, "from": _address(sender, "--from")}


def preview(message: EmailMessage) -> str:
    """The headers a reader sees and the plain-text body, every control character inert."""
    headers = [
        f"{name}: {message[name]}"
        for name in ("From", "To", "Cc", "Subject")
        if message[name] is not None
    ]
    headers += [f"Attachment: {a.get_filename()}" for a in message.iter_attachments()]
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    lines = [*headers, "", *text.rstrip("\n").split("\n")]
    return "\n".join(visible(line) for line in lines)


def _opening(path: Path | None) -> str:
    """The text of a --message file, checked: UTF-8, plain, not empty, not too long."""
    if path is None:
        return ""
    try:
        size = path.stat().st_size
        if size > MESSAGE_MAX_BYTES:
            raise InputError(
                f"{path}: the message file is {size:,} bytes; a message may be at most "
                f"{MESSAGE_MAX_CHARS:,} characters: shorten it"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: no such file; --message takes a UTF-8 text file holding the opening of "
            "the email (the greeting and your paragraphs)"
        ) from None
    except OSError as e:
        raise InputError(f"{path}: cannot read the message: {_os_reason(e)}") from None
    try:
        text = tidy(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(
            f"{path}: not UTF-8 text (byte {e.start + 1:,} cannot be read); save the file as "
            "UTF-8 plain text"
        ) from None
    except ValueError as e:
        raise InputError(f"{path}: {e}") from None
    if not text:
        raise InputError(
            f"{path}: the message is empty; write the opening of the email in it, or leave "
            "out --message"
        )
    if len(text) > MESSAGE_MAX_CHARS:
        raise InputError(
            f"{path}: the message is {len(text):,} characters; a message may be at most "
            f"{MESSAGE_MAX_CHARS:,}: shorten it"
        )
    return text


# -- settings ----------------------------------------------------------------------------


def read_smtp_settings(config: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The raw settings: the config file's [smtp] keys, and the environment for any it leaves out.

    The fallback lets a config file hold the server while the password stays in the environment.
    """
    settings = {
        key: environ[ENV_PREFIX + key.upper()]
        for key in SETTING_KEYS
        if environ.get(ENV_PREFIX + key.upper(), "").strip()
    }
    if config is not None:
        settings.update(_read_config(config))
    return settings


def _read_config(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read the SMTP config: {_os_reason(e)}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: cannot read the SMTP config: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML: {e}") from None
    table = data.get("smtp")
    if not isinstance(table, dict):
        raise InputError(f"{path}: no [smtp] table (expected keys: {', '.join(SETTING_KEYS)})")
    unknown = sorted(set(table) - set(SETTING_KEYS))
    if unknown:
        raise InputError(
            f"{path}: [smtp] {', '.join(unknown)}: not a known key "
            f"(expected: {', '.join(SETTING_KEYS)})"
        )
    values: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InputError(f"{path}: [smtp] {key}: expected text or a number")
        values[key] = str(value)
    return values


def smtp_settings(raw: Mapping[str, str]) -> SmtpSettings:
    """Validated settings for sending; InputError names the missing or wrong key."""
    if not raw.get("host", "").strip():
        raise InputError(
            f"SMTP host is not set: set {ENV_PREFIX}HOST or host under [smtp] in the file "
            "given with --config"
        )
    if not raw.get("from", "").strip():
        raise InputError(
            f"no From address is set, so the message cannot be sent: give --from ADDRESS, or "
            f"set {ENV_PREFIX}FROM or from under [smtp] in the file given with --config"
        )
    security = raw.get("security", "starttls").strip().lower()
    if security not in SECURITY_MODES:
        raise InputError(
            f"SMTP security {raw['security']!r}: expected one of {', '.join(SECURITY_MODES)}"
        )
    mode: Security = security
    port = _port(raw.get("port"), mode)
    user = raw.get("user") or None
    password = raw.get("password") or None
    if (user is None) != (password is None):
        raise InputError("SMTP user and password: give both, or neither")
    if password is not None and mode == "none":
        raise InputError(
            "SMTP security is none, so the password would cross the network unencrypted: "
            "use starttls or tls"
        )
    ca_file = Path(raw["ca_file"]) if raw.get("ca_file") else None
    if ca_file is not None and not ca_file.is_file():
        raise InputError(f"SMTP ca_file {ca_file}: no such file")
    return SmtpSettings(
        host=raw["host"].strip(),
        port=port,
        security=mode,
        from_address=_address(raw["from"], "from"),
        user=user,
        password=password,
        ca_file=ca_file,
    )


def _port(value: str | None, security: Security) -> int:
    if value is None or not value.strip():
        return DEFAULT_PORTS[security]
    if not value.strip().isdigit() or not 0 < int(value) < 65536:
        raise InputError(f"SMTP port {value!r}: expected a number from 1 to 65535")
    return int(value)


def _address(value: str, what: str) -> str:
    """One address, as given; refuses lists, header breaks and things that are not addresses."""
    text = value.strip()
    name, addr_spec = parseaddr(text)
    # No control character, no encoded word ("=?") to be decoded into a header, and an
    # ASCII mailbox: SMTP without SMTPUTF8 cannot carry any other.
    well_formed = (
        not any(ch in text for ch in ",;")
        and not any(is_unsafe_char(ch) for ch in text)
        and "=?" not in text
        and addr_spec.isascii()
        and _ADDR_SPEC.fullmatch(addr_spec) is not None
        and text in (addr_spec, formataddr((name, addr_spec)))
    )
    if not well_formed:
        raise InputError(
            f"{what} {echo(value)}: not an email address (give one address per option, "
            "like cfo@client.example, in ASCII)"
        )
    return text


def _addr_spec(address: str) -> str:
    return parseaddr(address)[1]


# -- the message -------------------------------------------------------------------------


def results_path(pdf: Path) -> Path:
    """Where the report saved its results: `<stem>-results.json` beside `<stem>.pdf`."""
    return pdf.with_name(f"{pdf.stem}-results.json")


def load_results(pdf: Path) -> Results:
    """The results saved beside the PDF; InputError when they are missing or not valid."""
    path = results_path(pdf)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            f"{path}: not found; the email's figures come from the results JSON the report "
            "saves beside its PDF (render the report again)"
        ) from None
    except OSError as e:
        raise InputError(f"{path}: cannot read the results: {_os_reason(e)}") from None
    try:
        return Results.model_validate_json(_without_comparison(data))
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise InputError(
            f"{path}: not valid results JSON ({e.error_count()} problem(s); first: "
            f"{where}: {first['msg']}); render the report again"
        ) from None


def _without_comparison(data: bytes) -> bytes:
    """The results alone: `report --compare` adds what changed since an earlier version."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return data  # not JSON: pydantic says so, with the place
    if isinstance(parsed, dict) and "comparison" in parsed:
        del parsed["comparison"]
        return json.dumps(parsed).encode()
    return data


def check_same_run(pdf: Path, document: bytes) -> None:
    """Refuse a PDF and a results JSON that the report's manifest shows came from different runs."""
    manifest = manifest_path(pdf)
    try:
        listed = json.loads(manifest.read_bytes())["files"]
        results = results_path(pdf)
        actual = {
            pdf.name: hashlib.sha256(document).hexdigest(),
            results.name: hashlib.sha256(results.read_bytes()).hexdigest(),
        }
    except FileNotFoundError:
        # Reports written before manifests existed: nothing to compare against.
        return
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(
            f"{manifest}: not a readable report manifest; render the report again"
        ) from None
    mixed = sorted(name for name, digest in actual.items() if listed.get(name) != digest)
    if mixed:
        raise InputError(
            f"{pdf}: {' and '.join(mixed)} do not match the manifest {manifest.name}: the "
            "files beside each other come from different runs (a write was interrupted or a "
            "file was replaced); render the report again"
        )


def build_message(
    pdf: Path,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str | None,
    sender: str | None,
    opening: str = "",
) -> EmailMessage:
    """The MIME message: the opening, the key figures in plain text and HTML, the PDF attached."""
    if not to:
        raise InputError("--to: give at least one recipient")
    recipients = [_address(a, "--to") for a in to]
    copies = [_address(a, "--cc") for a in cc]
    if subject is not None and any(is_unsafe_char(ch) for ch in subject):
        raise InputError(
            f"--subject {echo(subject)}: must be a single line without control characters"
        )
    document = _read_pdf(pdf)
    results = load_results(pdf)
    check_same_run(pdf, document)
    context = _context(results, pdf.name, opening)

    message = EmailMessage(policy=policy.SMTP)
    if sender is not None:
        message["From"] = sender
    message["To"] = ", ".join(recipients)
    if copies:
        message["Cc"] = ", ".join(copies)
    _set_header(
        message,
        "Subject",
        header_text(subject if subject is not None else default_subject(results)),
    )
    message["Date"] = formatdate(localtime=True)
    domain = _addr_spec(sender).rpartition("@")[2] if sender else "crossover.invalid"
    message["Message-ID"] = make_msgid(domain=domain)
    env = _environment()
    message.set_content(env.get_template("message.txt.j2").render(context))
    message.add_alternative(env.get_template("message.html.j2").render(context), subtype="html")
    message.add_attachment(document, maintype="application", subtype="pdf", filename=pdf.name)
    return message


def default_subject(results: Results) -> str:
    client = header_text(results.scenario.client.client_name)
    return f"LLM hosting report for {client}: {verdict(results)}"


def _set_header(message: EmailMessage, name: str, value: str) -> None:
    """Set a header and check that it holds exactly the text given.

    The email package parses what it is given; on an interpreter that decodes an encoded
    word it missed, the header would differ from the text, so that is refused here rather
    than sent.
    """
    message[name] = value
    if str(message[name]) != value:
        raise InputError(f"{name} {echo(value)}: cannot be written as a single header line")


def _read_pdf(pdf: Path) -> bytes:
    if pdf.suffix.lower() != ".pdf":
        raise InputError(f"{pdf}: expected the report's .pdf file")
    try:
        data = pdf.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{pdf}: no such file") from None
    except OSError as e:
        raise InputError(f"{pdf}: cannot read the report: {_os_reason(e)}") from None
    if not data.startswith(b"%PDF-"):
        raise InputError(f"{pdf}: not a PDF file")
    return data


def _context(results: Results, attachment: str, opening: str) -> dict[str, object]:
    client = results.scenario.client
    words = Words(results, display(results))
    return {
        "opening": opening,
        "opening_blocks": blocks(opening),
        "client_name": client.client_name,
        "prepared_by": client.prepared_by,
        "report_date": f"{client.report_date.day} {client.report_date:%B %Y}",
        "verdict": verdict(results),
        "reason": words.reason(),
        "comparison": words.proposal_comparison(),
        "caveat": words.bill_caveat(),
        "figures": [
            (label, value)
            for label, value in key_figures(results)
            if label not in ("Client", "Recommendation")
        ],
        "risks": [words.risk(risk) for risk in words.summary_risks()],
        "attachment": attachment,
    }


def _load_template(name: str) -> str:
    resource = files(TEMPLATES) / "email" / name
    if not resource.is_file():
        raise TemplateNotFound(name)
    return resource.read_text(encoding="utf-8")


def _environment() -> Environment:
    """Jinja2 for the email: HTML escaped, plain text as is, a missing name an error."""
    return Environment(
        loader=FunctionLoader(_load_template),
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# -- sending -----------------------------------------------------------------------------


def send_message(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send over SMTP to every To and Cc address; ServiceUnavailableError says what went wrong."""
    recipients = [
        address.addr_spec
        for name in ("To", "Cc")
        if (header := message[name]) is not None
        for address in header.addresses
    ]
    try:
        with _connect(settings) as smtp:
            if settings.user is not None and settings.password is not None:
                _login(smtp, settings.user, settings.password)
            refused = smtp.send_message(
                message, from_addr=_addr_spec(settings.from_address), to_addrs=recipients
            )
    except ssl.SSLError as e:
        # SSLError is an OSError: it must be told apart before the connection errors.
        raise ServiceUnavailableError(_redact(_tls_failure(e, settings), settings)) from None
    except (smtplib.SMTPException, OSError) as e:
        raise ServiceUnavailableError(_redact(explain_smtp_error(e, settings), settings)) from None
    if refused:
        rejected = "; ".join(
            f"{addr} ({_reply(code, text)})" for addr, (code, text) in refused.items()
        )
        raise ServiceUnavailableError(
            _redact(
                f"{settings.where} rejected recipient(s) {rejected}; "
                "the message went to the others",
                settings,
            )
        )


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    try:
        smtp.login(user, password)
    except UnicodeEncodeError:
        # smtplib sends logins as ASCII; its error would carry the text it could not encode.
        raise InputError(
            "the SMTP user or password has characters other than ASCII, which the login cannot send"
        ) from None


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = _tls_context(settings) if settings.security != "none" else None
    if settings.security == "tls":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=SMTP_TIMEOUT_S, context=context
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
    try:
        if settings.security == "starttls":
            smtp.ehlo()
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as e:
        raise InputError(f"SMTP ca_file {settings.ca_file}: not usable ({_os_reason(e)})") from None


def explain_smtp_error(error: BaseException, settings: SmtpSettings) -> str:
    """What went wrong, in one sentence a consultant can act on."""
    where = settings.where
    match error:
        case smtplib.SMTPAuthenticationError():
            return (
                f"authentication failed at {where} ({_reply(error.smtp_code, error.smtp_error)}); "
                "check the SMTP user and password"
            )
        case smtplib.SMTPRecipientsRefused():
            rejected = "; ".join(
                f"{addr} ({_reply(code, text)})" for addr, (code, text) in error.recipients.items()
            )
            return f"{where} rejected recipient(s) {rejected}"
        case smtplib.SMTPSenderRefused():
            return f"{where} rejected the sender {error.sender} ({_reply(error.smtp_code, error.smtp_error)})"
        case smtplib.SMTPNotSupportedError() if "STARTTLS" in str(error):
            return f"{where} does not offer STARTTLS: set security to tls or none"
        case smtplib.SMTPNotSupportedError() if "AUTH" in str(error):
            return f"{where} does not accept a login (no AUTH): remove the user and password"
        case smtplib.SMTPConnectError():
            return f"{where} refused the session ({_reply(error.smtp_code, error.smtp_error)})"
        case smtplib.SMTPServerDisconnected() if "timed out" in str(error):
            return f"cannot reach {where}: no answer within {SMTP_TIMEOUT_S:g} s"
        case smtplib.SMTPServerDisconnected():
            return f"{where} closed the connection unexpectedly ({error})"
        case smtplib.SMTPResponseException():
            return f"{where} answered {_reply(error.smtp_code, error.smtp_error)}"
        case smtplib.SMTPException():
            return f"SMTP error with {where}: {error}"
        case ConnectionRefusedError():
            return f"cannot connect to {where}: connection refused"
        case socket.gaierror():
            return f"cannot connect to {where}: host not found ({error.strerror})"
        case TimeoutError():
            return f"cannot reach {where}: no answer within {SMTP_TIMEOUT_S:g} s"
        case OSError():
            return f"cannot connect to {where}: {_os_reason(error)}"
    return f"SMTP error with {where}: {type(error).__name__}"


def _tls_failure(error: ssl.SSLError, settings: SmtpSettings) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"TLS failure with {settings.where}: its certificate is not trusted "
            f"({error.verify_message}); give the CA with ca_file if it is a private one"
        )
    if error.reason == "WRONG_VERSION_NUMBER":
        return (
            f"TLS failure with {settings.where}: it did not answer in TLS; for a port that "
            "starts in plain text (often 587) set security to starttls"
        )
    return f"TLS failure with {settings.where}: {error.reason or error}"


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


def _os_reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__


def _redact(text: str, settings: SmtpSettings) -> str:
    """Remove the password, and the base64 forms a login sends it in, from a message."""
    if not settings.password:
        return text
    secrets = [settings.password, _b64(settings.password)]
    if settings.user:
        secrets.append(_b64(f"\0{settings.user}\0{settings.password}"))
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
