"""A top-up's ledger comments say how the money came, not a payment number (issue 17).

«Онлайн-поповнення, платіж №12» / «Повернення онлайн-оплати №12»: nobody at the desk knows
payment numbers and the client's entries and the payments report do not link the payment.
Now «Онлайн-поповнення балансу (LiqPay)» / «Повернення онлайн-поповнення (LiqPay)», in the
reader's language (the test provider's name too); rows stored before still render."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from tests.pages import staff_page
from zapys.ledger.models import Entry
from zapys.payments.models import PaymentRefund
from zapys.payments.services import payment_succeed
from zapys.payments.services.refunds import _refund_confirm
from zapys.topups.texts import FORMER_TEXTS


def _shown(row, language: str) -> str:
    with translation.override(language):
        return str(row.comment_shown)


def _paid_and_refunded(org, provider: str) -> tuple[Entry, Entry]:
    payment = make_topup(org, account=make_account(org, provider), amount=50_000)
    with translation.override("uk"):  # a Ukrainian callback writes them
        payment_succeed(payment=payment, actor=SYSTEM)
        payment.refresh_from_db()
        refund = PaymentRefund.objects.create(
            organization=org, payment=payment, amount=50_000, created_by="test"
        )
        assert _refund_confirm(payment=payment, refund=refund, actor=SYSTEM, via_callback=True)
    return (
        Entry.objects.get(purpose=Entry.Purpose.TOP_UP, cause_id=str(payment.pk)),
        Entry.objects.get(purpose=Entry.Purpose.REFUND, cause_id=str(payment.pk)),
    )


def test_a_liqpay_top_up_and_its_refund_name_the_service_not_the_number(org, branch):
    top_up, refund = _paid_and_refunded(org, "liqpay")
    assert top_up.comment_text == {
        "msgid": "Online balance top-up (%(provider)s)",
        "params": {"provider": "LiqPay"},
    }
    assert top_up.comment == "Онлайн-поповнення балансу (LiqPay)"  # the API's text
    assert _shown(top_up, "uk") == "Онлайн-поповнення балансу (LiqPay)"
    assert _shown(top_up, "en") == "Online balance top-up (LiqPay)"
    assert _shown(refund, "uk") == "Повернення онлайн-поповнення (LiqPay)"
    assert _shown(refund, "en") == "Refund of an online top-up (LiqPay)"


def test_the_test_provider_is_named_in_the_readers_language(org, branch):
    top_up, refund = _paid_and_refunded(org, "sandbox")
    assert _shown(top_up, "uk") == "Онлайн-поповнення балансу (Тестові платежі)"
    assert _shown(top_up, "en") == "Online balance top-up (Test payments)"
    assert _shown(refund, "en") == "Refund of an online top-up (Test payments)"


@pytest.mark.parametrize("msgid", FORMER_TEXTS)
def test_the_texts_stored_before_are_still_in_the_catalogue(msgid):
    with translation.override("uk"):
        assert gettext(msgid) != msgid


def test_rows_stored_before_still_render_in_each_language():
    old = Entry(
        comment="Онлайн-поповнення, платіж №12",
        comment_text={"msgid": "Online top-up, payment #%(id)s", "params": {"id": 12}},
    )
    assert _shown(old, "uk") == "Онлайн-поповнення, платіж №12"
    assert _shown(old, "en") == "Online top-up, payment #12"
    back = Entry(
        comment="Повернення онлайн-оплати №12",
        comment_text={"msgid": "Refund of online payment #%(id)s", "params": {"id": 12}},
    )
    assert _shown(back, "en") == "Refund of online payment #12"


def test_the_client_entries_page_reads_in_each_language(org, branch, staff_client, owner):
    top_up, _refund = _paid_and_refunded(org, "liqpay")
    english = staff_page(staff_client, owner, "en", "ledger:client_entries", top_up.client_id)
    assert "Online balance top-up (LiqPay)" in english and "Онлайн-поповнення" not in english
    ukrainian = staff_page(staff_client, owner, "uk", "ledger:client_entries", top_up.client_id)
    assert "Онлайн-поповнення балансу (LiqPay)" in ukrainian and "платіж №" not in ukrainian
