"""«Pay from the balance» in the cabinet (X5 from the client's side): offered only when the
balance of the client who pays (the payable's `balance_client_id`) covers it in full, asked to
confirm, paid by the same service as the checkout and staff use, once however often the button
is pressed; another family's, another organization's or a forged id is a page saying so, and
nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_ledger import make_entry
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.invoices.models import Invoice, InvoicePayment
from zapys.invoices.services import client_payer_set, invoice_create
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.payments.payables import payables_for_clients
from zapys.prepayments.models import Booking


def _get(client, url: str, lang: str = "en", status: int = 200) -> str:
    client.cookies["django_language"] = lang
    response = client.get(url)
    assert response.status_code == status, (response.status_code, url)
    return response.content.decode()


def _confirm_url(customer, key: str, ref: object, card=None) -> str:
    url = f"/c/{customer.cabinet_token}/pay-from-balance/{key}/{ref}/"
    return url + (f"?card={card.pk}" if card is not None else "")


def _post(client, customer, key: str, ref: object, card=None, lang: str = "en"):
    client.cookies["django_language"] = lang
    data = {"card": card.pk} if card is not None else {}
    return client.post(_confirm_url(customer, key, ref), data)


def _snapshot():
    """Everything a payment from the balance writes (as ids and states)."""
    return (
        list(Entry.objects.order_by("pk").values_list("pk", "status")),
        list(Invoice.objects.order_by("pk").values_list("pk", "status", "paid_amount")),
        list(InvoicePayment.objects.values_list("pk")),
        list(Booking.objects.order_by("pk").values_list("pk", "status", "paid_from_balance")),
        AuditLog.objects.count(),
    )


def _invoice(customer, amount: int = 70_000, **kwargs):
    return invoice_create(
        client=customer, calculation="manual", amount=amount, actor=SYSTEM, comment="Грудень",
        **kwargs,
    )  # fmt: skip


def test_offered_only_when_the_balance_covers_the_whole_amount(org, client):
    """500 on the balance and 700 to pay: "Pay" only (a part from the balance and the rest
    by card is not offered). 1 500: «Pay from the balance» beside "Pay by card"."""
    customer = make_client(org)
    invoice = _invoice(customer)
    make_entry(customer, kind="debit", amount=50_000)
    html = _get(client, f"/c/{customer.cabinet_token}/")
    assert 'data-testid="pay-from-balance"' not in html and ">Pay<" in html
    # the confirmation page refuses too (a link kept from before the balance fell)
    page = _get(client, _confirm_url(customer, "invoices", invoice.pk), status=409)
    assert "does not cover this payment in full" in page
    assert 'data-testid="pay-from-balance-confirm"' not in page

    make_entry(customer, kind="debit", amount=100_000)
    html = _get(client, f"/c/{customer.cabinet_token}/")
    assert html.count('data-testid="pay-from-balance"') == 1 and "Pay by card" in html
    assert f'href="{_confirm_url(customer, "invoices", invoice.pk)}"' in html
    assert 'data-testid="balance-owner"' not in html  # their own balance: nobody to name
    html = _get(client, f"/c/{customer.cabinet_token}/", lang="uk")
    assert "Сплатити з балансу" in html and "Сплатити карткою" in html


def test_the_client_confirms_and_the_invoice_is_paid_as_the_checkout_pays_it(org, client):
    customer = make_client(org, "Шевчук Марія")
    invoice = _invoice(customer)
    make_entry(customer, kind="debit", amount=150_000)
    balance = client_balance(customer)
    page = _get(client, _confirm_url(customer, "invoices", invoice.pk))
    assert f"Invoice {invoice.number}: Грудень" in page and "700.00" in page
    assert "Шевчук Марія" in page and "1,500.00" in page
    assert "Pay UAH\xa0700.00 from the balance" in page
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.AWAITING  # GET pays nothing

    response = _post(client, customer, "invoices", invoice.pk)
    assert response.status_code == 302 and response["Location"] == f"/c/{customer.cabinet_token}/"
    paid = Invoice.objects.get(pk=invoice.pk)
    assert (paid.status, paid.paid_amount) == (Invoice.Status.PAID, 70_000)
    record = InvoicePayment.objects.get(invoice=paid)
    assert (record.source, record.amount) == (InvoicePayment.Source.BALANCE, 70_000)
    audit = AuditLog.objects.get(action="invoice.paid_from_balance")
    assert audit.actor_kind == AuditLog.ActorKind.CLIENT_LINK
    assert client_balance(customer) == balance  # the service's pair: moved, not spent twice
    html = _get(client, response["Location"])
    message = html.split('data-testid="cabinet-message">')[1].split("</div>")[0]
    assert message == f"Paid from your balance: Invoice {invoice.number}: Грудень, UAH\xa0700.00."
    assert 'data-testid="payable"' not in html


def test_a_double_submit_pays_once_and_says_already_paid(org, client):
    customer = make_client(org)
    invoice = _invoice(customer)
    make_entry(customer, kind="debit", amount=150_000)
    assert _post(client, customer, "invoices", invoice.pk, lang="uk").status_code == 302
    before = _snapshot()
    second = _post(client, customer, "invoices", invoice.pk, lang="uk")
    assert second.status_code == 302
    assert _snapshot() == before
    assert InvoicePayment.objects.filter(invoice=invoice).count() == 1
    html = _get(client, second["Location"], lang="uk")
    assert f"Вже сплачено: Рахунок {invoice.number}: Грудень." in html


def test_a_payers_card_pays_the_childs_invoice_from_the_childs_balance(org, client):
    """X6: the invoice is the child's (the money goes to the child's account), the parent
    pays it. The parent's card names whose balance pays; the parent's own balance never
    does (the service moves money between the child's own accounts)."""
    parent = make_client(org, "Мельник Ольга", phone="+380631234567")
    child = make_client(org, "Мельник Тарас", phone="+380509990000")
    client_payer_set(client=child, payer=parent, actor=SYSTEM)
    invoice = _invoice(child, payer=parent)
    make_entry(parent, kind="debit", amount=500_000)  # rich parent, child at zero
    (listed,) = payables_for_clients(org, [parent.pk])[parent.pk]
    assert listed.balance_client_id == child.pk and listed.ref == str(invoice.pk)
    html = _get(client, f"/c/{parent.cabinet_token}/")
    assert html.count('data-testid="payable"') == 1
    assert 'data-testid="pay-from-balance"' not in html
    before = _snapshot()
    refused = _post(client, parent, "invoices", invoice.pk)
    assert refused.status_code == 400 and "does not cover" in refused.content.decode()
    assert _snapshot() == before

    make_entry(child, kind="debit", amount=80_000)
    html = _get(client, f"/c/{parent.cabinet_token}/")
    owner = html.split('data-testid="balance-owner">')[1].split("</div>")[0]
    assert owner == "from the balance of Мельник Тарас"
    page = _get(client, _confirm_url(parent, "invoices", invoice.pk))
    assert "Мельник Тарас · UAH\xa0800.00" in page
    response = _post(client, parent, "invoices", invoice.pk, lang="uk")
    assert response.status_code == 302
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    assert not Entry.objects.filter(client=parent, cause_id=str(invoice.pk)).exists()
    assert Entry.objects.filter(client=child, purpose="invoice_payment").count() == 2
    html = _get(client, response["Location"], lang="uk")
    assert "Сплачено з балансу (Мельник Тарас): Рахунок" in html


def test_other_families_organizations_and_forged_ids_are_refused_and_nothing_changes(
    org, other_org, client
):
    customer = make_client(org, phone="+380671112233")
    make_entry(customer, kind="debit", amount=900_000)
    own = _invoice(customer)
    stranger = make_client(org, phone="+380679998877")
    make_entry(stranger, kind="debit", amount=900_000)
    strangers = _invoice(stranger)
    with org_scope(other_org):
        foreign = make_client(other_org, phone=customer.phone)  # same phone, other business
        make_entry(foreign, kind="debit", amount=900_000)
        foreigns = _invoice(foreign)
    before = _snapshot()
    with org_scope(other_org):
        before_other = _snapshot()
    for key, ref in (
        ("invoices", strangers.pk),
        ("invoices", foreigns.pk),
        ("invoices", 10**15),
        ("bookings", own.pk),  # the invoice's id as a booking's
        ("topups", own.pk),  # no such payable
    ):
        for lang, words in (("en", "Nothing was paid"), ("uk", "Нічого не сплачено")):
            response = _post(client, customer, key, ref, lang=lang)
            assert response.status_code == 404, (key, ref)
            assert words in response.content.decode()
            page = _get(client, _confirm_url(customer, key, ref), lang=lang, status=404)
            assert words in page and 'data-testid="back-to-cabinet"' in page
    # a card the link may not see is the 404 page, as the cabinet's own ?card= is
    assert _post(client, customer, "invoices", own.pk, card=stranger).status_code == 404
    with org_scope(other_org):
        assert _snapshot() == before_other
    assert _snapshot() == before


def test_a_balance_that_fell_after_the_confirmation_page_changes_nothing(org, client):
    customer = make_client(org)
    invoice = _invoice(customer)
    make_entry(customer, kind="debit", amount=70_000)
    _get(client, _confirm_url(customer, "invoices", invoice.pk))
    make_entry(customer, kind="credit", amount=100, purpose="service")
    before = _snapshot()
    response = _post(client, customer, "invoices", invoice.pk)
    assert response.status_code == 400
    assert "does not cover the invoice" in response.content.decode()
    assert _snapshot() == before


def test_money_on_a_memberships_own_account_is_not_offered(org, client):
    """The invoice service pays from the base account: money kept on a membership's
    separate account shows in the balance but is not offered for an invoice."""
    from zapys.ledger.models import Account

    customer = make_client(org)
    separate = Account.objects.create(organization=org, client=customer, kind="membership")
    make_entry(customer, kind="debit", amount=200_000, account=separate)
    _invoice(customer)
    html = _get(client, f"/c/{customer.cabinet_token}/")
    assert "2,000.00" in html and 'data-testid="pay-from-balance"' not in html


@pytest.fixture
def booked(org, branch):
    staff = make_staff(org, "specialist", branches=[branch])
    customer = make_client(org, "Шевчук Марія")
    visit = make_visit(org, branch, client=customer, staff=staff, service=make_service(org))
    return customer, visit


def test_a_booking_without_terms_is_paid_from_the_cabinet(org, branch, client, booked):
    enable_prepayment(org, agreement_enabled=False)
    customer, visit = booked
    booking = make_booking(org, branch, visit=visit, booking_type=make_booking_type(org))
    make_entry(customer, kind="debit", amount=100_000)
    (listed,) = payables_for_clients(org, [customer.pk])[customer.pk]
    assert (listed.balance_client_id, listed.terms_first) == (customer.pk, False)
    html = _get(client, f"/c/{customer.cabinet_token}/")
    assert f'href="{_confirm_url(customer, "bookings", booking.pk)}"' in html
    response = _post(client, customer, "bookings", booking.pk)
    assert response.status_code == 302
    paid = Booking.objects.get(pk=booking.pk)
    assert (paid.status, paid.paid_from_balance) == (Booking.Status.PAID, True)
    assert AuditLog.objects.filter(action="booking.paid_from_balance").count() == 1
    before = _snapshot()
    assert _post(client, customer, "bookings", booking.pk).status_code == 302
    assert _snapshot() == before


def test_a_booking_whose_terms_are_not_accepted_is_paid_on_its_own_page(
    org, branch, client, booked
):
    """X4: the agreement comes before any payment. The cabinet's button leads to the
    booking's page (the terms, then "Use my balance"); a POST around it changes nothing."""
    enable_prepayment(org)
    customer, visit = booked
    booking = make_booking(org, branch, visit=visit, booking_type=make_booking_type(org))
    make_entry(customer, kind="debit", amount=100_000)
    html = _get(client, f"/c/{customer.cabinet_token}/")
    link = html.split('data-testid="pay-from-balance"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert link == booking.payment_url
    before = _snapshot()
    response = _post(client, customer, "bookings", booking.pk)
    assert response.status_code == 409 and "accept the terms" in response.content.decode()
    assert _snapshot() == before


def test_an_expired_booking_is_refused(org, branch, client, booked):
    enable_prepayment(org, agreement_enabled=False)
    customer, visit = booked
    booking = make_booking(org, branch, visit=visit, booking_type=make_booking_type(org))
    make_entry(customer, kind="debit", amount=100_000)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    before = _snapshot()
    response = _post(client, customer, "bookings", booking.pk)
    assert response.status_code == 409
    assert "no longer awaiting payment" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("size", [1, 12])
def test_the_offers_cost_no_query_per_payable(org, branch, client, django_assert_num_queries, size):
    """A payer's card with the child's invoices, each offered from the child's balance:
    the child's balance is read in the card's one balance query, whatever the number."""
    from zapys.cabinet.tests.test_page import PAGE_QUERIES

    enable_prepayment(org)
    make_account(org, "sandbox")
    parent = make_client(org, phone="+380631234567")
    child = make_client(org, phone="+380509990000")
    client_payer_set(client=child, payer=parent, actor=SYSTEM)
    make_entry(child, kind="debit", amount=1_000_000)
    for n in range(size):
        _invoice(child, amount=1_000 + n, payer=parent)
    client.cookies["django_language"] = "en"
    # The page's count less two: no membership and no receipt, so their prefetches (groups,
    # lines) do not run; no upcoming visit, so the cancel links ask nothing.
    with django_assert_num_queries(PAGE_QUERIES - 2):
        response = client.get(f"/c/{parent.cabinet_token}/")
    assert response.content.decode().count('data-testid="pay-from-balance"') == size
