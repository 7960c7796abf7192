"""The bot as an owner sets it up, in a real browser: the messaging settings' "Connect the
bot" registers the webhook with the Telegram simulator; the owner opens "Notifications in
Telegram", follows the link in Telegram (the simulator delivers `/start <token>` to the
live server), sees the chat connected, and a staff notification arrives in that chat."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.simulators.telegram import FakeTelegram
from zapys.bots.models import StaffChat
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope
from zapys.messaging import outbox
from zapys.messaging.services import staff_notify, transport_account_save

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
    return org, user


def test_owner_connects_the_bot_and_gets_notifications_in_telegram(browser, live_server, salon):
    org, user = salon
    with FakeTelegram(token="777:browser-token", bot_username="beauty_lab_bot") as fake:
        with org_scope(org):
            account = transport_account_save(
                organization=org,
                actor=Actor.system("tests"),
                channel="telegram",
                code="telegram",
                credentials={"token": fake.token},
                base_url=fake.base_url,
            )
        login(browser, live_server, user.username, PASSWORD)
        browser.get(f"{live_server.url}/settings/messaging/")
        click_and_load(browser, f"[data-testid=register-webhook-{account.pk}]")
        assert fake.webhook_url == f"{live_server.url}/bots/telegram/{account.pk}/"
        # The bot's @username, found with getMe, is shown; the token stays masked.
        assert "beauty_lab_bot" in browser.page_source and fake.token not in browser.page_source
        screenshot(browser, "bots-settings-registered")

        as_phone(browser)
        browser.get(f"{live_server.url}/me/messengers/")
        link = wait_for(browser, "[data-testid=connect-telegram]").get_attribute("href")
        match = re.fullmatch(r"https://t\.me/beauty_lab_bot\?start=(\S+)", link or "")
        assert match, link
        assert_fits_the_width(browser)
        screenshot(browser, "bots-my-messengers-phone")

        # The owner presses Start in Telegram: Telegram posts the update to our webhook.
        status, _body = fake.deliver(fake.user(4242, "Owner").text(f"/start {match[1]}"))
        assert status == 200
        assert (
            "Beauty Lab" in fake.replies_to(4242)[-1]["text"]
        )  # "...of Beauty Lab will come here"
        browser.get(f"{live_server.url}/me/messengers/")
        chats = wait_for(browser, "[data-testid=staff-chats]")
        assert "Telegram" in chats.text
        screenshot(browser, "bots-my-messengers-connected")

        with org_scope(org):
            assert StaffChat.objects.filter(user=user, chat_id="4242").exists()
            staff_notify(organization=org, title="Оплата 500 грн")  # commits: copies queued
            outbox.deliver_due(now=timezone.now())
        assert any("Оплата 500 грн" in m["text"] for m in fake.replies_to(4242))

        click_and_load(browser, "[data-testid=disconnect]")
        with org_scope(org):
            assert not StaffChat.objects.filter(user=user).exists()
        assert wait_for(browser, "[data-testid=staff-chats]").text
