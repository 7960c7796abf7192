"""`{cabinet_url}` in every client message template (K1)."""

from __future__ import annotations

from tests.factories import SYSTEM
from tests.factories_messaging import make_transport_account
from tests.factories_prepayments import make_client
from zapys.messaging.events import CUSTOM_MESSAGE, all_events, get_event
from zapys.messaging.models import Message
from zapys.messaging.rendering import render_template
from zapys.messaging.services import message_send, template_save


def test_every_client_event_offers_the_cabinet_link_and_staff_ones_do_not():
    for event in all_events(audience="client"):
        assert "cabinet_url" in event.variable_names, event.code
        assert event.variable_names.count("cabinet_url") == 1, event.code
    for event in all_events(audience="staff"):
        assert "cabinet_url" not in event.variable_names, event.code


def test_a_template_with_the_link_is_saved_and_sent_filled(org):
    make_transport_account(org, "sms")
    customer = make_client(org)
    template_save(
        organization=org,
        event=CUSTOM_MESSAGE,
        channel="sms",
        text="{text} Your page: {cabinet_url}",
        actor=SYSTEM,
    )
    message_send(
        organization=org,
        event=CUSTOM_MESSAGE,
        variables={"text": "Hello!"},
        actor=SYSTEM,
        client=customer,
        idempotency_key="cabinet-test-1",
    )
    assert Message.objects.get().text == (
        f"Hello! Your page: http://testserver/c/{customer.cabinet_token}/"
    )


def test_the_link_comes_only_from_the_messages_client(org):
    allowed = get_event(CUSTOM_MESSAGE).variable_names
    customer = make_client(org)
    # Without a client there is no link: the placeholder stays as written.
    assert render_template("{cabinet_url}", {"text": "x"}, allowed=allowed) == "{cabinet_url}"
    # A sender's own value of that name wins (the cabinet's "send the link" passes it).
    assert render_template("{cabinet_url}", {"client": customer, "cabinet_url": "X"}) == "X"
    # Outside the allowed names it is never read.
    assert render_template("{cabinet_url}", {"client": customer}, allowed=["text"]) == (
        "{cabinet_url}"
    )
    assert render_template("{cabinet_url}", {"client": customer}, allowed=allowed) == (
        customer.cabinet_url
    )
