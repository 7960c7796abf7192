"""Invoice pages: the public page in every state and paid end to end through the sandbox;
the staff list (filters, totals, constant queries), bulk archive, issue from the card,
send and the delivery log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.invoices.models import Invoice, InvoicePayment
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.ledger.selectors import account_balance, client_balance
from zapys.messaging.models import Message, StaffNotification
from zapys.payments.models import Payment
from zapys.payments.providers.sandbox import SUCCESS_CARD, THREE_DS_CODE
from zapys.payments.services import payment_succeed


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def sandbox(org):
    return make_account(org, "sandbox")


def _invoice(org, **kwargs):
    client = kwargs.pop("client", None) or make_client(org, name="Коваленко Олена")
    return services.invoice_create(
        client=client,
        calculation="manual",
        amount=kwargs.pop("amount", 40_000),
        actor=SYSTEM,
        **kwargs,
    )


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _sandbox_pay(client, page_html: str, capture) -> None:
    """The payer's card at the sandbox: card → 3-D Secure → the signed callback."""
    fields = {k: v for k, v in _hidden(page_html).items() if k in ("data", "signature")}
    assert fields, "the page shows the provider's form"
    client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": SUCCESS_CARD}
    )
    with capture(execute=True):
        done = client.post(
            "/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE}
        )
    assert done.status_code == 302


