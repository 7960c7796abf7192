"""A typed invoice text with a tag that is not one is refused (2026-12-05): "{bill.sum}" in a
rule's, a reminder's or a sent text used to reach the client as written. The template
editor's rule (`messaging.services.placeholders_error`), on the field, in words, on the
staff forms and the API (422); nothing is saved or queued."""

from __future__ import annotations

from datetime import time

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from zapys.core.exceptions import DomainError
from zapys.invoices import rules, services
from zapys.invoices.models import DunningLevel, InvoiceRule
from zapys.messaging.models import Message

RULES = "/finance/invoice-rules/"
UNKNOWN_UK = "Невідомі змінні: {bill.sum}, {foo}."


@pytest.fixture(autouse=True)
def _ukrainian(owner) -> None:
    owner.language = "uk"
    owner.save(update_fields=["language"])


def _rule(org, **fields) -> InvoiceRule:
    return rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        **{"name": "Абонементи", "method": "membership", "channel": "sms", **fields},
    )


def _rows() -> tuple:
    return (
        list(InvoiceRule.objects.values_list("id", "name", "template")),
        list(DunningLevel.objects.values_list("id", "days_from_due", "template")),
        Message.objects.count(),
    )


def test_a_new_rule_with_an_unknown_tag_is_refused_on_its_field(org, staff_client):
    response = staff_client.post(
        RULES,
        {
            "action": "create",
            "name": "Щомісяця",
            "method": "membership",
            "account": "all",
            "period_type": "next",
            "period": "month",
            "pay_window": "1w",
            "every": "month",
            "at": "09:00",
            "day": "1",
            "channel": "sms",
            "template": "{customer.first_name}, {bill.sum} {foo} {bill.url}",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["template"] and errors["template"][0].startswith(UNKNOWN_UK)
    assert UNKNOWN_UK in response.content.decode()
    assert not InvoiceRule.objects.exists()


def test_a_rule_edit_with_an_unknown_tag_changes_nothing(org, staff_client):
    rule = _rule(org, template="{bill.url}")
    before = _rows()
    page = staff_client.get(f"/finance/invoice-rules/{rule.pk}/edit/")
    data = {
        name: value
        for name, value in page.context["form"].initial.items()
        if value not in (None, "") and not isinstance(value, list)
    }
    data.update(
        {
            "name": "Інша назва",
            "template": "{bill.sum} {foo}",
            "every": "month",
            "at": "09:00",
            "day": "1",
        }
    )
    response = staff_client.post(f"/finance/invoice-rules/{rule.pk}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["template"][0].startswith(UNKNOWN_UK)
    assert _rows() == before


def test_a_reminder_with_an_unknown_tag_is_refused_when_added_and_edited(org, staff_client):
    added = staff_client.post(
        RULES,
        {
            "action": "dunning",
            "days": "3",
            "when": "before",
            "channel": "sms",
            "template": "{bill.sum} {foo}",
        },
    )
    assert added.status_code == 200
    assert added.context["level_form"].errors["template"][0].startswith(UNKNOWN_UK)
    assert not DunningLevel.objects.exists()
    level = rules.dunning_level_create(
        organization=org, days_from_due=-3, actor=SYSTEM, template="{bill.url}"
    )
    before = _rows()
    url = f"/finance/invoice-rules/reminders/{level.pk}/"
    edited = staff_client.post(
        url, {"days": "2", "when": "after", "channel": "", "template": "{bill.sum} {foo}"}
    )
    assert edited.status_code == 200
    assert edited.context["form"].errors["template"][0].startswith(UNKNOWN_UK)
    assert _rows() == before


def test_sending_a_typed_text_with_an_unknown_tag_queues_nothing(org, staff_client):
    make_console_accounts(org)
    invoice = services.invoice_create(
        client=make_client(org, name="Оксана"), calculation="manual", amount=10_000, actor=SYSTEM
    )
    response = staff_client.post(
        f"/finance/invoices/{invoice.pk}/",
        {"channel": "sms", "text": "{customer.first_name}, {bill.sum} {foo}"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["text"][0].startswith(UNKNOWN_UK)
    assert not Message.objects.exists()
    # the tags it knows go through, {first_name} is no tag of an invoice's
    with pytest.raises(DomainError) as refused:
        services.invoice_send(invoice=invoice, actor=SYSTEM, text="{first_name} {bill.url}")
    assert refused.value.errors[0]["field"] == "text" and refused.value.status == 422
    services.invoice_send(invoice=invoice, actor=SYSTEM, text="{customer.first_name} {bill.url}")
    assert Message.objects.get().text == f"Оксано {invoice.url}"


def test_a_reminder_saved_before_the_check_still_goes(org):
    """A stored text is not refused when the reminder job sends it (it was checked when
    saved; one saved before the check goes as written rather than not at all)."""
    make_console_accounts(org)
    invoice = services.invoice_create(
        client=make_client(org, name="Оксана"), calculation="manual", amount=10_000, actor=SYSTEM
    )
    services.invoice_send(invoice=invoice, actor=SYSTEM, text="{foo} {bill.url}", check_text=False)
    assert Message.objects.get().text == f"{{foo}} {invoice.url}"


def test_the_api_answers_422_on_the_field_and_saves_nothing(api, org):
    before = _rows()
    rule = api.post(
        "/invoice-rules",
        {
            "name": "Щомісяця",
            "method": "forecast",
            "schedule": {"every": "month", "at": "09:00", "day": 25},
            "template": "{bill.sum}",
        },
    )
    assert rule.status == 422
    assert [e["field"] for e in rule.body["errors"]] == ["template"]
    assert "{bill.sum}" in rule.body["errors"][0]["message"]
    level = api.post("/dunning-levels", {"days_from_due": -3, "template": "{foo}"})
    assert level.status == 422 and level.body["errors"][0]["field"] == "template"
    assert _rows() == before
    created = _rule(org, template="{bill.url}")
    patched = api.patch(f"/invoice-rules/{created.pk}", {"template": "{bill.sum}"})
    assert patched.status == 422 and patched.body["errors"][0]["field"] == "template"
    created.refresh_from_db()
    assert created.template == "{bill.url}"
