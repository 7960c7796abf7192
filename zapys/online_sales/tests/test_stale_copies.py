"""A service given a copy of a row loaded earlier decides on the row as it is now (issue 17,
the bug `prepayments.booking_cancel` had: a payment arriving between the caller's read and
the service was lost). Each case loads its copy, changes the row behind it as a callback or
a second tab would, then calls the service with the old copy."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from zapys.clients.models import Client
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.ledger.models import FinancialOperation
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import services
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.online_sales.tests.factories import make_sale
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed


def _paid_after_a_retry(org, shop) -> tuple[OnlineSale, Payment]:
    """A sale copied while its first card attempt was awaited; since then that attempt was
    declined, a second one made and paid: the copy says "awaiting payment" and names the
    declined attempt."""
    sale = make_sale(org, shop, paid=False)
    stale = OnlineSale.objects.select_related("payment").get(pk=sale.pk)
    first = Payment.objects.get(pk=sale.payment_id)
    payment_fail(payment=first, actor=SYSTEM)
    second = services.online_sale_retry(payment=first, actor=SYSTEM)
    payment_succeed(payment=second, actor=SYSTEM)
    assert OnlineSale.objects.get(pk=sale.pk).status == "paid"
    assert stale.status == "pending" and stale.payment_id == first.pk
    return stale, second


def test_a_refund_asked_with_a_copy_from_before_the_payment_refunds_the_paid_attempt(
    org, branch, shop, monkeypatch
):
    stale, paid = _paid_after_a_retry(org, shop)
    asked: list[int] = []
    monkeypatch.setattr(
        services, "payment_refund", lambda *, payment, actor: asked.append(payment.pk)
    )
    services.online_sale_refund(sale=stale, actor=SYSTEM)
    assert asked == [paid.pk]  # the copy would have refused: "only a paid purchase"


def test_a_refund_asked_with_a_copy_from_before_a_refund_asks_the_provider_nothing(
    org, branch, shop, monkeypatch
):
    sale = make_sale(org, shop)
    stale = OnlineSale.objects.select_related("payment").get(pk=sale.pk)
    OnlineSale.objects.filter(pk=sale.pk).update(status=OnlineSale.Status.REFUNDED)
    asked: list[int] = []
    monkeypatch.setattr(
        services, "payment_refund", lambda *, payment, actor: asked.append(payment.pk)
    )
    with pytest.raises(Conflict):
        services.online_sale_refund(sale=stale, actor=SYSTEM)
    assert asked == []
    assert OnlineSale.objects.get(pk=sale.pk).status == "refunded"
    assert list(FinancialOperation.objects.values_list("status", flat=True)) == ["active"]


def test_a_new_client_is_attached_with_a_copy_from_before_the_payment(org, branch, shop):
    stale, _paid = _paid_after_a_retry(org, shop)
    sale = services.online_sale_attach_new_client(sale=stale, name="Нова Клієнтка", actor=SYSTEM)
    assert sale.status == "attached" and sale.client.name == "Нова Клієнтка"


def test_no_client_is_created_for_a_code_attached_since_the_copy(org, branch, shop):
    sale = make_sale(org, shop)
    stale = OnlineSale.objects.get(pk=sale.pk)
    services.online_sale_attach_new_client(sale=sale, name="Перша Клієнтка", actor=SYSTEM)
    clients = list(Client.objects.values_list("pk", flat=True))
    with pytest.raises(Conflict):
        services.online_sale_attach_new_client(sale=stale, name="Друга Клієнтка", actor=SYSTEM)
    assert list(Client.objects.values_list("pk", flat=True)) == clients
    assert OnlineSale.objects.get(pk=sale.pk).client.name == "Перша Клієнтка"


def test_try_again_with_a_copy_from_before_the_decline(org, branch, shop):
    sale = make_sale(org, shop, paid=False)
    stale = Payment.objects.get(pk=sale.payment_id)
    payment_fail(payment=Payment.objects.get(pk=sale.payment_id), actor=SYSTEM)
    assert stale.status != "failed"
    again = services.online_sale_retry(payment=stale, actor=SYSTEM)
    assert again.pk != stale.pk and again.retry_of_id == stale.pk
    assert OnlineSale.objects.get(pk=sale.pk).payment_id == again.pk


def test_try_again_with_a_declined_copy_of_an_attempt_paid_since_changes_nothing(org, branch, shop):
    sale = make_sale(org, shop, paid=False)
    payment = Payment.objects.get(pk=sale.payment_id)
    payment_fail(payment=payment, actor=SYSTEM)
    stale = Payment.objects.get(pk=payment.pk)
    payment_succeed(payment=Payment.objects.get(pk=payment.pk), actor=SYSTEM)  # a late success
    count = Payment.objects.count()
    with pytest.raises(Conflict):
        services.online_sale_retry(payment=stale, actor=SYSTEM)
    assert Payment.objects.count() == count
    assert OnlineSale.objects.get(pk=sale.pk).payment_id == payment.pk


def test_a_plan_archived_since_the_staff_page_was_loaded_is_not_put_on_sale(org, shop):
    from tests.factories_ledger import make_plan

    plan = make_plan(org, "Yoga 12", price=90_000)
    MembershipPlan.objects.filter(pk=plan.pk).update(is_archived=True)
    with pytest.raises(DomainError):
        services.plan_online_update(plan=plan, actor=SYSTEM, sell_online=True)
    assert not PlanOnline.objects.filter(plan_id=plan.pk).exists()


def test_a_purchase_is_refused_for_a_plan_archived_since_its_page_was_loaded(org, shop):
    plan = MembershipPlan.objects.get(pk=shop.pk)
    MembershipPlan.objects.filter(pk=shop.pk).update(is_archived=True)
    with pytest.raises(NotFound):
        services.online_sale_start(organization=org, plan=plan, email="b@example.com", actor=SYSTEM)
    assert not OnlineSale.objects.exists() and not Payment.objects.exists()
