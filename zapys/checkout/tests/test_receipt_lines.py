"""Money taken again after a refunded online checkout pays for the visit's service: its
receipt line names the service, not "Balance top-up" (only an overpayment is one)."""

from __future__ import annotations

from django.utils import translation

from tests.factories import SYSTEM
from zapys.checkout.receipt_lines import repaid_lines
from zapys.checkout.services import PaymentIn, checkout_summary, visit_checkout
from zapys.core.stored_text import text_split
from zapys.ledger.models import SalesReceipt, SalesReceiptLine
from zapys.ledger.selectors import client_balance
from zapys.payments.models import PaymentRefund
from zapys.payments.services import payment_succeed
from zapys.payments.services.refunds import _refund_confirm


def _refunded(org, visit, actor):
    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    payment = link.checkout.payment
    payment_succeed(payment=payment, actor=SYSTEM)
    payment.refresh_from_db()
    refund = PaymentRefund.objects.create(
        organization=org, payment=payment, amount=45_000, created_by="test"
    )
    assert _refund_confirm(payment=payment, refund=refund, actor=SYSTEM, via_callback=True)
    assert checkout_summary(visit).due == 45_000


def _lines_of(result) -> list[tuple[str, int]]:
    receipt = SalesReceipt.objects.get(pk=result.receipt_ids[0])
    return list(
        SalesReceiptLine.objects.filter(receipt=receipt)
        .order_by("id")
        .values_list("name", "amount")
    )


def test_money_taken_again_is_a_line_of_the_service(org, branch, visit, actor):
    _refunded(org, visit, actor)
    result = visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    assert _lines_of(result) == [(visit.title, 45_000)]
    assert client_balance(visit.client) == 0


def test_only_the_overpayment_is_a_balance_top_up(org, branch, visit, actor):
    _refunded(org, visit, actor)
    result = visit_checkout(
        visit=visit,
        payments=[PaymentIn("cash", 30_000), PaymentIn("card", 20_000)],
        actor=actor,
    )
    lines = _lines_of(result)
    assert lines[0] == (visit.title, 45_000)
    assert lines[1][1] == 5_000 and lines[1][0] in ("Balance top-up", "Поповнення балансу")
    top_up = SalesReceiptLine.objects.get(receipt_id=result.receipt_ids[0], amount=5_000)
    with translation.override("en"):
        assert top_up.name_shown == "Balance top-up"
    with translation.override("uk"):
        assert top_up.name_shown == "Поповнення балансу"
    assert client_balance(visit.client) == 5_000


def test_repaid_lines_split():
    class V:
        title = "Haircut"

    assert [(line.name, line.amount) for line in repaid_lines(V(), 45_000, 45_000)] == [
        ("Haircut", 45_000)
    ]
    assert [line.amount for line in repaid_lines(V(), 45_000, 50_000)] == [45_000, 5_000]
    assert repaid_lines(V(), 0, 0) == []


def test_the_overpayment_line_reads_in_each_language():
    class V:
        title = "Стрижка"

    service, top_up = repaid_lines(V(), 45_000, 50_000)  # type: ignore[arg-type]
    assert service.name == "Стрижка"  # the service's name: data, as typed
    for language, shown in (("en", "Balance top-up"), ("uk", "Поповнення балансу")):
        with translation.override(language):
            assert text_split(top_up.name)[0] == shown


def test_an_overpaid_checkout_in_english_keeps_its_top_up_line_in_each_language(
    org, branch, visit, actor
):
    with translation.override("en"):  # the desk works in English
        result = visit_checkout(visit=visit, payments=[PaymentIn("cash", 50_000)], actor=actor)
    service, top_up = SalesReceiptLine.objects.filter(receipt_id=result.receipt_ids[0]).order_by(
        "id"
    )
    assert (service.name_shown, service.amount) == (visit.title, visit.price)
    assert top_up.amount == 50_000 - visit.price
    for language, shown in (("en", "Balance top-up"), ("uk", "Поповнення балансу")):
        with translation.override(language):
            assert top_up.name_shown == shown
