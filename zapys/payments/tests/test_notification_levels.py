"""Issue 17: payment notifications say good news as good news (level "success") and only a
payment held for review as a warning; their text is shown in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories_payments import make_account, make_topup
from zapys.core.audit import Actor
from zapys.messaging.models import StaffNotification
from zapys.payments import services

pytestmark = pytest.mark.django_db


def test_a_top_up_received_is_a_success_in_the_readers_language(org, branch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50000)
    services.payment_succeed(payment=payment, actor=Actor.system("t"))
    note = StaffNotification.objects.get(related_id=str(payment.pk))
    assert note.level == "success"
    assert note.title.startswith("Отримано поповнення")  # written in the organization's
    with translation.override("en"):
        assert note.shown_title == "Top-up received: UAH\u00a0500.00"
        assert note.shown_body.endswith("topped up the balance online.")
    with translation.override("uk"):
        # The client's name after a colon: Ukrainian does not decline it (was "Баланс
        # клієнта Бондаренко Оксана поповнено", a name in the wrong case).
        # no full stop after the name: a company's "ФОП Мельник А. В." ends with one
        assert note.shown_body == f"Баланс поповнено онлайн: {payment.client.name}"


def test_a_payment_held_for_review_is_a_warning(org, branch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50000)
    services.payment_hold(payment=payment, reason="Amount differs", actor=Actor.system("t"))
    note = StaffNotification.objects.get(related_id=str(payment.pk))
    assert note.level == "warning"
    with translation.override("en"):
        assert note.shown_title == "Online payment of UAH\u00a0500.00 (balance top-up) needs review"
    with translation.override("uk"):
        assert note.shown_title == (
            "Онлайн-платіж на 500,00\u00a0грн (поповнення балансу) потребує перевірки"
        )
