"""Issue 17 review: "Notifications in messengers" is no dead end. With a bot it shows the
link (a button and the address to open on a phone); without one it says why there is no
link, and gives the owner the way to the setting (anyone else: ask the owner)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_staff
from tests.pages import staff_page
from zapys.accounts.models import User
from zapys.core.audit import Actor
from zapys.messaging.services import transport_account_save

pytestmark = pytest.mark.django_db

SETTINGS_LINK = 'data-testid="to-messaging-settings"'


def test_a_connected_bot_gives_the_link_and_its_address(staff_client, org, owner, telegram_bot):
    for language, words in (("en", "open the address below"), ("uk", "відкрийте адресу нижче")):
        page = staff_page(staff_client, owner, language, "bots:my_messengers")
        assert words in page
        address = page.split('data-testid="link-address-telegram">')[1].split("<")[0]
        assert address.startswith("https://t.me/salon_a_bot?start=")
        assert 'data-testid="connect-telegram"' in page and SETTINGS_LINK not in page


@pytest.mark.parametrize(
    ("language", "why", "what"),
    [
        ("en", "no Telegram bot yet", "Add your Telegram bot"),
        ("uk", "ще не має бота Telegram", "Додайте свого бота Telegram"),
    ],
)
def test_without_a_bot_the_owner_gets_the_way_to_the_setting(
    staff_client, org, owner, language, why, what
):
    page = staff_page(staff_client, owner, language, "bots:my_messengers")
    assert 'data-testid="no-bot"' in page and why in page and what in page
    assert SETTINGS_LINK in page and f'href="{reverse("messaging:settings")}"' in page
    # No "open the link" without a link, and no talk of "the owner" to the owner.
    assert "open the link" not in page and "відкрийте посилання" not in page
    assert "The owner adds" not in page and "власник додає" not in page.lower()


def test_a_test_mode_bot_says_why_and_a_specialist_is_told_to_ask_the_owner(client, org, owner):
    transport_account_save(
        organization=org,
        actor=Actor.system("tests"),
        channel="telegram",
        code="console",
        name="",
        credentials={},
        priority=10,
    )
    specialist = make_staff(org, User.Role.SPECIALIST, username="spec-m")
    client.force_login(specialist)
    for language, why, ask in (
        ("en", "works in test mode", "Ask the owner"),
        ("uk", "працює в тестовому режимі", "Попросіть власника"),
    ):
        page = staff_page(client, specialist, language, "bots:my_messengers")
        assert 'data-testid="test-mode-bot"' in page and why in page
        assert 'data-testid="ask-owner"' in page and ask in page
        assert SETTINGS_LINK not in page


def test_a_bot_not_connected_yet_is_named_so(staff_client, org, owner, fake_telegram):
    transport_account_save(
        organization=org,
        actor=Actor.system("tests"),
        channel="telegram",
        code="telegram",
        credentials={"token": fake_telegram.token},
        base_url=fake_telegram.base_url,
    )  # no webhook registered: its username (the link's address) is not known yet
    for language, words in (("en", "added but not connected"), ("uk", "додано, але не підключено")):
        page = staff_page(staff_client, owner, language, "bots:my_messengers")
        assert 'data-testid="bot-not-connected"' in page and words in page
        assert SETTINGS_LINK in page
