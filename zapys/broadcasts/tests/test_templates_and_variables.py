"""A broadcast's text and its templates (2026-12-05).

- A variable the text cannot fill ("{foo}", "{client.phone}") is refused as the template
  editor refuses it (`messaging.services.placeholders_error`): on the text field, in words,
  on the form (its preview too) and the API (422); no broadcast, no message.
- The organization's broadcast templates (Settings → Message templates → Broadcast) were
  offered for editing and never used: the messages are now written with them. The e-mail's
  subject and text come from the template (the broadcast's text goes in as `{text}`); a
  channel whose template is switched off carries no broadcast, in the estimate as when
  sending.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from tests.factories_clients import make_client
from zapys.broadcasts import services
from zapys.broadcasts.events import BROADCAST
from zapys.broadcasts.models import Broadcast
from zapys.broadcasts.selectors import AudienceSpec, broadcast_text, estimate
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import unscoped
from zapys.messaging.models import Message, MessageTemplate
from zapys.messaging.services import template_save

pytestmark = pytest.mark.django_db

ALL = AudienceSpec("all")
SYSTEM = Actor.system("tests")


def _send(org, text: str, channel: str = "email") -> Message:
    with mock.patch.object(services, "_enqueue"):
        broadcast = services.broadcast_create(
            organization=org, spec=ALL, channel=channel, text=text, send_at=None, actor=SYSTEM
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    return Message.objects.get(related_id=str(broadcast.pk))


# --- unknown variables --------------------------------------------------------------------


def test_the_service_refuses_a_variable_the_text_cannot_fill(org, consoles):
    make_client(org, "Шевченко Олена")
    with pytest.raises(DomainError) as refused:
        services.broadcast_create(
            organization=org,
            spec=ALL,
            channel="",
            text="{first_name}, {client.phone} {foo}",
            send_at=None,
            actor=SYSTEM,
        )
    assert refused.value.status == 422
    assert refused.value.errors == [
        {
            "field": "text",
            "message": "Unknown variables: {client.phone}, {foo}. "
            "Use the variables listed next to the editor.",
        }
    ]
    assert not Broadcast.objects.exists() and not Message.objects.exists()


def test_the_api_answers_422_on_the_text(api, org, consoles):
    make_client(org)
    response = api.post("/api/v1/broadcasts", {"audience": {"all": True}, "text": "Hi {foo}"})
    assert response.status == 422
    assert [e["field"] for e in response.json["errors"]] == ["text"]
    assert "{foo}" in response.json["errors"][0]["message"]
    with unscoped():
        assert not Broadcast.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("action", ["preview", "send"])
def test_the_form_says_it_on_the_text_in_words(org, consoles, staff_client, in_language, action):
    in_language("uk")
    make_client(org, "Шевченко Олена")
    response = staff_client.post(
        "/broadcasts/new/",
        {"audience": "all", "channel": "", "text": "{client.first_name}, {foo}", "action": action},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["text"] == [
        "Невідомі змінні: {foo}. Використовуйте змінні зі списку біля редактора."
    ]
    assert response.context["estimate"] is None
    assert not Broadcast.objects.exists() and not Message.objects.exists()


# --- the organization's templates are used ------------------------------------------------


def test_the_edited_email_template_writes_the_next_broadcasts_email(org, consoles):
    """The owner edits the broadcast's e-mail template: the next broadcast's e-mail has its
    subject and its text around the broadcast's own."""
    client = make_client(org, "Шевченко Олена", phone=None, email="olena@example.com")
    template_save(
        organization=org,
        event=BROADCAST,
        channel="email",
        subject="Новини {organization.name}",
        text="{client.first_name}, вітаємо!\n\n{text}\n\nДо зустрічі, {organization.name}",
        actor=SYSTEM,
    )
    message = _send(org, "Нові години роботи з понеділка")
    assert message.subject == f"Новини {org.name}"
    assert message.text.startswith(
        f"Олено, вітаємо!\n\nНові години роботи з понеділка\n\nДо зустрічі, {org.name}\n\n"
    )
    assert "/u/" in message.text  # the unsubscribe line is still the message's last
    # the preview before sending shows the same
    found = estimate(
        organization=org, spec=ALL, channel="email", text="Нові години", now=timezone.now()
    )
    assert found.preview["email"].startswith("Олено, вітаємо!\n\nНові години\n\n")
    assert client.email == message.recipient


def test_a_template_without_its_own_subject_keeps_the_default_one(org, consoles):
    make_client(org, "Шевченко Олена", phone=None, email="olena@example.com")
    template_save(
        organization=org, event=BROADCAST, channel="email", text="{text}\n— Зоряна", actor=SYSTEM
    )
    message = _send(org, "Нові години роботи")
    assert message.subject == f"{org.name}: Нові години роботи"
    assert message.text.startswith("Нові години роботи\n— Зоряна\n\n")


def test_an_sms_template_frames_the_text_and_is_counted(org, consoles):
    client = make_client(org, "Шевченко Олена")
    template_save(
        organization=org, event=BROADCAST, channel="sms", text="{text} — Зоряна", actor=SYSTEM
    )
    text, subject = broadcast_text(
        organization=org, text="Знижка 20%", client=client, channel="sms"
    )
    assert text.startswith("Знижка 20% — Зоряна\n") and subject == ""
    found = estimate(
        organization=org, spec=ALL, channel="sms", text="Знижка 20%", now=timezone.now()
    )
    assert found.preview["sms"] == text
    assert _send(org, "Знижка 20%", channel="sms").text.startswith("Знижка 20% — Зоряна\n")


def test_a_switched_off_template_carries_no_broadcast(org, consoles):
    make_client(org, "Шевченко Олена", phone="+380501234567", email="olena@example.com")
    template_save(
        organization=org,
        event=BROADCAST,
        channel="sms",
        text="{text}",
        is_enabled=False,
        actor=SYSTEM,
    )
    found = estimate(organization=org, spec=ALL, channel="", text="Привіт", now=timezone.now())
    assert "sms" not in found.by_channel and found.by_channel == {"email": 1}
    assert _send(org, "Привіт", channel="").channel == "email"


def test_every_recipient_gets_the_template(org, consoles):
    """The templates are read once for a batch (`broadcast_templates`), not per client, and
    each client's message is framed by them."""
    MessageTemplate.objects.create(
        organization=org, event=BROADCAST, channel="sms", text="{text} — Зоряна"
    )
    for i in range(5):
        make_client(org, f"Клієнт {i}", phone=f"+38050123450{i}")
    with mock.patch.object(services, "_enqueue"):
        broadcast = services.broadcast_create(
            organization=org, spec=ALL, channel="sms", text="Привіт", send_at=None, actor=SYSTEM
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    texts = list(Message.objects.values_list("text", flat=True))
    assert len(texts) == 5 and all(t.startswith("Привіт — Зоряна\n") for t in texts)
