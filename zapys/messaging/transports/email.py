"""E-mail through Django's mail machinery, with the organization's own SMTP server.

Credentials: `host, port, username, password, use_tls, use_ssl, from_email`. With a
host, an explicit SMTP connection is built for the organization (mail goes out
from its own domain and reputation); with no host the project's default
EMAIL_BACKEND is used (console/locmem in development, the platform relay in
production). `base_url` is meaningless for SMTP and ignored.

The Message-ID is set before sending and returned as the provider id, so a bounce
or a reply can be matched to the outbox row. When the message has an
idempotency key the Message-ID is derived from it: a retry after an ambiguous
failure carries the same Message-ID, which lets mail clients drop the duplicate.

Error classes: an invalid address, refused recipients, refused sender, bad SMTP
login and other 5xx replies are permanent; 4xx replies, timeouts and connection
failures are transient.
"""

from __future__ import annotations

import hashlib
import smtplib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.core.validators import validate_email

from .base import OutgoingMessage, SendResult, Transport, TransportError

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_FALLBACK_DOMAIN = "zapys.local"


class EmailTransport(Transport):
    code = "email"
    channel = "email"
    #: smtplib's timeout applies to each command: connect, EHLO, STARTTLS, AUTH, MAIL,
    #: RCPT, DATA and the message itself.
    timeout_steps = 8

    def send(self, message: OutgoingMessage) -> SendResult:
        self._validate_recipient(message.recipient)
        try:
            email = self._build(message)
            sent = email.send(fail_silently=False)
        except Exception as exc:
            raise self._classify(exc) from exc
        if not sent:
            raise self.error("the mail backend sent nothing", permanent=True)
        return SendResult(
            provider_message_id=str(email.extra_headers["Message-ID"]),
            raw={"from": email.from_email, "to": email.to},
        )

    def _validate_recipient(self, recipient: str) -> None:
        try:
            validate_email(recipient)
        except ValidationError:
            raise self.error(f"invalid e-mail address {recipient!r}", permanent=True) from None

    def _build(self, message: OutgoingMessage) -> EmailMultiAlternatives:
        from_email = self._from_email()
        email = EmailMultiAlternatives(
            subject=_single_line(message.subject),
            body=message.text,
            from_email=from_email,
            to=[message.recipient],
            connection=self._connection(),
            headers={"Message-ID": _message_id(message.idempotency_key, from_email)},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    def _from_email(self) -> str:
        return str(self.credentials.get("from_email") or settings.DEFAULT_FROM_EMAIL)

    def _connection(self) -> BaseEmailBackend:
        """The organization's SMTP server, or the project's default backend without a host."""
        if not self.credentials.get("host"):
            return get_connection(fail_silently=False, timeout=self.timeout)
        return get_connection(SMTP_BACKEND, fail_silently=False, **self._smtp_options())

    def _smtp_options(self) -> dict[str, Any]:
        creds = self.credentials
        use_ssl = _flag(creds.get("use_ssl"))
        return {
            "host": str(creds["host"]),
            "port": int(creds.get("port") or (465 if use_ssl else 587)),
            "username": str(creds.get("username") or ""),
            "password": str(creds.get("password") or ""),
            "use_tls": _flag(creds.get("use_tls")) and not use_ssl,
            "use_ssl": use_ssl,
            "timeout": self.timeout,
        }

    def _classify(self, exc: Exception) -> TransportError:
        """Map smtplib/socket failures onto permanent/transient."""
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return self.error(f"recipient refused: {_refusals(exc.recipients)}", permanent=True)
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return self.error(f"SMTP login failed: {exc.smtp_code}", permanent=True)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return self.error(f"SMTP server does not support: {exc}", permanent=True)
        if isinstance(exc, smtplib.SMTPResponseException):
            detail = f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}"
            return self.error(detail, permanent=500 <= exc.smtp_code < 600)
        if isinstance(exc, smtplib.SMTPException | OSError):
            return self.error(f"{type(exc).__name__}: {exc}", permanent=False)
        # Anything else comes from the configuration or from building the message (a
        # bad port, a bad header): retrying the same content fails the same way.
        return self.error(f"{type(exc).__name__}: {exc}", permanent=True)


def _message_id(idempotency_key: str, from_email: str) -> str:
    domain = from_email.rpartition("@")[2].strip(" >") or _FALLBACK_DOMAIN
    if not idempotency_key:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _single_line(subject: str) -> str:
    """Fold newlines: a client's name in a subject must not become a header injection."""
    return " ".join(subject.splitlines()).strip()


def _flag(value: object) -> bool:
    """Credentials may come from forms or JSON: accept True/"1"/"true"/"yes"/"on"."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _refusals(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} ({code} {_decode(reply)})" for address, (code, reply) in recipients.items()
    )


def _decode(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
