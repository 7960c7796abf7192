"""Every transport against a local fake of its provider: success, permanent, transient, timeout.

No database and no network beyond 127.0.0.1. The e-mail transport is tested
against a real SMTP server (aiosmtpd) started here.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from django.conf import settings

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    # Standalone run (no project settings yet): the e-mail transport needs only these.
    settings.configure(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="noreply@zapys.test",
    )

from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings

from tests.simulators.sms_gateways import FakeTurboSMS, FakeTwilio
from tests.simulators.telegram import FakeTelegram
from tests.simulators.viber import FakeViber
from zapys.messaging.transports import (
    TRANSPORTS,
    ConsoleTransport,
    EmailTransport,
    OutgoingMessage,
    TelegramTransport,
    Transport,
    TransportError,
    TurboSmsTransport,
    TwilioTransport,
    UnknownTransport,
    ViberTransport,
    get_transport,
    register,
)

FAST = 0.5  # transport timeout for the "provider stalls" cases, in seconds


def sms(
    recipient: str = "+380501234567", text: str = "Нагадування: завтра о 10:00"
) -> OutgoingMessage:
    return OutgoingMessage(channel="sms", recipient=recipient, text=text)


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_fails(
    transport: Transport, message: OutgoingMessage, *, permanent: bool
) -> TransportError:
    with pytest.raises(TransportError) as info:
        transport.send(message)
    assert info.value.permanent is permanent, info.value
    return info.value


# -- registry ------------------------------------------------------------------------


def test_registry_knows_every_transport() -> None:
    assert {code: cls.channel for code, cls in TRANSPORTS.items()} == {
        "console": "console",
        "email": "email",
        "telegram": "telegram",
        "turbosms": "sms",
        "twilio": "sms",
        "viber": "viber",
    }


def test_get_transport_builds_with_base_url_and_timeout() -> None:
    transport = get_transport(
        "turbosms", {"token": "t", "sender": "Zapys"}, base_url="http://x/", timeout=3
    )
    assert isinstance(transport, TurboSmsTransport)
    assert (transport.base_url, transport.timeout) == ("http://x", 3)


def test_get_transport_default_base_url() -> None:
    transport = get_transport("telegram", {"token": "123:abc"})
    assert transport.base_url == "https://api.telegram.org"


def test_unknown_code_raises_lookup_error() -> None:
    with pytest.raises(UnknownTransport):
        get_transport("pigeon", {})


@pytest.mark.parametrize(
    ("code", "credentials"),
    [
        ("turbosms", {"token": "t"}),
        ("twilio", {"account_sid": "AC1", "auth_token": "x"}),
        ("telegram", {}),
        ("viber", {"token": "t"}),
    ],
)
def test_missing_credentials_are_permanent(code: str, credentials: dict[str, str]) -> None:
    with pytest.raises(TransportError) as info:
        get_transport(code, credentials)
    assert info.value.permanent is True
    assert "missing credentials" in str(info.value)


def test_register_refuses_a_taken_code() -> None:
    class Impostor(ConsoleTransport):
        pass

    with pytest.raises(ValueError, match="already taken"):
        register(Impostor)
    assert TRANSPORTS["console"] is ConsoleTransport


def test_error_texts_are_scrubbed_of_credentials() -> None:
    transport = TelegramTransport({"token": "123456:SECRET-bot-token"})
    error = transport.error("failed POST /bot123456:SECRET-bot-token/sendMessage", permanent=False)
    assert "SECRET" not in str(error)
    assert "***" in str(error)


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1", "http://[::1"])
def test_misconfigured_base_url_is_permanent(base_url: str) -> None:
    transport = TelegramTransport({"token": "123456:SECRET-bot-token"}, base_url=base_url)
    error = assert_fails(transport, OutgoingMessage("telegram", "1", "hi"), permanent=True)
    assert "SECRET" not in str(error)


# -- console ---------------------------------------------------------------------------


def test_console_logs_and_never_fails(caplog: pytest.LogCaptureFixture) -> None:
    transport = get_transport("console", {})
    with caplog.at_level(logging.INFO, logger="zapys.messaging.console"):
        first = transport.send(sms(text="Привіт, Олено"))
        second = transport.send(OutgoingMessage(channel="email", recipient="a@b.c", text="x"))
    assert first.provider_message_id.startswith("console-")
    assert first.provider_message_id != second.provider_message_id
    assert first.status == "delivered"
    assert "Привіт, Олено" in caplog.text
    assert "+380501234567" in caplog.text


# -- TurboSMS --------------------------------------------------------------------------


@pytest.fixture
def turbosms() -> Iterator[FakeTurboSMS]:
    with FakeTurboSMS(token="turbo-token") as fake:
        yield fake


def turbo_transport(fake: FakeTurboSMS, timeout: float = 5.0) -> TurboSmsTransport:
    return TurboSmsTransport(
        {"token": "turbo-token", "sender": "Zapys"}, base_url=fake.base_url, timeout=timeout
    )


def test_turbosms_sends(turbosms: FakeTurboSMS) -> None:
    result = turbo_transport(turbosms).send(sms())
    assert len(turbosms.sent) == 1
    sent = turbosms.sent[0]
    assert sent["phone"] == "380501234567"  # digits only, as the gateway wants
    assert (sent["sender"], sent["text"]) == ("Zapys", "Нагадування: завтра о 10:00")
    assert result.provider_message_id == sent["message_id"]
    assert result.status == "sent"
    assert turbosms.requests[0].header("Authorization") == "Bearer turbo-token"


def test_turbosms_passes_the_key_as_sequence_id_and_the_gateway_runs_it_once(
    turbosms: FakeTurboSMS,
) -> None:
    keyed = OutgoingMessage(
        channel="sms", recipient="+380501234567", text="Hi", idempotency_key="7:visit:1"
    )
    first = turbo_transport(turbosms).send(keyed)
    again = turbo_transport(turbosms).send(keyed)  # e.g. after an answer that was lost
    other = turbo_transport(turbosms).send(
        OutgoingMessage(
            channel="sms", recipient="+380501234567", text="Hi", idempotency_key="7:visit:2"
        )
    )
    ids = [r.json()["sequence_id"] for r in turbosms.requests]
    assert ids[0] == ids[1] != ids[2]
    assert all(isinstance(i, int) and 0 < i < 2**53 for i in ids)
    assert again.provider_message_id == first.provider_message_id  # 507: the first result
    assert turbosms.duplicates == 1 and len(turbosms.sent) == 2
    assert other.provider_message_id != first.provider_message_id
    # Without a key nothing is sent as sequence_id (and nothing is deduplicated).
    turbo_transport(turbosms).send(sms())
    assert "sequence_id" not in turbosms.requests[-1].json()


@pytest.mark.parametrize("mode", ["invalid_number", "stoplist", "bad_token"])
def test_turbosms_permanent_errors(turbosms: FakeTurboSMS, mode: str) -> None:
    turbosms.fail(mode)
    error = assert_fails(turbo_transport(turbosms), sms(), permanent=True)
    assert turbosms.sent == []
    assert {"invalid_number": "305", "stoplist": "404", "bad_token": "301"}[mode] in str(error)


def test_turbosms_invalid_number_per_recipient(turbosms: FakeTurboSMS) -> None:
    turbosms.invalid_numbers.add("380000000000")
    assert_fails(turbo_transport(turbosms), sms("+380000000000"), permanent=True)


def test_turbosms_empty_number_is_permanent_without_a_request(turbosms: FakeTurboSMS) -> None:
    assert_fails(turbo_transport(turbosms), sms("ab"), permanent=True)
    assert turbosms.requests == []


@pytest.mark.parametrize("mode", ["server_error", "gateway_error", "no_balance", "disconnect"])
def test_turbosms_transient_errors(turbosms: FakeTurboSMS, mode: str) -> None:
    turbosms.fail(mode)
    assert_fails(turbo_transport(turbosms), sms(), permanent=False)
    assert turbosms.sent == []


def test_turbosms_timeout_is_transient(turbosms: FakeTurboSMS) -> None:
    turbosms.fail("timeout")
    error = assert_fails(turbo_transport(turbosms, timeout=FAST), sms(), permanent=False)
    assert "timed out" in str(error)


def test_turbosms_down_for_two_requests_then_recovers(turbosms: FakeTurboSMS) -> None:
    turbosms.down(2)
    transport = turbo_transport(turbosms)
    for _ in range(2):
        assert_fails(transport, sms(), permanent=False)
    assert transport.send(sms()).provider_message_id
    assert len(turbosms.requests) == 3
    assert len(turbosms.sent) == 1


def test_turbosms_unreachable_is_transient() -> None:
    transport = TurboSmsTransport(
        {"token": "t", "sender": "Zapys"}, base_url=f"http://127.0.0.1:{closed_port()}"
    )
    assert_fails(transport, sms(), permanent=False)


# -- Twilio ----------------------------------------------------------------------------

TWILIO_SID = "AC" + "1" * 32


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid=TWILIO_SID, auth_token="twilio-token") as fake:
        yield fake


def twilio_transport(fake: FakeTwilio, timeout: float = 5.0, **extra: str) -> TwilioTransport:
    credentials = {"account_sid": TWILIO_SID, "auth_token": "twilio-token", **extra}
    credentials.setdefault("from_number", "+15005550006")
    return TwilioTransport(credentials, base_url=fake.base_url, timeout=timeout)


def test_twilio_sends(twilio: FakeTwilio) -> None:
    result = twilio_transport(twilio).send(sms(text="Hello"))
    assert twilio.sent[0]["to"] == "+380501234567"
    assert twilio.sent[0]["from"] == "+15005550006"
    assert twilio.sent[0]["body"] == "Hello"
    assert result.provider_message_id == twilio.sent[0]["sid"]
    assert result.provider_message_id.startswith("SM")
    assert result.raw is not None and "body" not in result.raw


def test_twilio_messaging_service(twilio: FakeTwilio) -> None:
    transport = twilio_transport(twilio, from_number="", messaging_service_sid="MG123")
    transport.send(sms())
    assert twilio.sent[0]["MessagingServiceSid"] == "MG123"
    assert "From" not in twilio.sent[0]


def test_twilio_needs_a_sender() -> None:
    with pytest.raises(TransportError) as info:
        TwilioTransport({"account_sid": TWILIO_SID, "auth_token": "x"})
    assert info.value.permanent


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("invalid_number", "21211"),
        ("not_mobile", "21614"),
        ("unsubscribed", "21610"),
        ("bad_token", "20003"),
    ],
)
def test_twilio_permanent_errors(twilio: FakeTwilio, mode: str, code: str) -> None:
    twilio.fail(mode)
    error = assert_fails(twilio_transport(twilio), sms(), permanent=True)
    assert code in str(error)


def test_twilio_wrong_token_is_permanent(twilio: FakeTwilio) -> None:
    transport = TwilioTransport(
        {"account_sid": TWILIO_SID, "auth_token": "wrong-token", "from_number": "+1500"},
        base_url=twilio.base_url,
    )
    error = assert_fails(transport, sms(), permanent=True)
    assert "wrong-token" not in str(error)


@pytest.mark.parametrize("mode", ["server_error", "rate_limited", "queue_full", "disconnect"])
def test_twilio_transient_errors(twilio: FakeTwilio, mode: str) -> None:
    twilio.fail(mode)
    assert_fails(twilio_transport(twilio), sms(), permanent=False)


def test_twilio_timeout_is_transient(twilio: FakeTwilio) -> None:
    twilio.fail("timeout")
    assert_fails(twilio_transport(twilio, timeout=FAST), sms(), permanent=False)


# -- Telegram --------------------------------------------------------------------------

BOT_TOKEN = "123456:TEST-bot-token"


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=BOT_TOKEN) as fake:
        yield fake


def telegram_transport(
    fake: FakeTelegram, timeout: float = 5.0, token: str = BOT_TOKEN
) -> TelegramTransport:
    return TelegramTransport({"token": token}, base_url=fake.base_url, timeout=timeout)


def tg(chat_id: str = "424242", text: str = "Ваш запис підтверджено") -> OutgoingMessage:
    return OutgoingMessage(channel="telegram", recipient=chat_id, text=text)


def test_telegram_sends(telegram: FakeTelegram) -> None:
    result = telegram_transport(telegram).send(tg())
    assert telegram.sent == [
        {"chat_id": "424242", "text": "Ваш запис підтверджено", "message_id": 1}
    ]
    assert result.provider_message_id == "424242:1"
    assert telegram.requests[0].path == f"/bot{BOT_TOKEN}/sendMessage"


def test_telegram_blocked_bot_is_permanent(telegram: FakeTelegram) -> None:
    telegram.blocked_chats.add("424242")
    error = assert_fails(telegram_transport(telegram), tg(), permanent=True)
    assert "bot was blocked by the user" in str(error)


def test_telegram_chat_not_found_is_permanent(telegram: FakeTelegram) -> None:
    telegram.fail("chat_not_found")
    error = assert_fails(telegram_transport(telegram), tg(), permanent=True)
    assert "chat not found" in str(error)


def test_telegram_bad_token_is_permanent_and_not_leaked(telegram: FakeTelegram) -> None:
    error = assert_fails(
        telegram_transport(telegram, token="999:WRONG-token"), tg(), permanent=True
    )
    assert "401" in str(error)
    assert "WRONG-token" not in str(error)


def test_telegram_rate_limit_is_transient_with_retry_after(telegram: FakeTelegram) -> None:
    telegram.retry_after = 7
    telegram.fail("rate_limited", times=1)
    transport = telegram_transport(telegram)
    error = assert_fails(transport, tg(), permanent=False)
    assert error.retry_after == 7
    assert "retry after 7" in str(error)
    assert transport.send(tg()).provider_message_id == "424242:1"


@pytest.mark.parametrize("mode", ["server_error", "disconnect"])
def test_telegram_transient_errors(telegram: FakeTelegram, mode: str) -> None:
    telegram.fail(mode)
    assert_fails(telegram_transport(telegram), tg(), permanent=False)


def test_telegram_timeout_is_transient(telegram: FakeTelegram) -> None:
    telegram.fail("timeout")
    error = assert_fails(telegram_transport(telegram, timeout=FAST), tg(), permanent=False)
    assert BOT_TOKEN not in str(error)


# -- Viber -----------------------------------------------------------------------------

VIBER_USER = "01234567890A="


@pytest.fixture
def viber() -> Iterator[FakeViber]:
    with FakeViber(token="viber-token") as fake:
        yield fake


def viber_transport(fake: FakeViber, timeout: float = 5.0, **extra: str) -> ViberTransport:
    credentials = {"token": "viber-token", "sender_name": "Студія Запис", **extra}
    return ViberTransport(credentials, base_url=fake.base_url, timeout=timeout)


def vb(key: str = "") -> OutgoingMessage:
    return OutgoingMessage(
        channel="viber", recipient=VIBER_USER, text="Нагадування", idempotency_key=key
    )


def test_viber_sends(viber: FakeViber) -> None:
    result = viber_transport(viber).send(vb("outbox-17"))
    sent = viber.sent[0]
    assert sent["receiver"] == VIBER_USER
    assert (sent["type"], sent["text"]) == ("text", "Нагадування")
    assert sent["sender"] == {"name": "Студія Запис"}
    assert sent["tracking_data"] == "outbox-17"
    assert result.provider_message_id == str(sent["message_token"])


def test_viber_long_sender_name_is_cut_to_28(viber: FakeViber) -> None:
    viber_transport(viber, sender_name="S" * 40).send(vb())
    assert viber.sent[0]["sender"]["name"] == "S" * 28


@pytest.mark.parametrize(
    ("mode", "code"), [("not_subscribed", "6"), ("not_registered", "5"), ("bad_token", "2")]
)
def test_viber_permanent_errors(viber: FakeViber, mode: str, code: str) -> None:
    viber.fail(mode)
    error = assert_fails(viber_transport(viber), vb(), permanent=True)
    assert str(error).startswith(f"viber: {code} ")


def test_viber_unsubscribed_user_is_permanent(viber: FakeViber) -> None:
    viber.not_subscribed.add(VIBER_USER)
    assert_fails(viber_transport(viber), vb(), permanent=True)


@pytest.mark.parametrize("mode", ["rate_limited", "server_error", "disconnect"])
def test_viber_transient_errors(viber: FakeViber, mode: str) -> None:
    viber.fail(mode)
    assert_fails(viber_transport(viber), vb(), permanent=False)


def test_viber_timeout_is_transient(viber: FakeViber) -> None:
    viber.fail("timeout")
    assert_fails(viber_transport(viber, timeout=FAST), vb(), permanent=False)


# -- e-mail ----------------------------------------------------------------------------


class SmtpHandler:
    """aiosmtpd handler that records messages and can refuse recipients or defer data."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.refused: set[str] = set()
        self.defer_data = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.defer_data:
            return "451 4.3.0 Try again later"
        self.envelopes.append(envelope)
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 2.0.0 Ok: queued"


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    port = closed_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def email_transport(port: int, **extra: Any) -> EmailTransport:
    credentials = {
        "host": "127.0.0.1",
        "port": port,
        "username": "",
        "password": "",
        "use_tls": False,
        "from_email": "Студія <studio@example.com>",
        **extra,
    }
    return EmailTransport(credentials, timeout=5)


