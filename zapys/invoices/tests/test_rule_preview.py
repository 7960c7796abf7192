"""A rule's edit page shows the message a client gets with the rule's invoice, as the
reminder's page does and built by the same code (`previews.message_preview`): the rule's
own text with the details filled, else the organization's template, in the organization's
language, filled from an invoice the rule issued. It follows the text and the channel while
they are typed (`invoices:message_preview`, htmx), which reads and changes nothing."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.invoices import previews, rules, services
from zapys.invoices.models import Invoice, InvoiceRule
from zapys.messaging.models import Message

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _rule(org, **fields):
    values = {"name": "Щомісячні", "method": "membership", "account": "all", "channel": "sms"}
    return rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        **{**values, **fields},
    )


def _issued(org, rule) -> Invoice:
    """The rule run once for a client with a membership: one invoice, one message."""
    make_console_accounts(org)
    plan = make_plan(org, name="Йога 8", price=80_000)
    make_membership(
        make_client(org, name="Марченко Оксана"),
        plan,
        mode="free",
        starts_on=services.local_today(org),
    )
    rules.rule_run(rule=rule, actor=SYSTEM)
    return Invoice.objects.get(rule=rule)


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_rule_page_shows_the_message_the_client_got(staff_client, owner, org, language):
    rule = _rule(org, template="{customer.first_name}, рахунок за абонемент: {bill.amount_url}")
    invoice = _issued(org, rule)
    sent = Message.objects.get(related_id=str(invoice.pk)).text
    assert sent == f"Оксано, рахунок за абонемент: 800,00\xa0грн — {invoice.url}"
    html = unescape(staff_page(staff_client, owner, language, "invoices:rule_edit", rule.pk))
    assert sent in html
    assert 'data-testid="invoice-preview"' in html
    if language == "en":
        assert "This is what the client gets." in html
        assert f"The details are as for invoice {invoice.number} (Марченко Оксана)." in html
        assert "Clients get invoices in Ukrainian, the organization's language." in html
    else:
        assert "Так це отримає клієнт." in html
        assert f"Дані — як для рахунку {invoice.number} (Марченко Оксана)." in html
        assert "мовою організації" not in html
    assert "The organization's invoice template:" not in html  # the rule's own text


def test_a_rule_without_a_text_shows_the_organizations_template(staff_client, owner, org):
    rule = _rule(org, template="", channel="")
    invoice = _issued(org, rule)
    sent = Message.objects.get(related_id=str(invoice.pk)).text
    html = unescape(staff_page(staff_client, owner, "uk", "invoices:rule_edit", rule.pk))
    assert "Шаблон рахунку організації:" in html and sent in html
    en = unescape(staff_page(staff_client, owner, "en", "invoices:rule_edit", rule.pk))
    assert "The organization's invoice template:" in en and sent in en


def test_before_any_invoice_the_details_are_named(staff_client, owner, org):
    rule = _rule(org, template="{customer.first_name}: {bill.url}")
    html = unescape(staff_page(staff_client, owner, "uk", "invoices:rule_edit", rule.pk))
    assert "[Ім'я клієнта]: [Посилання на рахунок]" in html
    assert "Рахунків ще немає" in html


def test_the_preview_follows_the_typed_text_and_changes_nothing(staff_client, owner, org):
    rule = _rule(org, template="{customer.first_name}: {bill.url}")
    invoice = _issued(org, rule)
    before = list(InvoiceRule.objects.values()), Message.objects.count(), AuditLog.objects.count()
    url = reverse("invoices:message_preview", args=["invoice"])
    response = staff_client.get(
        url,
        {
            "rule": rule.pk,
            "channel": "email",
            "template": "Доброго дня, {customer.name}! {bill.amount}",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "Доброго дня, Марченко Оксана! 800,00\xa0грн" in html
    assert "<html" not in html  # the preview's box only
    assert invoice.number in html
    # emptied: the organization's template, as the rule would then send it
    emptied = unescape(
        staff_client.get(
            url, {"rule": rule.pk, "channel": "", "template": ""}, **HTMX
        ).content.decode()
    )
    assert "Шаблон рахунку організації:" in emptied and invoice.url in emptied
    assert (
        list(InvoiceRule.objects.values()),
        Message.objects.count(),
        AuditLog.objects.count(),
    ) == before


def test_the_preview_of_a_reminder_is_the_same_code(staff_client, owner, org):
    """The reminder's page and its live preview go through the one `message_preview`."""
    _issued(org, _rule(org))
    level = rules.dunning_level_create(organization=org, days_from_due=0, actor=SYSTEM)
    html = unescape(
        staff_client.get(
            reverse("invoices:message_preview", args=["reminder"]),
            {"channel": "sms", "template": "Нагадуємо, {customer.first_name}"},
            **HTMX,
        ).content.decode()
    )
    assert "Нагадуємо, Оксано" in html and 'data-testid="dunning-text"' in html
    page = unescape(staff_page(staff_client, owner, "uk", "invoices:dunning_edit", level.pk))
    assert 'data-testid="reminder-preview"' in page
    assert reverse("invoices:message_preview", args=["reminder"]) in page


def test_both_pages_render_their_preview_with_message_preview(
    staff_client, owner, org, monkeypatch
):
    kinds = []
    real = previews.message_preview

    def spy(*args, **kwargs):
        kinds.append(kwargs["kind"])
        return real(*args, **kwargs)

    monkeypatch.setattr(previews, "message_preview", spy)
    rule = _rule(org)
    level = rules.dunning_level_create(organization=org, days_from_due=1, actor=SYSTEM)
    staff_page(staff_client, owner, "uk", "invoices:rule_edit", rule.pk)
    staff_page(staff_client, owner, "uk", "invoices:dunning_edit", level.pk)
    staff_page(staff_client, owner, "uk", "invoices:rules")
    assert kinds == ["invoices.invoice_link", "invoices.reminder", "invoices.reminder"]


def test_the_preview_is_not_a_page_and_knows_no_other_kind(staff_client, org):
    url = reverse("invoices:message_preview", args=["invoice"])
    response = staff_client.get(url, {"template": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("invoices:rules")
    missing = reverse("invoices:message_preview", args=["receipt"])
    assert staff_client.get(missing, **HTMX).status_code == 404


def test_another_organizations_rule_fills_nothing(staff_client, org, other_org):
    with org_scope(other_org):
        theirs = _rule(other_org)
        their_invoice = _issued(other_org, theirs)
    html = unescape(
        staff_client.get(
            reverse("invoices:message_preview", args=["invoice"]),
            {"rule": theirs.pk, "template": "{bill.url}"},
            **HTMX,
        ).content.decode()
    )
    assert their_invoice.number not in html and their_invoice.url not in html


def test_the_rule_page_costs_the_same_with_many_invoices(staff_client, owner, org):
    rule = _rule(org, template="{customer.bills.amount_url}")
    _issued(org, rule)
    staff_page(staff_client, owner, "uk", "invoices:rule_edit", rule.pk)  # session, caches

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                staff_client.get(reverse("invoices:rule_edit", args=[rule.pk])).status_code == 200
            )
        return len(captured)

    one = count()
    customer = Invoice.objects.get(rule=rule).client
    for _ in range(4):
        services.invoice_create(client=customer, calculation="manual", amount=100, actor=SYSTEM)
    assert count() == one
