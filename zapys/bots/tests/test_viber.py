"""The Viber bot against the local REST bot API simulator: set_webhook, forged signatures,
conversation_started with a deep link's context, the share-phone keyboard, a contact, a
family's choice, replays, unsubscribing."""

from __future__ import annotations

import json

import pytest

from tests.factories_clients import make_client
from zapys.bots.models import BotChat, BotUpdate
from zapys.bots.selectors import bot_credentials
from zapys.messaging.models import ClientMessenger
from zapys.messaging.services.binding import binding_token_for_client, client_deep_links

PHONE = "+380501234567"


@pytest.fixture(autouse=True)
def _english(org):
    org.language = "en"
    org.save(update_fields=["language"])


def _linked() -> dict[int, str]:
    return dict(
        ClientMessenger.objects.filter(channel="viber").values_list("client_id", "external_id")
    )


def test_register_sets_the_webhook_and_remembers_the_uri(org, viber_bot, fake_viber):
    assert fake_viber.webhook_url == f"http://testserver/bots/viber/{viber_bot.pk}/"
    assert "conversation_started" in fake_viber.event_types
    assert bot_credentials(viber_bot)["uri"] == "salonabot"
    link = client_deep_links(make_client(org))[0].url
    assert link.startswith("viber://pa?chatURI=salonabot&context=c")


def test_the_signature_is_the_documented_hmac():
    """research.md §3.2: the official library's test vector."""
    from tests.simulators.viber import FakeViber

    fake = FakeViber(token="44dafb7e0f40021e-61a47a1e6778d187-f2c5a676a07050b3")
    body = b'{"event":"webhook","timestamp":4977069964384421269,"message_token":1478683725125}'
    assert fake.signature(body) == (
        "d21b343448c8aee33b8e93768ef6ceb64a6ba6163099973a2b8bd028fea510ef"
    )


def test_forged_signatures_are_refused_and_store_nothing(client, org, viber_bot, fake_viber):
    make_client(org, phone=PHONE)
    user = fake_viber.user("U1=")
    for signature in ("", "0" * 64, fake_viber.signature(b"another body")):
        status, _body = fake_viber.deliver(user.contact(PHONE), via=client, signature=signature)
        assert status == 403
    assert not BotUpdate.objects.exists() and _linked() == {} and fake_viber.sent == []


def test_open_asks_for_the_phone_in_the_welcome_and_a_contact_links(
    client, org, viber_bot, fake_viber
):
    olena = make_client(org, "Olena", phone=PHONE)
    user = fake_viber.user("U1=", "Olena")
    status, body = fake_viber.deliver(user.open(), via=client)
    welcome = json.loads(body)
    assert status == 200 and welcome["type"] == "text" and welcome["min_api_version"] >= 3
    assert welcome["keyboard"]["Buttons"][0]["ActionType"] == "share-phone"
    fake_viber.deliver(user.contact("0501234567"), via=client)
    assert _linked() == {olena.pk: "U1="}
    reply = fake_viber.replies_to("U1=")[-1]
    assert "Olena" in reply["text"]
    assert {b["ActionBody"] for b in reply["keyboard"]["Buttons"]} >= {"cmd:balance", "cmd:pay"}


def test_a_deep_link_context_binds_once(client, org, viber_bot, fake_viber):
    olena = make_client(org, "Olena")
    token = binding_token_for_client(olena)
    _status, body = fake_viber.deliver(fake_viber.user("U1=").open(context=token), via=client)
    assert "Olena" in json.loads(body)["text"]
    assert _linked() == {olena.pk: "U1="}
    _status, body = fake_viber.deliver(fake_viber.user("U2=").open(context=token), via=client)
    assert "already used" in json.loads(body)["text"]
    assert _linked() == {olena.pk: "U1="}


def test_a_family_is_linked_whole_and_chooses_the_card_by_reply_buttons(
    client, org, viber_bot, fake_viber
):
    mother = make_client(org, "Mother", phone=PHONE)
    son = make_client(org, "Son", phone=PHONE)
    user = fake_viber.user("U1=")
    fake_viber.deliver(user.contact(PHONE), via=client)
    assert _linked() == {mother.pk: "U1=", son.pk: "U1="}
    buttons = fake_viber.replies_to("U1=")[-1]["keyboard"]["Buttons"]
    cards = {b["Text"]: b["ActionBody"] for b in buttons if b["ActionBody"][:7] == "client:"}
    assert cards == {"✓ Mother": f"client:{mother.pk}", "Son": f"client:{son.pk}"}
    fake_viber.deliver(fake_viber.user("U2=").text(f"client:{mother.pk}"), via=client)
    assert not BotChat.objects.filter(chat_id="U2=", client__isnull=False).exists()
    fake_viber.deliver(user.text(f"client:{son.pk}"), via=client)
    assert BotChat.objects.get(chat_id="U1=").client_id == son.pk
    assert _linked() == {mother.pk: "U1=", son.pk: "U1="}


def test_replay_and_unsubscribe(client, org, viber_bot, fake_viber):
    olena = make_client(org, phone=PHONE)
    user = fake_viber.user("U1=")
    event = user.contact(PHONE)
    fake_viber.deliver(event, via=client)
    sent = len(fake_viber.sent)
    ClientMessenger.objects.filter(client=olena).delete()
    assert fake_viber.deliver(event, via=client)[0] == 200
    assert _linked() == {} and len(fake_viber.sent) == sent
    fake_viber.deliver(user.text("hi"), via=client)
    fake_viber.deliver(user.contact(PHONE), via=client)
    assert _linked() == {olena.pk: "U1="}
    fake_viber.deliver(user.unsubscribe(), via=client)
    assert _linked() == {}


def test_unknown_number(client, org, viber_bot, fake_viber):
    fake_viber.deliver(fake_viber.user("U1=").contact("+380661112233"), via=client)
    assert "not in our client list" in fake_viber.replies_to("U1=")[-1]["text"]