def mail_to(address: str = "olena@example.com", **fields: str) -> OutgoingMessage:
    values = {"text": "Ваш запис на завтра о 10:00.", "subject": "Нагадування про візит", **fields}
    return OutgoingMessage(channel="email", recipient=address, **values)  # type: ignore[arg-type]


def test_email_arrives_over_smtp(smtp: tuple[SmtpHandler, int]) -> None:
    handler, port = smtp
    result = email_transport(port).send(mail_to(html="<p>Ваш запис <b>завтра</b></p>"))
    assert len(handler.messages) == 1
    received = handler.messages[0]
    assert received["Subject"] == "Нагадування про візит"
    assert received["To"] == "olena@example.com"
    assert "studio@example.com" in received["From"]
    assert received["Message-ID"] == result.provider_message_id
    assert result.provider_message_id.endswith("@example.com>")
    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert plain is not None and "Ваш запис на завтра о 10:00." in plain.get_content()
    assert html is not None and "<b>завтра</b>" in html.get_content()
    assert handler.envelopes[0].rcpt_tos == ["olena@example.com"]


def test_email_message_id_is_stable_for_an_idempotency_key(smtp: tuple[SmtpHandler, int]) -> None:
    _, port = smtp
    transport = email_transport(port)
    first = transport.send(mail_to(idempotency_key="outbox-1"))
    again = transport.send(mail_to(idempotency_key="outbox-1"))
    other = transport.send(mail_to(idempotency_key="outbox-2"))
    assert first.provider_message_id == again.provider_message_id != other.provider_message_id


