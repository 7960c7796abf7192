"""Money a person records on the staff form as received from the client says how it came in
— in the ledger's service (`entry_record_by_staff`), not only in the form: recording such
money without a payment method is refused on `payment_type_id`, with nothing written.
Corrections, opening balances, charges, and the system's own money paths (online, from the
balance: `entry_create`, `ledger.money`) are not asked. The API keeps API.md's minimal body
(`{kind, amount}`) working: it records the payment without a method, as documented."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_payment_type
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.ledger.money import money_received_record
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create, entry_record_by_staff


def _written() -> tuple[int, int, int, int]:
    return (
        Entry.objects.count(),
        FinancialOperation.objects.count(),
        SalesReceipt.objects.count(),
        AuditLog.objects.count(),
    )


@pytest.mark.parametrize("purpose", [None, "payment", "top_up"])
def test_the_api_keeps_its_documented_minimal_body(org, api, branch, purpose):
    client = make_client(org)
    body = {"kind": "debit", "amount": 50_000} | ({"purpose": purpose} if purpose else {})
    r = api.post(f"/clients/{client.pk}/entries", body)
    assert r.status == 201, r.body
    entry = Entry.objects.get(pk=r.body["id"])
    assert entry.payment_type_id is None and client_balance(client) == 50_000


def test_the_api_records_it_with_a_method(org, api, branch):
    client = make_client(org)
    card = make_payment_type(branch, "card")
    r = api.post(
        f"/clients/{client.pk}/entries",
        {"kind": "debit", "amount": 50_000, "purpose": "top_up", "payment_type_id": card.pk},
    )
    assert r.status == 201, r.body
    assert r.body["payment_type_id"] == card.pk and r.body["branch_id"] == branch.pk
    assert client_balance(client) == 50_000


@pytest.mark.parametrize(
    ("kind", "purpose"),
    [
        ("debit", "correction"),
        ("debit", "opening_balance"),
        ("debit", "other"),
        ("credit", "service"),
    ],
)
def test_what_no_client_paid_needs_no_method(org, api, kind, purpose):
    client = make_client(org)
    r = api.post(
        f"/clients/{client.pk}/entries", {"kind": kind, "amount": 1_000, "purpose": purpose}
    )
    assert r.status == 201, r.body
    assert r.body["payment_type_id"] is None


def test_the_service_refuses_it_whoever_calls(org, actor):
    client = make_client(org)
    before = _written()
    with pytest.raises(DomainError) as refused:
        entry_record_by_staff(
            client=client, kind="debit", amount=10_000, purpose="payment", actor=actor
        )
    assert refused.value.errors == [
        {"field": "payment_type_id", "message": "Choose how the client paid."}
    ]
    assert _written() == before


def test_the_systems_own_paths_are_not_asked(org, branch):
    """A provider's money (online) and the balance's own moves (a prepayment paid from the
    balance, a test's top-up) go through `ledger.money` and `entry_create`, which know the
    way or need none."""
    client = make_client(org)
    recorded = money_received_record(
        client=client,
        amount=20_000,
        purpose="prepayment",
        article="services",
        actor=SYSTEM,
        cause=None,
        comment="online",
        deposit_line="Prepayment",
        branch=branch,
    )
    assert recorded.payment_type is not None and recorded.payment_type.method == "online"
    entry_create(client=client, kind="debit", amount=5_000, purpose="prepayment", actor=SYSTEM)
    assert client_balance(client) == 25_000


def test_the_staff_form_shows_the_services_refusal_on_its_field(staff_client, org, branch):
    """The form asks first; were it to let one through, the service's refusal lands on the
    form's «Спосіб оплати» field, nothing written."""
    client = make_client(org)
    before = _written()
    response = staff_client.post(
        reverse("ledger:client_entry_new", args=[client.pk]),
        {"kind": "debit", "amount": "500", "purpose": "payment", "payment_type": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["payment_type"]
    assert _written() == before
