"""The audit log names an online payment by what it is for and its amount, in the reader's
language (fifth tour): «Передоплата зі списку очікування, 300,00 грн», not «#12 Prepayment
from the waiting list UAH 300.00» (a number staff know from nowhere, and English words on a
Ukrainian page); its refund by the payment too."""

from __future__ import annotations

from django.utils import translation

from zapys.payments.models import Payment, PaymentRefund


def test_a_payment_and_its_refund_are_named_in_words():
    payment = Payment(pk=12, purpose="waitlist", amount=30_000, currency="UAH")
    refund = PaymentRefund(payment=payment, amount=10_000, status="succeeded")
    with translation.override("uk"):
        assert str(payment).replace("\xa0", " ") == "Передоплата зі списку очікування, 300,00 грн"
        uk_refund = str(refund).replace("\xa0", " ")
    with translation.override("en"):
        en = str(payment).replace("\xa0", " ")
        en_refund = str(refund).replace("\xa0", " ")
    assert en.startswith("Prepayment from the waiting list, ") and "300.00" in en
    assert uk_refund.startswith(
        "Повернення 100,00 грн: Передоплата зі списку очікування, 300,00 грн ("
    )
    assert (
        en_refund.startswith("Refund of ") and ": Prepayment from the waiting list, " in en_refund
    )
    for text in (en, en_refund, uk_refund):
        assert "#" not in text and "№" not in text and "12" not in text and "waitlist" not in text