def test_email_subject_newlines_cannot_inject_headers(smtp: tuple[SmtpHandler, int]) -> None:
    handler, port = smtp
    email_transport(port).send(mail_to(subject="Привіт\nBcc: victim@example.com"))
    received = handler.messages[0]
    assert received["Bcc"] is None
    assert received["Subject"] == "Привіт Bcc: victim@example.com"
    assert handler.envelopes[0].rcpt_tos == ["olena@example.com"]


def test_email_refused_recipient_is_permanent(smtp: tuple[SmtpHandler, int]) -> None:
    handler, port = smtp
    handler.refused.add("nobody@example.com")
    error = assert_fails(email_transport(port), mail_to("nobody@example.com"), permanent=True)
    assert "550" in str(error)
    assert handler.messages == []


def test_email_invalid_address_is_permanent(smtp: tuple[SmtpHandler, int]) -> None:
    handler, port = smtp
    assert_fails(email_transport(port), mail_to("not an address"), permanent=True)
    assert_fails(
        email_transport(port), mail_to("a@example.com\nBcc: b@example.com"), permanent=True
    )
    assert handler.envelopes == []


def test_email_deferred_by_server_is_transient(smtp: tuple[SmtpHandler, int]) -> None:
    handler, port = smtp
    handler.defer_data = True
    error = assert_fails(email_transport(port), mail_to(), permanent=False)
    assert "451" in str(error)


def test_email_unreachable_server_is_transient() -> None:
    assert_fails(email_transport(closed_port()), mail_to(), permanent=False)


def test_email_without_credentials_uses_the_default_backend() -> None:
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DEFAULT_FROM_EMAIL="noreply@zapys.test",
    ):
        mail.outbox = []
        result = EmailTransport({}).send(mail_to())
        assert len(mail.outbox) == 1
        sent = mail.outbox[0]
    assert sent.subject == "Нагадування про візит"
    assert sent.from_email == "noreply@zapys.test"
    assert sent.extra_headers["Message-ID"] == result.provider_message_id
