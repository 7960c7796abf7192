"""One-time binding tokens and deep links (messaging.services.binding)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from tests.factories import make_staff
from tests.factories_clients import make_client
from zapys.accounts.models import User
from zapys.core.audit import Actor
from zapys.messaging.services import transport_account_save
from zapys.messaging.services.binding import (
    MAX_TOKEN_LENGTH,
    binding_read,
    binding_token_for_client,
    binding_token_for_staff,
    client_deep_links,
    staff_deep_links,
)

TELEGRAM_START = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_client_token_round_trip_and_telegram_alphabet(org):
    client = make_client(org)
    token = binding_token_for_client(client)
    assert TELEGRAM_START.match(token) and len(token) <= MAX_TOKEN_LENGTH
    binding = binding_read(token)
    assert binding is not None
    assert (binding.kind, binding.organization_id, binding.subject_id) == (
        "client",
        org.pk,
        client.pk,
    )


def test_staff_token_names_the_user(org):
    user = make_staff(org, User.Role.ADMINISTRATOR, username="admin-b")
    binding = binding_read(binding_token_for_staff(user, org))
    assert binding is not None and (binding.kind, binding.subject_id) == ("staff", user.pk)


def test_forged_altered_and_expired_tokens_are_refused(org):
    client = make_client(org)
    token = binding_token_for_client(client)
    head = "_".join(token.split("_", 3)[:3])
    signature = token.split("_", 3)[3]
    other_client = token.replace("_", "_1", 1)  # another subject id under the same signature
    assert binding_read(other_client) is None
    assert (
        binding_read(head + "_" + signature[:-1] + ("A" if signature[-1] != "A" else "B")) is None
    )
    assert binding_read("") is None and binding_read("hello") is None
    assert binding_read(token + "x" * 64) is None
    old = binding_token_for_client(client, now=time.time() - 8 * 86400)
    assert binding_read(old) is None
    assert binding_read(old, max_age=timedelta(days=9)) is not None


def test_deep_links_need_the_bot_username_or_uri(org, owner):
    client = make_client(org)
    actor = Actor.staff(owner)
    assert client_deep_links(client) == []
    transport_account_save(
        organization=org,
        actor=actor,
        channel="telegram",
        code="telegram",
        credentials={"token": "123:abc", "username": "@salon_bot"},
    )
    transport_account_save(
        organization=org,
        actor=actor,
        channel="viber",
        code="viber",
        credentials={"token": "v-token", "sender_name": "Salon", "uri": "salon bot"},
    )
    links = {link.channel: link.url for link in client_deep_links(client)}
    token_pattern = r"c[A-Za-z0-9]+_[A-Za-z0-9]+_[A-Za-z0-9]+_[A-Za-z0-9_-]+"
    assert re.fullmatch(rf"https://t\.me/salon_bot\?start={token_pattern}", links["telegram"])
    assert re.fullmatch(rf"viber://pa\?chatURI=salon%20bot&context={token_pattern}", links["viber"])
    token = links["telegram"].split("start=")[1]
    assert binding_read(token).subject_id == client.pk  # type: ignore[union-attr]
    staff = staff_deep_links(owner, org)
    assert [link.channel for link in staff] == ["telegram", "viber"]
    assert binding_read(staff[0].url.split("start=")[1]).kind == "staff"  # type: ignore[union-attr]
