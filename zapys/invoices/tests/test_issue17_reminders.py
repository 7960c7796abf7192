"""Invoice messages greet the client by the first name ("Оксано", not "Марченко Оксана,")
and a reminder with its own text is logged as "Invoice: payment reminder", not as a
"Custom message" (issue 17)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from tests.pages import staff_page
from zapys.core.tenancy import organization_zone
from zapys.invoices import events, rules, services
from zapys.messaging.models import Message


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Invoice: payment reminder"), ("uk", "Рахунок: нагадування про оплату")],
)
def test_a_typed_reminder_greets_by_first_name_under_the_invoice_event(
    staff_client, owner, org, language, label
):
    make_console_accounts(org)
    today = services.local_today(org)
    client = make_client(org, name="Марченко Оксана")
    invoice = services.invoice_create(
        client=client, calculation="manual", amount=30_000, period_start=today, actor=SYSTEM
    )
    rules.dunning_level_create(
        organization=org,
        days_from_due=0,
        actor=SYSTEM,
        template="{customer.first_name}, нагадуємо про оплату {bill.amount}: {bill.url}",
    )
    assert rules.dunning_run(datetime.combine(today, time(10), organization_zone(org))) == 1
    message = Message.objects.get(related_id=str(invoice.pk))
    assert message.event == events.REMINDER_TYPED
    assert message.text.startswith("Оксано, нагадуємо") and "Марченко" not in message.text
    html = unescape(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    assert label in html
    assert "Custom message" not in html and "Довільне повідомлення" not in html


def test_the_default_reminder_greets_by_first_name(org):
    make_console_accounts(org)
    today = services.local_today(org)
    invoice = services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=30_000,
        period_start=today + timedelta(days=3),
        actor=SYSTEM,
    )
    rules.dunning_level_create(organization=org, days_from_due=-3, actor=SYSTEM)
    assert rules.dunning_run(datetime.combine(today, time(10), organization_zone(org))) == 1
    message = Message.objects.get(related_id=str(invoice.pk))
    assert message.event == events.REMINDER
    assert message.text.startswith("Оксано, нагадуємо"), message.text  # the vocative


def test_typed_texts_are_not_offered_in_the_template_editor():
    from zapys.messaging.events import all_events

    codes = {e.code for e in all_events(audience="client")}
    assert events.REMINDER in codes and events.REMINDER_TYPED not in codes
    assert events.INVOICE_LINK_TYPED not in codes
