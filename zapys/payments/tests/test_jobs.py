"""Reconciliation jobs (X8)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories_payments import make_account, make_topup
from tests.simulators import post_form
from zapys.payments import jobs, services
from zapys.payments.models import Payment


def _open(payment: Payment) -> None:
    form = services.checkout_form(payment)
    assert post_form(form.action, form.fields).status_code == 200


def test_reconcile_polls_old_pending_and_expires(org, branch, liqpay_sim):
    account = make_account(org, "liqpay")
    paid = make_topup(org, account=account, amount=1000)
    _open(paid)
    liqpay_sim.build_callback(paid.order_id, "success")  # callback lost
    lapsed = make_topup(org, account=account, amount=2000)
    Payment.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    fresh = make_topup(org, account=account, amount=3000)
    now = timezone.now() + timedelta(minutes=30)
    summary = jobs.reconcile(now)
    assert summary == "applied: 1, expired: 1, not_found: 2"
    statuses = dict(Payment.objects.values_list("pk", "status"))
    # `fresh` never reached the provider and has no expiry: it stays pending.
    assert statuses == {paid.pk: "succeeded", lapsed.pk: "expired", fresh.pk: "pending"}
    # Claimed: a second run in the same window polls nobody again.
    assert jobs.reconcile(now) == "nothing to reconcile"


def test_mismatch_report_holds_disagreeing(org, branch, liqpay_sim, actor):
    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account, amount=1000)
    _open(payment)
    # Zapys thinks it is paid, the provider never saw a payment.
    services.payment_succeed(payment=payment, actor=actor)
    summary = jobs.mismatch_report(timezone.now())
    assert "mismatches 1" in summary
    payment.refresh_from_db()
    assert (
        payment.held_for_review and "says awaiting payment" in payment.review_reason
    )  # words, not codes
    from zapys.messaging.models import StaffNotification

    # the payment named by what was paid and how much, not «#9»
    mismatch = "Balance top-up, UAH\xa010.00: Zapys says paid, the payment service says"
    assert StaffNotification.objects.filter(body__startswith=mismatch).count() == 1
