"""The Telegram bot against the local Bot API simulator: webhook registration, forged
updates, sharing the phone (own / someone else's, any format), families, `/start <token>`,
the commands, replays, a blocked bot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories_clients import make_client
from tests.factories_ledger import make_entry
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.bots.models import BotChat, BotUpdate, UsedBindingToken
from zapys.bots.selectors import bot_credentials, telegram_secret_token
from zapys.clients.hooks import client_balance
from zapys.core.audit import AuditLog
from zapys.messaging.models import ClientMessenger, MarketingOptOut
from zapys.messaging.services.binding import binding_token_for_client, client_deep_links

PHONE = "+380501234567"


@pytest.fixture(autouse=True)
def _english(org):
    """The bot answers in the organization's language: English here, Ukrainian below."""
    org.language = "en"
    org.save(update_fields=["language"])


def _linked(channel: str = "telegram") -> dict[int, str]:
    return dict(
        ClientMessenger.objects.filter(channel=channel).values_list("client_id", "external_id")
    )


def test_register_sets_the_webhook_with_a_secret_and_remembers_the_username(
    org, telegram_bot, fake_telegram
):
    assert fake_telegram.webhook_url == f"http://testserver/bots/telegram/{telegram_bot.pk}/"
    secret = telegram_secret_token(telegram_bot, bot_credentials(telegram_bot))
    assert fake_telegram.secret_token == secret and len(secret) == 64
    assert bot_credentials(telegram_bot)["username"] == "salon_a_bot"
    links = client_deep_links(make_client(org))
    assert links[0].url.startswith("https://t.me/salon_a_bot?start=c")
    assert AuditLog.objects.filter(action="bots.webhook_register").count() == 1


def test_forged_updates_are_refused_and_store_nothing(client, org, telegram_bot, fake_telegram):
    make_client(org, phone=PHONE)
    user = fake_telegram.user(555)
    real = fake_telegram.secret_token
    for secret in ("", "wrong", real[:-1] + ("1" if real.endswith("0") else "0")):
        status, _body = fake_telegram.deliver(user.contact(PHONE), via=client, secret=secret)
        assert status == 403
    assert not BotUpdate.objects.exists() and not BotChat.objects.exists()
    assert _linked() == {} and fake_telegram.sent == []


