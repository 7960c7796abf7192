"""Issue 17: the demo's Telegram bot is named like a product ("Telegram bot (demo)"), in
the page's language, with no developer word ("console"); a bot renamed by a person keeps
its name."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from tests.pages import staff_page
from zapys.bots import demo
from zapys.core.audit import Actor
from zapys.core.demo import DemoContext
from zapys.messaging.models import TransportAccount

pytestmark = pytest.mark.django_db


def _demo_bot(org, owner) -> TransportAccount:
    ctx = DemoContext(organization=org, owner=owner, now=timezone.now(), actor=Actor.system("demo"))
    demo.load(ctx)
    return TransportAccount.objects.for_org(org).get(channel="telegram")


def test_the_demo_bot_is_named_in_the_page_language(org, owner, staff_client):
    assert org.language == "uk"
    bot = _demo_bot(org, owner)
    assert bot.name == "Telegram-бот (демо)"  # stored in the organization's language
    page = staff_page(staff_client, owner, "en", "messaging:settings")
    assert "Telegram bot (demo)" in page
    assert "Telegram-бот (демо)" not in page and "console" not in page.lower()
    page = staff_page(staff_client, owner, "uk", "messaging:settings")
    assert "Telegram-бот (демо)" in page
    assert "Telegram bot (demo)" not in page and "консоль" not in page.lower()


def test_an_english_organizations_bot_reads_in_ukrainian(org, owner):
    org.language = "en"
    org.save(update_fields=["language"])
    bot = _demo_bot(org, owner)
    assert bot.name == "Telegram bot (demo)"
    with translation.override("uk"):
        assert bot.display_name == "Telegram-бот (демо)"


def test_the_name_older_demos_stored_is_the_system_name(org, owner, staff_client):
    bot = _demo_bot(org, owner)
    TransportAccount.objects.for_org(org).filter(pk=bot.pk).update(
        name="Telegram bot (demo, console)"
    )
    bot.refresh_from_db()
    for language, shown in (("en", "Telegram bot (demo)"), ("uk", "Telegram-бот (демо)")):
        with translation.override(language):
            assert bot.display_name == shown
            assert str(bot) == shown
        assert shown in staff_page(staff_client, owner, language, "messaging:settings")


def test_a_renamed_bot_keeps_its_name(org, owner, staff_client):
    bot = _demo_bot(org, owner)
    TransportAccount.objects.for_org(org).filter(pk=bot.pk).update(name="Бот салону")
    bot.refresh_from_db()
    for language in ("en", "uk"):
        with translation.override(language):
            assert bot.display_name == "Бот салону"
        page = staff_page(staff_client, owner, language, "messaging:settings")
        assert "Бот салону" in page and "(demo)" not in page and "(демо)" not in page
