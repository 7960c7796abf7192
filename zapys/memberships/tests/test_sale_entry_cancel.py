"""The sale and its money are one fact: cancelling a sale's ledger entry on the client's
account changes the membership in the same transaction (was: a cancelled charge left an
active membership "on credit" with no debt — a free membership)."""

from __future__ import annotations

import pytest

from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.memberships import services
from zapys.memberships.models import ClientMembership

pytestmark = pytest.mark.django_db

PRICE = 120_000


def _sell(org, branch, mode):
    client = make_client(org, "Мельник Дарина")
    membership = make_membership(client, make_plan(org, price=PRICE), mode, branch=branch)
    entries = {(e.kind, e.purpose): e for e in Entry.objects.filter(cause_id=str(membership.pk))}
    return client, membership, entries


def _other_rows(membership):
    """Everything the fix must not touch: other memberships, other entries' states."""
    return (
        list(
            ClientMembership.objects.exclude(pk=membership.pk).values("pk", "status", "sale_mode")
        ),
        AuditLog.objects.exclude(object_type__in=["ledger.entry", "memberships.clientmembership"])
        .exclude(action__startswith="ledger.")
        .count(),
    )


def test_cancelling_the_charge_of_a_credit_sale_cancels_the_membership(org, branch, actor):
    client, membership, entries = _sell(org, branch, "credit")
    bystander = make_membership(make_client(org, "Сидоренко Ліна"), make_plan(org), "credit")
    before = _other_rows(membership)
    assert client_balance(client) == -PRICE

    ledger.entry_cancel(entry=entries[("credit", "membership_sale")], actor=actor, reason="помилка")

    membership.refresh_from_db()
    assert membership.status == "cancelled"
    assert client_balance(client) == 0
    assert not ClientMembership.objects.filter(client=client, status="active").exists()
    audit = AuditLog.objects.get(action="membership.cancel", object_id=str(membership.pk))
    assert audit.changes["status"] == ["active", "cancelled"]
    entry_audit = AuditLog.objects.get(action="ledger.entry_cancel")
    assert entry_audit.changes["membership_cancelled"] == membership.pk
    bystander.refresh_from_db()
    assert bystander.status == "active"
    assert _other_rows(membership) == before


def test_cancelling_the_charge_of_a_paid_sale_keeps_the_money_on_the_balance(org, branch, actor):
    client, membership, entries = _sell(org, branch, "paid")
    ledger.entry_cancel(entry=entries[("credit", "membership_sale")], actor=actor)
    membership.refresh_from_db()
    assert membership.status == "cancelled"
    payment = Entry.objects.get(pk=entries[("debit", "payment")].pk)
    assert payment.status == "active"  # the money did come: it is the client's, to refund
    assert client_balance(client) == PRICE


def test_cancelling_the_payment_of_a_paid_sale_makes_it_a_sale_on_credit(org, branch, actor):
    client, membership, entries = _sell(org, branch, "paid")
    ledger.entry_cancel(entry=entries[("debit", "payment")], actor=actor, reason="не платила")
    membership.refresh_from_db()
    assert (membership.status, membership.sale_mode) == ("active", "credit")
    assert client_balance(client) == -PRICE  # the debt shows
    audit = AuditLog.objects.get(action="membership.sale_mode", object_id=str(membership.pk))
    assert audit.changes["sale_mode"] == ["paid", "credit"]


def test_cancelling_the_membership_still_cancels_its_entries_once(org, branch, actor):
    _client, membership, _entries = _sell(org, branch, "paid")
    services.membership_cancel(membership=membership, actor=actor, reason="повернення")
    membership.refresh_from_db()
    # The hook saw a membership already cancelled and left it (sale mode kept).
    assert (membership.status, membership.sale_mode) == ("cancelled", "paid")
    assert set(
        Entry.objects.filter(cause_id=str(membership.pk)).values_list("status", flat=True)
    ) == {"cancelled"}
    assert AuditLog.objects.filter(action="membership.cancel").count() == 1
    assert not AuditLog.objects.filter(action="membership.sale_mode").exists()


def test_a_refused_cancellation_changes_neither(org, branch, actor):
    _client, membership, entries = _sell(org, branch, "credit")
    charge = entries[("credit", "membership_sale")]
    ledger.entry_cancel(entry=charge, actor=actor)
    audit_before = AuditLog.objects.count()
    with pytest.raises(Conflict):
        ledger.entry_cancel(entry=charge, actor=actor)
    membership.refresh_from_db()
    assert membership.status == "cancelled"
    assert AuditLog.objects.count() == audit_before
