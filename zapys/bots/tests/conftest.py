"""Bot test fixtures: the organization's Telegram and Viber bots on the local simulators,
webhooks registered at the test server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.simulators.telegram import FakeTelegram
from tests.simulators.viber import FakeViber
from zapys.bots.services import bot_webhook_register
from zapys.core.audit import Actor
from zapys.messaging.models import TransportAccount
from zapys.messaging.services import transport_account_save


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token="123456:bot-token-a", bot_username="salon_a_bot") as fake:
        yield fake


@pytest.fixture
def fake_viber() -> Iterator[FakeViber]:
    with FakeViber(token="viber-token-a", uri="salonabot") as fake:
        yield fake


def make_bot(org, fake, code: str) -> TransportAccount:
    credentials = {"token": fake.token}
    if code == "viber":
        credentials["sender_name"] = "Salon A"
    account = transport_account_save(
        organization=org,
        actor=Actor.system("tests"),
        channel=code,
        code=code,
        credentials=credentials,
        base_url=fake.base_url,
    )
    bot_webhook_register(account=account, actor=Actor.system("tests"))
    account.refresh_from_db()
    return account


@pytest.fixture
def telegram_bot(org, fake_telegram) -> TransportAccount:
    return make_bot(org, fake_telegram, "telegram")


@pytest.fixture
def viber_bot(org, fake_viber) -> TransportAccount:
    return make_bot(org, fake_viber, "viber")
