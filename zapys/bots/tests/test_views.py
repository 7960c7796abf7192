"""Staff pages of the bot: the settings' "Connect the bot" button and "Notifications in
Telegram"; the management command; a webhook's constant number of queries."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_staff
from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.accounts.models import User
from zapys.bots.models import StaffChat
from zapys.core.audit import Actor, AuditLog
from zapys.core.tenancy import org_scope
from zapys.messaging.models import ClientMessenger
from zapys.messaging.services.binding import binding_read


def test_the_settings_button_registers_the_webhook(staff_client, org, fake_telegram):
    from zapys.bots.tests.conftest import make_bot

    account = make_bot(org, fake_telegram, "telegram")
    fake_telegram.webhook_url = ""
    page = staff_client.get(reverse("messaging:settings"))
    assert f'data-testid="register-webhook-{account.pk}"' in page.content.decode()
    response = staff_client.post(reverse("bots:webhook_register", args=[account.pk]))
    assert response.status_code == 302
    assert fake_telegram.webhook_url.endswith(f"/bots/telegram/{account.pk}/")
    # A refusal is shown in words and registers nothing.
    fake_telegram.webhook_url = ""
    fake_telegram.fail("bad_token", times=1)
    response = staff_client.post(reverse("bots:webhook_register", args=[account.pk]), follow=True)
    assert "401" in response.content.decode() and fake_telegram.webhook_url == ""


def test_a_specialist_cannot_register_and_another_orgs_account_is_404(
    client, org, other_org, fake_telegram
):
    from zapys.bots.tests.conftest import make_bot

    with org_scope(other_org):
        foreign = make_bot(other_org, fake_telegram, "telegram")
    owner = make_staff(org, User.Role.OWNER, username="owner-x")
    specialist = make_staff(org, User.Role.SPECIALIST, username="spec-x")
    fake_telegram.webhook_url = ""
    client.force_login(specialist)
    assert client.post(reverse("bots:webhook_register", args=[foreign.pk])).status_code == 403
    client.force_login(owner)
    assert client.post(reverse("bots:webhook_register", args=[foreign.pk])).status_code == 404
    assert fake_telegram.webhook_url == ""


def test_my_messengers_gives_a_staff_link_and_disconnects(staff_client, org, owner, telegram_bot):
    page = staff_client.get(reverse("bots:my_messengers")).content.decode()
    token = page.split("https://t.me/salon_a_bot?start=")[1].split('"')[0]
    binding = binding_read(token)
    assert binding is not None and (binding.kind, binding.subject_id) == ("staff", owner.pk)
    StaffChat.objects.create(organization=org, user=owner, channel="telegram", chat_id="9")
    assert (
        'data-testid="disconnect"'
        in staff_client.get(reverse("bots:my_messengers")).content.decode()
    )
    staff_client.post(reverse("bots:my_messengers"))
    assert not StaffChat.objects.exists()
    assert AuditLog.objects.filter(action="bots.staff_chat_unlink").count() == 1


def test_management_command(org, fake_telegram, capsys):
    from zapys.bots.tests.conftest import make_bot

    account = make_bot(org, fake_telegram, "telegram")
    fake_telegram.webhook_url = ""
    call_command("bots_webhook", "--org", org.slug)
    assert fake_telegram.webhook_url.endswith(f"/bots/telegram/{account.pk}/")
    assert f"#{account.pk}:" in capsys.readouterr().out
    fake_telegram.fail("bad_token")
    with pytest.raises(CommandError):
        call_command("bots_webhook", "--account", str(account.pk))


def test_an_update_costs_the_same_queries_whatever_the_organization_holds(
    client, org, telegram_bot, fake_telegram
):
    """A linked client's "balance": the same statements with 1 or 30 clients and chats."""

    def balance_queries(user_id: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            fake_telegram.deliver(fake_telegram.user(user_id).text("/balance"), via=client)
        return len(queries)

    first = make_client(org, phone="+380501110000")
    ClientMessenger.objects.create(
        organization=org, client=first, channel="telegram", external_id="1"
    )
    one = balance_queries(1)
    for n in range(2, 31):
        other = make_client(org, phone=f"+3805011100{n:02d}")
        ClientMessenger.objects.create(
            organization=org, client=other, channel="telegram", external_id=str(n)
        )
    assert balance_queries(30) == one


def test_my_messengers_says_why_a_test_mode_bot_has_no_link(staff_client, org, owner):
    from zapys.messaging.services import transport_account_save

    for language, words in (("en", "no Telegram bot yet"), ("uk", "ще не має бота Telegram")):
        page = staff_page(staff_client, owner, language, "bots:my_messengers")
        assert 'data-testid="no-bot"' in page and words in page
        assert "webhook" not in page and "вебхук" not in page
    # The demo's bot: a Telegram account in test mode, which has no address to link to.
    transport_account_save(
        organization=org,
        actor=Actor.system("tests"),
        channel="telegram",
        code="console",
        name="",
        credentials={},
        priority=10,
    )
    for language, words in (("en", "works in test mode"), ("uk", "працює в тестовому режимі")):
        page = staff_page(staff_client, owner, language, "bots:my_messengers")
        assert 'data-testid="test-mode-bot"' in page and words in page
        assert 'data-testid="no-bot"' not in page
