"""Issue 17: the daily mismatch summary is stored as msgids with parameters (a line per
payment, our status a word of the catalogue) and read in each reader's language."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from tests.factories_payments import make_account, make_topup
from tests.pages import staff_page
from tests.simulators import post_form
from zapys.messaging.models import StaffNotification
from zapys.payments import jobs, services

pytestmark = pytest.mark.django_db


def _paid_here_unknown_there(org, actor, amount):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=amount)
    form = services.checkout_form(payment)
    assert post_form(form.action, form.fields).status_code == 200
    services.payment_succeed(payment=payment, actor=actor)
    return payment


def test_the_mismatch_summary_reads_in_the_readers_language(
    org, branch, liqpay_sim, actor, owner, staff_client
):
    _paid_here_unknown_there(org, actor, 1000)
    _paid_here_unknown_there(org, actor, 2000)
    with translation.override("uk"):  # the scheduler's language
        jobs.mismatch_report(timezone.now())
    note = StaffNotification.objects.get(title__startswith="Платежі не збігаються")
    assert note.title_text == {
        "msgid": "Payments disagree with the payment service: %(n)s",
        "params": {"n": 2},
    }
    page = staff_page(staff_client, owner, "en", "messaging:notifications")
    assert "Payments disagree with the payment service: 2" in page
    for amount in ("10.00", "20.00"):
        # what was paid and how much, not «Payment #9» (a number nobody at the desk knows)
        line = (
            f"Balance top-up, UAH\u00a0{amount}: Zapys says paid, the payment service says "
            "awaiting payment."
        )
        assert line in page.replace("&nbsp;", "\u00a0"), line
    assert "Платіж №" not in page and "не збігаються" not in page
    page = staff_page(staff_client, owner, "uk", "messaging:notifications")
    assert "Платежі не збігаються з даними платіжного сервісу: 2" in page
    for amount in ("10,00", "20,00"):
        assert (
            f"Поповнення балансу, {amount}\u00a0грн: у Zapys — оплачено, у платіжному сервісі — "
            "очікує оплати." in page.replace("&nbsp;", "\u00a0")
        )
    assert "Платіж №" not in page
    with translation.override("en"):
        # One line per payment, as the bell and the staff chat show it.
        assert note.shown_body.count("\n") == 1


def test_the_summary_written_in_english_reads_in_ukrainian(org, branch, liqpay_sim, actor):
    payment = _paid_here_unknown_there(org, actor, 1000)
    with translation.override("en"):
        jobs.mismatch_report(timezone.now())
    note = StaffNotification.objects.get(title__startswith="Payments disagree")
    with translation.override("uk"):
        assert note.shown_title == "Платежі не збігаються з даними платіжного сервісу: 1"
        assert note.shown_body == (
            "Поповнення балансу, 10,00\u00a0грн: у Zapys — оплачено, у платіжному сервісі — "
            "очікує оплати."
        )
        assert f"№{payment.pk}" not in note.shown_body


def test_agreeing_payments_make_no_summary(org, branch, liqpay_sim, actor):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=1000)
    form = services.checkout_form(payment)
    assert post_form(form.action, form.fields).status_code == 200
    liqpay_sim.build_callback(payment.order_id, "success")  # paid at the provider too
    services.payment_succeed(payment=payment, actor=actor)
    before = StaffNotification.objects.count()
    assert "mismatches 0" in jobs.mismatch_report(timezone.now())
    assert StaffNotification.objects.count() == before
    payment.refresh_from_db()
    assert not payment.held_for_review


def test_a_link_that_ran_out_unpaid_agrees_with_a_provider_that_never_saw_a_payment(
    org, branch, liqpay_sim, actor
):
    """Expired here, unknown (never opened) or still waiting there: no money moved on either
    side, so nothing is held and no summary is sent. Before, every expired link was
    reported the next day as a mismatch."""
    never_opened = make_topup(org, account=make_account(org, "liqpay"), amount=1000)
    opened = make_topup(org, account=never_opened.account, amount=2000)
    form = services.checkout_form(opened)
    assert post_form(form.action, form.fields).status_code == 200  # pending at the provider
    for payment in (never_opened, opened):
        assert services.payment_expire(payment=payment, actor=actor)
    before = StaffNotification.objects.count()
    assert "checked 2, mismatches 0, errors 0" in jobs.mismatch_report(timezone.now())
    assert StaffNotification.objects.count() == before
    for payment in (never_opened, opened):
        payment.refresh_from_db()
        assert payment.status == "expired" and not payment.held_for_review


def test_a_failed_payment_reads_did_not_go_through_and_the_provider_is_a_place():
    """«Помилка» read as our fault and is a failed message's word: a payment that did not
    go through is «Не вдалося»; the provider is where a status is checked («у платіжному
    сервісі», not «у платіжного сервісу»)."""
    from zapys.payments.models import Payment

    with translation.override("uk"):
        assert str(Payment.Status.FAILED.label) == "Не вдалося"
        assert translation.gettext("Check status at the payment service").endswith(
            "у платіжному сервісі"
        )
    with translation.override("en"):
        assert str(Payment.Status.FAILED.label) == "Failed"