def test_start_asks_for_the_phone_and_own_contact_links_with_the_cabinet(
    client, org, telegram_bot, fake_telegram
):
    olena = make_client(org, "Olena", phone=PHONE)
    user = fake_telegram.user(555, "Olena")
    assert fake_telegram.deliver(user.text("/start"), via=client)[0] == 200
    ask = fake_telegram.replies_to(555)[-1]
    assert ask["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert "phone" in ask["text"]
    # Telegram sends the number without "+": normalised before matching.
    assert fake_telegram.deliver(user.contact("380501234567"), via=client)[0] == 200
    assert _linked() == {olena.pk: "555"}
    welcome = fake_telegram.replies_to(555)[-1]["text"]
    assert "Olena" in welcome
    assert f"Your cabinet: http://testserver/c/{olena.cabinet_token}/" in welcome
    assert BotChat.objects.get(chat_id="555").phone == PHONE


def test_a_company_is_welcomed_without_its_name(client, org, telegram_bot, fake_telegram):
    """«Вітаємо, ФОП Мельник А. В.!» read like a form letter: a company with no first name
    of its own is welcomed as messaging's templates greet it."""
    company = make_client(org, "ФОП Мельник А. В.", phone=PHONE, client_type="legal_entity")
    user = fake_telegram.user(556, "Andrii")
    assert fake_telegram.deliver(user.contact(PHONE), via=client)[0] == 200
    assert _linked() == {company.pk: "556"}
    welcome = fake_telegram.replies_to(556)[-1]["text"]
    assert welcome.startswith("Hello! You are connected: we will send your messages here.")
    assert "Мельник" not in welcome


def test_someone_elses_contact_is_refused(client, org, telegram_bot, fake_telegram):
    make_client(org, phone=PHONE)
    user = fake_telegram.user(555)
    fake_telegram.deliver(user.contact(PHONE, user_id=777), via=client)
    reply = fake_telegram.replies_to(555)[-1]
    assert "not your own number" in reply["text"]
    assert reply["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert _linked() == {} and BotChat.objects.get(chat_id="555").phone == ""


def test_phone_in_any_format(client, org, telegram_bot, fake_telegram):
    clients = [make_client(org, phone=f"+38050123450{n}") for n in range(3)]
    formats = ["380501234500", "+380501234501", "0501234502"]
    for n, (raw, expected) in enumerate(zip(formats, clients, strict=True)):
        fake_telegram.deliver(fake_telegram.user(600 + n).contact(raw), via=client)
        assert _linked().get(expected.pk) == str(600 + n), raw


def test_unknown_number_is_told_to_contact_the_business(client, org, telegram_bot, fake_telegram):
    org.phone = "+380441112233"
    org.save(update_fields=["phone"])
    fake_telegram.deliver(fake_telegram.user(555).contact(PHONE), via=client)
    text = fake_telegram.replies_to(555)[-1]["text"]
    assert "not in our client list" in text and "+380441112233" in text
    assert _linked() == {}


def test_a_family_is_linked_whole_and_chooses_the_card_a_forged_choice_is_refused(
    client, org, other_org, telegram_bot, fake_telegram
):
    mother = make_client(org, "Mother", phone=PHONE)
    son = make_client(org, "Son", phone=PHONE)
    stranger = make_client(org, "Stranger")
    user = fake_telegram.user(555)
    fake_telegram.deliver(user.contact(PHONE), via=client)
    # "These are all yours": the chat is linked to every client on the phone at once.
    assert _linked() == {mother.pk: "555", son.pk: "555"}
    choice = fake_telegram.replies_to(555)[-1]
    assert "Mother, Son" in choice["text"] and "Mother's card" in choice["text"]
    buttons = [row[0] for row in choice["reply_markup"]["inline_keyboard"]]
    cards = {b["text"]: b["callback_data"] for b in buttons if b["callback_data"][:7] == "client:"}
    assert cards == {"✓ Mother": f"client:{mother.pk}", "Son": f"client:{son.pk}"}
    assert BotChat.objects.get(chat_id="555").client_id == mother.pk
    fake_telegram.deliver(user.press(f"client:{stranger.pk}"), via=client)  # not their phone
    assert BotChat.objects.get(chat_id="555").client_id == mother.pk
    # Choosing the son moves the commands to his card, and nobody is unlinked.
    fake_telegram.deliver(user.press(f"client:{son.pk}"), via=client)
    assert _linked() == {mother.pk: "555", son.pk: "555"}
    assert BotChat.objects.get(chat_id="555").client_id == son.pk
    assert "Son" in fake_telegram.replies_to(555)[-1]["text"]
    assert fake_telegram.callback_answers  # the button's spinner was stopped
    make_entry(son, amount=12_000)
    fake_telegram.deliver(user.text("/balance"), via=client)
    assert "120.00" in fake_telegram.replies_to(555)[-1]["text"]
    # Another chat that never proved the phone cannot pick the mother.
    fake_telegram.deliver(fake_telegram.user(556).press(f"client:{mother.pk}"), via=client)
    assert _linked() == {mother.pk: "555", son.pk: "555"}
    assert not BotChat.objects.filter(chat_id="556", client__isnull=False).exists()
    # Stop: the whole family's link goes, and everyone is opted out of broadcasts.
    fake_telegram.deliver(user.text("/stop"), via=client)
    assert _linked() == {}
    assert set(MarketingOptOut.objects.values_list("client_id", flat=True)) == {mother.pk, son.pk}


def test_messages_for_each_child_reach_the_parents_chat(client, org, telegram_bot, fake_telegram):
    from zapys.core.audit import Actor
    from zapys.messaging.outbox import deliver_due
    from zapys.messaging.services import message_send_custom

    son = make_client(org, "Son", phone=PHONE)
    daughter = make_client(org, "Daughter", phone=PHONE)
    fake_telegram.deliver(fake_telegram.user(555).contact(PHONE), via=client)
    before = len(fake_telegram.replies_to(555))
    for child in (son, daughter):
        message = message_send_custom(
            client=child, text=f"Hello {child.name}", actor=Actor.system("tests")
        )
        assert (message.channel, message.recipient) == ("telegram", "555")
    deliver_due(now=timezone.now())
    texts = [r["text"] for r in fake_telegram.replies_to(555)[before:]]
    assert texts == ["Hello Son", "Hello Daughter"]


def test_a_chat_of_another_phone_is_not_linked_to_a_stranger(org, telegram_bot):
    """The binding service keeps one chat within one family (the same phone)."""
    from zapys.core.audit import Actor
    from zapys.core.exceptions import Conflict
    from zapys.messaging.services import client_messenger_link

    mother = make_client(org, "Mother", phone=PHONE)
    son = make_client(org, "Son", phone=PHONE)
    stranger = make_client(org, "Stranger", phone="+380671112233")
    actor = Actor.system("tests")
    client_messenger_link(client=mother, channel="telegram", external_id="555", actor=actor)
    client_messenger_link(client=son, channel="telegram", external_id="555", actor=actor)
    with pytest.raises(Conflict):
        client_messenger_link(client=stranger, channel="telegram", external_id="555", actor=actor)
    assert _linked() == {mother.pk: "555", son.pk: "555"}


def test_start_token_binds_once_without_the_phone(client, org, telegram_bot, fake_telegram):
    olena = make_client(org, "Olena")
    token = binding_token_for_client(olena)
    fake_telegram.deliver(fake_telegram.user(555).text(f"/start {token}"), via=client)
    assert _linked() == {olena.pk: "555"}
    assert UsedBindingToken.objects.count() == 1
    # The same link again, from another chat: used.
    fake_telegram.deliver(fake_telegram.user(556).text(f"/start {token}"), via=client)
    assert _linked() == {olena.pk: "555"}
    assert "already used" in fake_telegram.replies_to(556)[-1]["text"]
    # A forged token.
    fake_telegram.deliver(fake_telegram.user(557).text("/start c1_1_1_forged"), via=client)
    assert "not valid" in fake_telegram.replies_to(557)[-1]["text"]
    assert _linked() == {olena.pk: "555"}


def test_a_token_of_another_organization_binds_nothing(
    client, org, other_org, telegram_bot, fake_telegram
):
    from zapys.core.tenancy import org_scope

    with org_scope(other_org):
        foreign = make_client(other_org, "Foreign")
        token = binding_token_for_client(foreign)
    fake_telegram.deliver(fake_telegram.user(555).text(f"/start {token}"), via=client)
    with org_scope(other_org):
        assert not ClientMessenger.objects.exists()
    assert _linked() == {} and not UsedBindingToken.objects.exists()


def test_a_replayed_update_changes_nothing(client, org, telegram_bot, fake_telegram):
    olena = make_client(org, phone=PHONE)
    update = fake_telegram.user(555).contact(PHONE)
    fake_telegram.deliver(update, via=client)
    sent = len(fake_telegram.sent)
    audit = AuditLog.objects.count()
    ClientMessenger.objects.filter(client=olena).delete()
    assert fake_telegram.deliver(update, via=client)[0] == 200
    assert len(fake_telegram.sent) == sent and AuditLog.objects.count() == audit
    assert _linked() == {} and BotUpdate.objects.count() == 1


def test_commands_balance_next_visit_pay_stop(client, org, branch, telegram_bot, fake_telegram):
    olena = make_client(org, "Olena", phone=PHONE)
    user = fake_telegram.user(555)
    fake_telegram.deliver(user.contact(PHONE), via=client)
    make_entry(olena, amount=25_000)
    fake_telegram.deliver(user.text("баланс"), via=client)
    balance = client_balance(olena)
    text = fake_telegram.replies_to(555)[-1]["text"]
    assert ("250.00" in text) and (("owe" in text) == (balance < 0)), (text, balance)
    fake_telegram.deliver(user.press("cmd:next"), via=client)
    assert "no upcoming visits" in fake_telegram.replies_to(555)[-1]["text"]
    specialist = make_specialist(org, branch)
    service = make_service(org, "Manicure")
    start = (timezone.now() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    make_visit(org, client=olena, staff=specialist, service=service, starts_at=start, branch=branch)
    fake_telegram.deliver(user.text("/next"), via=client)
    assert "Manicure" in fake_telegram.replies_to(555)[-1]["text"]
    # A group lesson she is on, earlier than the appointment, is her next visit.
    from zapys.catalog.services import group_create
    from zapys.core.audit import Actor
    from zapys.schedule.services import lesson_create

    actor = Actor.system("tests")
    group = group_create(organization=org, name="Yoga beginners", actor=actor)
    lesson_create(
        organization=org,
        branch=branch,
        staff=specialist,
        group=group,
        starts_at=start - timedelta(days=1),
        duration_minutes=60,
        client_ids=[olena.pk],
        actor=actor,
    )
    fake_telegram.deliver(user.text("/next"), via=client)
    assert "Yoga beginners" in fake_telegram.replies_to(555)[-1]["text"]
    fake_telegram.deliver(user.text("/pay"), via=client)
    assert "Nothing to pay" in fake_telegram.replies_to(555)[-1]["text"]
    fake_telegram.deliver(user.text("/stop"), via=client)
    assert _linked() == {}
    assert MarketingOptOut.objects.filter(client=olena, channel="", source="reply").exists()
    assert "/start" in fake_telegram.replies_to(555)[-1]["text"]
    # Unlinked: a command asks for the phone again.
    fake_telegram.deliver(user.text("/balance"), via=client)
    assert fake_telegram.replies_to(555)[-1]["reply_markup"]["keyboard"]


def test_the_bot_answers_in_the_organizations_language(client, org, telegram_bot, fake_telegram):
    org.language = "uk"
    org.save(update_fields=["language"])
    fake_telegram.deliver(fake_telegram.user(555).text("Привіт"), via=client)
    reply = fake_telegram.replies_to(555)[-1]
    assert "номер" in reply["text"].lower()
    assert reply["reply_markup"]["keyboard"][0][0]["text"] == "Поділитися номером телефону"


def test_a_blocked_bot_unlinks_the_chat(client, org, telegram_bot, fake_telegram):
    olena = make_client(org, phone=PHONE)
    user = fake_telegram.user(555)
    fake_telegram.deliver(user.contact(PHONE), via=client)
    assert _linked() == {olena.pk: "555"}
    assert fake_telegram.deliver(user.block(), via=client)[0] == 200
    assert _linked() == {}


def test_a_reply_refused_with_429_is_queued_and_retried_a_replay_queues_nothing(
    client, org, telegram_bot, fake_telegram
):
    from zapys.bots.events import BOT_REPLY
    from zapys.messaging.models import Message
    from zapys.messaging.outbox import deliver_due

    olena = make_client(org, "Olena", phone=PHONE)
    update = fake_telegram.user(555).contact(PHONE)
    fake_telegram.retry_after = 30
    fake_telegram.fail("rate_limited", times=1)
    assert fake_telegram.deliver(update, via=client)[0] == 200
    assert _linked() == {olena.pk: "555"}
    assert fake_telegram.replies_to(555) == []  # the welcome was refused for now
    queued = Message.objects.get(event=BOT_REPLY)
    assert (queued.channel, queued.recipient, queued.client_id) == ("telegram", "555", olena.pk)
    assert queued.status == Message.Status.QUEUED and "Olena" in queued.text
    # A replay of the same update changes nothing and queues nothing more.
    assert fake_telegram.deliver(update, via=client)[0] == 200
    assert Message.objects.filter(event=BOT_REPLY).count() == 1
    # Not before retry_after; then delivered by the outbox.
    now = timezone.now()
    deliver_due(now=now + timedelta(seconds=10))
    assert fake_telegram.replies_to(555) == []
    deliver_due(now=now + timedelta(seconds=31))
    queued.refresh_from_db()
    assert queued.status == Message.Status.SENT
    assert "Olena" in fake_telegram.replies_to(555)[-1]["text"]