def test_public_page_pay_through_the_sandbox_end_to_end(
    org, branch, sandbox, client, sandbox_in_process, django_capture_on_commit_callbacks
):
    org.legal_name, org.offer_url = "ФОП Коваленко", "https://salon.example/offer"
    org.save()
    plan = make_plan(org, name="Танці 8", price=40_000, separate_account=True)
    member = make_client(org, name="Коваленко Олена")
    membership = make_membership(member, plan, mode="credit")
    invoice = services.invoice_create(
        client=member, calculation="membership", membership=membership, actor=SYSTEM
    )
    page = client.get(f"/i/{invoice.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "ФОП Коваленко" in html and 'href="https://salon.example/offer"' in html
    assert "400,00\xa0грн" in html and 'data-testid="go-to-payment"' in html
    assert 'data-testid="checkout-form"' not in html  # no provider form before "Go to payment"
    started = client.post(f"/i/{invoice.token}/", {"action": "start"})
    assert started.status_code == 302
    invoice.refresh_from_db()
    payment = invoice.payment
    assert payment is not None and (payment.purpose, payment.amount) == ("invoice", 40_000)
    # asked again, the same attempt (no second payment)
    client.post(f"/i/{invoice.token}/", {"action": "start"})
    assert Payment.objects.count() == 1
    checkout = client.get(f"/i/{invoice.token}/").content.decode()
    assert 'data-testid="checkout"' in checkout and 'data-purpose="invoice"' in checkout
    _sandbox_pay(client, checkout, django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("paid", 40_000)
    # the money is on the membership's account, with its operation and receipt
    assert account_balance(membership.account) == 0  # the credit sale −400 + 400 paid
    entry = Entry.objects.get(purpose="invoice_payment")
    assert (entry.account_id, entry.amount, entry.cause_id) == (
        membership.account_id,
        40_000,
        str(invoice.pk),
    )
    assert FinancialOperation.objects.get(entry=entry).amount == 40_000
    assert SalesReceipt.objects.filter(client=member).exists()
    assert InvoicePayment.objects.get().entry_id == entry.pk
    assert StaffNotification.objects.filter(title__contains=invoice.number).exists()
    paid_page = client.get(f"/i/{invoice.token}/").content.decode()
    assert 'data-testid="page-state"' in paid_page and "Оплачено" in paid_page
    assert 'data-testid="go-to-payment"' not in paid_page


def test_replayed_callback_counts_nothing_twice(org, branch, sandbox):
    invoice = _invoice(org, allow_partial=True)
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM, amount=15_000)
    payment_succeed(payment=payment, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    services.invoice_payment_succeeded(payment=payment, actor=SYSTEM)  # even called again
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("partially_paid", 15_000)
    assert client_balance(invoice.client) == 15_000
    titles = StaffNotification.objects.filter(title__contains=invoice.number)
    assert [n.title for n in titles] == [
        f"Рахунок {invoice.number} оплачено частково: отримано 150,00\xa0грн"
    ]
    second = services.invoice_payment_start(invoice=invoice, actor=SYSTEM, amount=30_000)
    payment_succeed(payment=second, actor=SYSTEM)
    invoice.refresh_from_db()
    # more than due: paid, and the rest stays on the balance
    assert (invoice.status, invoice.paid_amount) == ("paid", 45_000)
    assert client_balance(invoice.client) == 45_000
    last = StaffNotification.objects.filter(title__contains=invoice.number).latest("id")
    assert last.title == f"Рахунок {invoice.number} оплачено: 300,00\xa0грн"
    assert Entry.objects.filter(purpose="invoice_payment").count() == 2


def test_money_for_an_archived_invoice_stays_on_the_balance(org, branch, sandbox):
    invoice = _invoice(org)
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    assert services.invoice_archive(invoice=invoice, actor=SYSTEM) is None
    payment.refresh_from_db()
    assert payment.status == "expired"  # the open attempt is closed with the link
    payment_succeed(payment=payment, actor=SYSTEM)  # the provider's money came anyway
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("archived", 0)
    assert client_balance(invoice.client) == 40_000
    assert InvoicePayment.objects.get().counted is False
    # the staff are told (once: no "invoice paid" notification for it)
    notified = StaffNotification.objects.filter(title__contains=invoice.number)
    assert [n.title for n in notified] == [f"Гроші за закритий рахунок: {invoice.number}"]


def test_refund_reverses_the_payment(org, branch, sandbox):
    invoice = _invoice(org)
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    payment.refresh_from_db()
    services.invoice_payment_refunded(payment=payment, amount=10_000, actor=SYSTEM)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("partially_paid", 30_000)
    assert client_balance(invoice.client) == 30_000


def test_pay_from_balance_on_the_checkout(org, branch, sandbox, client):
    member = make_client(org)
    make_entry(member, amount=50_000)
    invoice = _invoice(org, client=member)
    client.post(f"/i/{invoice.token}/", {"action": "start"})
    html = client.get(f"/i/{invoice.token}/").content.decode()
    assert 'data-testid="pay-balance"' in html
    assert client.post(f"/i/{invoice.token}/", {"action": "balance"}).status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == ("paid", 40_000)
    assert client_balance(member) == 50_000  # moved from the balance to the invoice's account
    assert Payment.objects.get().status == "expired"


def test_partial_amount_field(org, branch, sandbox, client):
    invoice = _invoice(org, allow_partial=True)
    html = client.get(f"/i/{invoice.token}/").content.decode()
    assert 'data-testid="pay-amount"' in html
    bad = client.post(f"/i/{invoice.token}/", {"action": "start", "amount": "0"})
    assert bad.status_code == 200 and Payment.objects.count() == 0
    client.post(f"/i/{invoice.token}/", {"action": "start", "amount": "150,50"})
    assert Payment.objects.get().amount == 15_050


@pytest.mark.parametrize("state", ["archived", "window_over"])
def test_closed_invoice_shows_the_message_and_the_phone_and_no_form(
    org, branch, sandbox, client, state
):
    org.phone = "+380441234567"
    org.save()
    today = services.local_today(org)
    invoice = _invoice(org, pay_until=today)
    if state == "archived":
        services.invoice_archive(invoice=invoice, actor=SYSTEM)
    else:
        Invoice.objects.filter(pk=invoice.pk).update(
            pay_from=today - timedelta(days=3), pay_until=today - timedelta(days=1)
        )
    html = client.get(f"/i/{invoice.token}/?lang=en").content.decode()
    expected = {
        "archived": "This invoice is closed and can no longer be paid by this link, please "
        "contact the administrator.",
        "window_over": "The payment period of this invoice has expired, please contact the "
        "administrator.",
    }[state]
    assert expected in html
    assert 'href="tel:+380441234567"' in html
    # no payment form (the language switch is two links)
    assert html.count("<form") == 0 and 'data-testid="language-switch"' in html
    refused = client.post(f"/i/{invoice.token}/", {"action": "start"})
    assert refused.status_code == 200 and Payment.objects.count() == 0
    uk = client.get(f"/i/{invoice.token}/?lang=uk").content.decode()
    assert {"archived": "Цей рахунок закрито", "window_over": "Термін оплати цього рахунку минув"}[
        state
    ] in uk


def test_unknown_token_is_404(db, client):
    assert client.get("/i/unknown-token/").status_code == 404


# --------------------------------------------------------------------------- staff


def test_list_filters_totals_and_constant_queries(org, owner, staff_client):
    a, b = make_client(org, name="Alpha"), make_client(org, name="Beta")
    for _ in range(3):
        _invoice(org, client=a, amount=10_000)
    paid = _invoice(org, client=b, amount=20_000)
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=20_000)
    staff_client.get("/finance/invoices/")
    with CaptureQueriesContext(connection) as few:
        page = staff_client.get("/finance/invoices/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="total-count">4<' in html
    assert "500,00\xa0грн" in html or "UAH\xa0500.00" in html  # invoiced
    for _ in range(10):
        _invoice(org, client=a, amount=10_000)
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/finance/invoices/")
    assert len(many) == len(few)
    filtered = staff_client.get("/finance/invoices/", {"status": "paid"}).content.decode()
    assert filtered.count('data-testid="invoice-row"') == 1 and paid.number in filtered
    by_client = staff_client.get("/finance/invoices/", {"search": "beta"}).content.decode()
    assert by_client.count('data-testid="invoice-row"') == 1


def test_bulk_archive_shows_the_protocol(org, owner, staff_client):
    first, paid = _invoice(org), _invoice(org)
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=paid.amount)
    response = staff_client.post("/finance/invoices/archive/", {"ids": [first.pk, paid.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="protocol-row"') == 2
    assert "A paid invoice cannot be archived" in html or "Цей рахунок оплачено" in html
    again = staff_client.post("/finance/invoices/archive/", {"ids": [first.pk]}).content.decode()
    assert "Already archived" in again or "Уже в архіві" in again
    assert dict(Invoice.objects.values_list("id", "status")) == {
        first.pk: "archived",
        paid.pk: "paid",
    }


def test_issue_from_the_client_card(org, owner, staff_client):
    member = make_client(org)
    page = staff_client.get(f"/clients/{member.pk}/invoices/new/")
    assert page.status_code == 200
    response = staff_client.post(
        f"/clients/{member.pk}/invoices/new/",
        {"calculation": "manual", "amount": "1 250,50", "repeatable": "on"},
    )
    invoice = Invoice.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/finance/invoices/{invoice.pk}/"
    )
    assert (invoice.amount, invoice.repeatable, invoice.client_id) == (125_050, True, member.pk)
    bad = staff_client.post(f"/clients/{member.pk}/invoices/new/", {"calculation": "manual"})
    assert bad.status_code == 200 and Invoice.objects.count() == 1
    tab = staff_client.get(f"/clients/{member.pk}/invoices/", HTTP_HX_REQUEST="true")
    assert invoice.number in tab.content.decode()


def test_detail_send_and_delivery_log(org, owner, staff_client):
    make_console_accounts(org)
    invoice = _invoice(org)
    page = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert invoice.url in page and 'data-variable="bill.amount_url"' in page  # named buttons
    response = staff_client.post(
        f"/finance/invoices/{invoice.pk}/",
        {"action": "send", "channel": "sms", "text": "Оплата: {bill.url}"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.text == f"Оплата: {invoice.url}"
    log = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert f"Оплата: {invoice.url}" in log


def test_forecast_breakdown_is_shown(org, branch, owner, staff_client):
    from datetime import datetime, time

    from tests.factories_schedule import make_service, make_specialist, make_visit
    from zapys.core.tenancy import organization_zone

    member = make_client(org)
    staff = make_specialist(org, branch)
    service = make_service(org, price=35_000)
    day = services.local_today(org) + timedelta(days=2)
    make_visit(
        org,
        client=member,
        staff=staff,
        service=service,
        starts_at=datetime.combine(day, time(11), organization_zone(org)),
        branch=branch,
    )
    invoice = services.invoice_create(client=member, calculation="forecast", actor=SYSTEM)
    html = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert 'data-testid="breakdown"' in html and service.name in html
    assert invoice.amount == 35_000


def test_rules_page_create_and_dry_run(org, owner, staff_client):
    from zapys.invoices.models import InvoiceRule

    plan = make_plan(org, price=70_000)
    member = make_client(org, name="Ірина", phone="")
    make_membership(member, plan, mode="free", starts_on=services.local_today(org))
    response = staff_client.post(
        "/finance/invoice-rules/",
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
            "client_status": ["active"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = InvoiceRule.objects.get()
    assert rule.filters == {"client_status": ["active"]}
    page = staff_client.post("/finance/invoice-rules/", {"action": "dry_run", "rule": rule.pk})
    html = page.content.decode()
    assert 'data-testid="run-report"' in html and "Ірина" in html
    assert "немає телефону для SMS" in html or "no phone for SMS" in html
    assert Invoice.objects.count() == 0
    weekly_without_day = staff_client.post(
        "/finance/invoice-rules/",
        {
            "action": "create",
            "name": "x",
            "method": "forecast",
            "account": "base",
            "period_type": "current",
            "period": "week",
            "pay_window": "unlimited",
            "every": "week",
            "at": "09:00",
        },
    )
    assert weekly_without_day.status_code == 200 and InvoiceRule.objects.count() == 1


def test_dunning_levels_on_the_rules_page(org, owner, staff_client):
    from zapys.invoices.models import DunningLevel

    response = staff_client.post(
        "/finance/invoice-rules/",
        {"action": "dunning", "days": "2", "when": "before", "channel": "sms"},
    )
    assert response.status_code == 302
    assert list(DunningLevel.objects.values_list("days_from_due", "channel")) == [(-2, "sms")]
    again = staff_client.post(
        "/finance/invoice-rules/", {"action": "dunning", "days": "2", "when": "before"}
    )
    assert again.status_code == 200 and DunningLevel.objects.count() == 1
    html = staff_client.get("/finance/invoice-rules/").content.decode()
    assert html.count('data-testid="dunning-level"') == 1
    assert "За 2 дні до терміну оплати" in html or "2 days before the due date" in html


def test_after_a_paid_part_and_for_a_repeatable_invoice_the_page_offers_payment_again(
    org, branch, sandbox, client
):
    partial = _invoice(org, allow_partial=True)
    payment = services.invoice_payment_start(invoice=partial, actor=SYSTEM, amount=10_000)
    payment_succeed(payment=payment, actor=SYSTEM)
    html = client.get(f"/i/{partial.token}/").content.decode()
    assert 'data-testid="go-to-payment"' in html and "300,00\xa0грн" in html  # the rest
    repeatable = _invoice(org, repeatable=True)
    payment = services.invoice_payment_start(invoice=repeatable, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    html = client.get(f"/i/{repeatable.token}/").content.decode()
    assert 'data-testid="go-to-payment"' in html and 'data-testid="checkout"' not in html
    client.post(f"/i/{repeatable.token}/", {"action": "start"})
    repeatable.refresh_from_db()
    assert repeatable.payment_id != payment.pk and repeatable.payment.amount == 40_000


def test_the_invoice_form_remembers_the_payer(org, owner, staff_client):
    from zapys.invoices.models import ClientPayer

    son, mother = make_client(org, name="Син"), make_client(org, name="Мама")
    staff_client.post(
        f"/clients/{son.pk}/invoices/new/",
        {"calculation": "manual", "amount": "100", "payer": mother.pk, "remember_payer": "on"},
    )
    assert ClientPayer.objects.get(client=son).payer_id == mother.pk
    form = staff_client.get(f"/clients/{son.pk}/invoices/new/").content.decode()
    assert f'<option value="{mother.pk}" selected>' in form
    staff_client.post(
        f"/clients/{son.pk}/invoices/new/",
        {"calculation": "manual", "amount": "100", "payer": mother.pk, "remember_payer": "on"},
    )
    # unticking would forget the payer, but this invoice is refused: nothing changes
    staff_client.post(
        f"/clients/{son.pk}/invoices/new/", {"calculation": "membership", "payer": ""}
    )
    assert ClientPayer.objects.filter(client=son).count() == 1
    assert Invoice.objects.filter(client=son).count() == 2
