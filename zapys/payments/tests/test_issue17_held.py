"""Issue 17: why a payment is held for review (an amount or currency mismatch, a refund
nobody asked for, a purpose that failed) is told to staff as a msgid with parameters, read
in each reader's language; the payment keeps the reason as text in the writer's."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.utils import translation

from tests.factories_payments import make_account, make_topup
from tests.simulators import post_form
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.messaging.models import StaffNotification
from zapys.payments import services
from zapys.payments.models import Payment
from zapys.payments.providers import CheckoutRequest
from zapys.payments.services.transitions import PurposeFailed
from zapys.payments.texts import FORMER_TEXTS

pytestmark = pytest.mark.django_db


def _callback(client, payment: Payment, fields: dict):
    path = f"/payments/callback/{payment.account.provider}/{payment.account.public_id}/"
    return client.post(path, urlencode(fields), content_type="application/x-www-form-urlencoded")


def _opened_with(payment: Payment, amount: int) -> None:
    """The client opens a checkout whose amount is not ours (a tampered form): the
    provider's callback will report that amount."""
    request = CheckoutRequest(
        order_id=payment.order_id,
        amount=amount,
        currency=payment.currency,
        description="x",
        result_url="http://testserver/",
        server_url=services.callback_url(payment.account),
    )
    form = services.provider_for(payment.account).build_checkout(request)
    assert post_form(form.action, form.fields).status_code == 200


def _notice(payment: Payment) -> StaffNotification:
    return StaffNotification.objects.get(related_id=str(payment.pk))


def test_an_amount_mismatch_reads_in_the_readers_language(client, org, branch, liqpay_sim):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=15050)
    _opened_with(payment, 15000)
    fields = liqpay_sim.build_callback(payment.order_id, "success")
    with translation.override("uk"):
        assert _callback(client, payment, fields).status_code == 200
    fresh = Payment.objects.get(pk=payment.pk)
    assert fresh.held_for_review and fresh.review_reason.startswith("Сума не збігається")
    notice = _notice(payment)
    assert notice.body_text["params"] == {
        "got": {"money": 15000, "currency": "UAH"},
        "want": {"money": 15050, "currency": "UAH"},
    }
    with translation.override("en"):
        assert notice.shown_body == (
            "Amount mismatch: the payment service reports UAH\u00a0150.00, expected "
            "UAH\u00a0150.50."
        )
    with translation.override("uk"):
        assert notice.shown_body == fresh.review_reason


def test_a_hold_written_in_english_reads_in_ukrainian(org, branch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50000)
    reason = StoredText(
        "The payment service reports a refund that Zapys did not request or record."
    )
    with translation.override("en"):
        services.payment_hold(payment=payment, reason=reason, actor=Actor.system("t"))
    payment.refresh_from_db()
    assert payment.review_reason == (
        "The payment service reports a refund that Zapys did not request or record."
    )
    notice = _notice(payment)
    with translation.override("uk"):
        # what was paid and how much, not «Онлайн-платіж №9»
        assert notice.shown_title == (
            "Онлайн-платіж на 500,00\u00a0грн (поповнення балансу) потребує перевірки"
        )
        assert "Zapys" in notice.shown_body and "did not request" not in notice.shown_body
    with translation.override("en"):
        assert notice.shown_body == payment.review_reason


def test_a_plain_reason_is_shown_as_it_was_written(org, branch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50000)
    services.payment_hold(payment=payment, reason="Перевірте вручну", actor=Actor.system("t"))
    notice = _notice(payment)
    assert notice.body_text == {}
    for language in ("en", "uk"):
        with translation.override(language):
            assert notice.shown_body == "Перевірте вручну"


def test_a_failed_purpose_reason_in_both_languages(org, branch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50000)
    bug = PurposeFailed(payment, "on_succeeded", KeyError("template_missing")).reason()
    refused = PurposeFailed(payment, "on_succeeded", DomainError("Клієнта видалено.")).reason()
    with translation.override("en"):
        assert bug.render() == (
            "The payment went through at the payment service, but Zapys could not apply it: an "
            "internal error (logged for the developers) Check the client's balance and apply it "
            "by hand."
        )
        # A domain error's words are shown as they were raised.
        assert "could not apply it: Клієнта видалено." in refused.render()
    with translation.override("uk"):
        assert "KeyError" not in bug.render() and "internal error" not in bug.render()
        assert "Клієнта видалено." in refused.render()


@pytest.mark.parametrize("msgid", FORMER_TEXTS)
def test_the_texts_stored_before_are_still_in_the_catalogue(msgid):
    with translation.override("uk"):
        assert translation.gettext(msgid) != msgid


def test_a_notice_stored_before_still_renders_in_each_language():
    """A row written before the rename ("the provider", a payment number) still reads."""
    old = StaffNotification(
        title="Онлайн-платіж №9 потребує перевірки",
        title_text={"msgid": "Online payment #%(id)s needs review", "params": {"id": 9}},
        body="",
        body_text={
            "msgid": "The provider reports a refund that Zapys did not request or record.",
            "params": {},
        },
    )
    with translation.override("en"):
        assert old.shown_title == "Online payment #9 needs review"
    with translation.override("uk"):
        assert old.shown_title == "Онлайн-платіж №9 потребує перевірки"
        assert old.shown_body.startswith("Платіжний сервіс повідомляє про повернення")


def test_stored_texts_say_payment_service_and_balance():
    """What payments stores for people to read says "payment service" and "balance" as the
    pages do; only the former texts (kept for old rows) say "provider" or "account"."""
    import ast
    from pathlib import Path

    import zapys.payments as app

    root = Path(app.__file__).parent
    said = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "texts.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "gettext_noop"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                text = str(node.args[0].value)
                if "provider" in text or "client's account" in text:
                    said.append(f"{path.name}: {text}")
    assert not said, said
