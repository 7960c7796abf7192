"""A Ukrainian message greets in the vocative (issue 17): «Оксано, нагадуємо…», not
«Оксана, …»; an English one by the first name as it is; a company neutrally, as before."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories_clients import make_client
from tests.factories_messaging import make_console_accounts
from zapys.clients.services import client_update
from zapys.core.audit import Actor
from zapys.messaging.events import register_event
from zapys.messaging.rendering import NO_NAME, greeting_for, render_template
from zapys.messaging.services import message_send

pytestmark = pytest.mark.django_db

register_event(
    "tests.vocative",
    label="Vocative",
    variables=[("client.first_name", "First name"), ("visit_time", "Time")],
    defaults={"sms": "{client.first_name}, see you at {visit_time}"},
)


def _sms(org, actor, client, key: str = "v1") -> str:
    message = message_send(
        organization=org,
        event="tests.vocative",
        variables={"visit_time": "10:00"},
        actor=actor,
        client=client,
        idempotency_key=key,
    )
    assert message is not None and message.channel == "sms"
    return message.text


@pytest.mark.parametrize(("language", "greeting"), [("uk", "Оксано"), ("en", "Оксана")])
def test_an_sms_greets_in_the_organizations_language(org, actor, language, greeting):
    org.language = language
    org.save(update_fields=["language"])
    make_console_accounts(org)
    client = make_client(org, "Марченко Оксана")
    # the page the sender is on speaks the other language: the message's language decides
    with translation.override("en" if language == "uk" else "uk"):
        text = _sms(org, actor, client)
    assert text == f"{greeting}, see you at 10:00"


def test_the_form_staff_wrote_wins_over_the_rule(org, actor):
    make_console_accounts(org)
    client = make_client(org, "Коваль Наталя")
    assert _sms(org, actor, client, key="rule").startswith("Наталю, ")
    client_update(client=client, actor=Actor.system("tests"), first_name_vocative="Натале")
    assert _sms(org, actor, client, key="staff").startswith("Натале, ")


def test_a_name_the_rule_does_not_know_is_greeted_as_written(org, actor):
    make_console_accounts(org)
    assert _sms(org, actor, make_client(org, "Smith John")).startswith("John, ")


def test_a_company_is_still_greeted_neutrally(org, actor):
    make_console_accounts(org)
    company = make_client(org, "ФОП Мельник А. В.", client_type="legal_entity")
    assert _sms(org, actor, company) == "Вітаємо! See you at 10:00"


@pytest.mark.parametrize(("language", "greeting"), [("uk", "Андрію"), ("en", "Андрій")])
def test_render_template_reads_the_active_language(org, language, greeting):
    client = make_client(org, "Кравець Андрій")
    with translation.override(language):
        text = render_template("{first_name}, hi", {"client": client})
    assert text == f"{greeting}, hi"


def test_a_senders_own_first_name_is_not_declined(org):
    client = make_client(org, "Кравець Андрій")
    with translation.override("uk"):
        text = render_template(
            "{client.first_name}, hi", {"client": client, "client.first_name": "Андрій"}
        )
    assert text == "Андрій, hi"


def test_greeting_for_a_sender_that_fills_the_greeting_itself(org):
    person = make_client(org, "Марченко Оксана")
    company = make_client(org, "ФОП Мельник А. В.", client_type="legal_entity")
    assert greeting_for(person, "uk") == "Оксано"
    assert greeting_for(person, "en") == "Оксана"
    assert greeting_for(company, "uk") is NO_NAME


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{customer.first_name}, нагадуємо про оплату", "Вітаємо! Нагадуємо про оплату"),
        ("Вітаємо, {customer.first_name}! Оплата", "Вітаємо! Оплата"),
        ("Дякуємо, {customer.first_name}, що сплатили", "Дякуємо, що сплатили"),
    ],
)
def test_a_nameless_greeting_given_by_the_sender_is_made_neutral(template, expected):
    with translation.override("uk"):
        text = render_template(
            template, {"customer.first_name": NO_NAME}, allowed=["customer.first_name"]
        )
    assert text == expected


def test_a_nameless_greeting_the_template_may_not_use_stays_as_written():
    text = render_template(
        "{customer.first_name}, hi", {"customer.first_name": NO_NAME}, allowed=[]
    )
    assert text == "{customer.first_name}, hi"
