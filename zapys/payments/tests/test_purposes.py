"""Declared purposes (DESIGN rule 13) and what happens when a purpose's transition fails: the
provider's event is kept and marked, the payment held for review, the staff told, the
provider answered as usual — and nothing the purpose half-wrote survives."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import pytest
from django.utils import translation

from tests.factories_payments import make_account, make_topup
from tests.simulators import post_form
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.messaging.models import StaffNotification
from zapys.payments import purposes, services
from zapys.payments.models import Payment, PaymentEvent
from zapys.payments.purposes import Purpose, UnknownPurpose, purpose_declare, purpose_withdraw
from zapys.topups.services import top_up_succeeded


def _form(client, payment: Payment, fields: dict):
    path = f"/payments/callback/{payment.account.provider}/{payment.account.public_id}/"
    return client.post(path, urlencode(fields), content_type="application/x-www-form-urlencoded")


def _money_rows() -> tuple[int, int, int]:
    return Entry.objects.count(), FinancialOperation.objects.count(), SalesReceipt.objects.count()


def _top_up_succeeding_with(monkeypatch, on_succeeded) -> None:
    """The declared top-up purpose with another success transition, for one test."""
    original = purposes._PURPOSES["top_up"]
    monkeypatch.setitem(
        purposes._PURPOSES, "top_up", dataclasses.replace(original, on_succeeded=on_succeeded)
    )


@pytest.fixture
def broken_top_up(monkeypatch):
    """The top-up purpose writes its ledger rows, then fails (a bug after the money rows)."""

    def writes_then_fails(payment, actor):
        top_up_succeeded(payment, actor)
        raise KeyError("template_missing")

    _top_up_succeeding_with(monkeypatch, writes_then_fails)


def test_every_installed_purpose_is_declared_with_a_label():
    declared = purposes.purposes_discover()
    assert {"top_up", "prepayment"} <= set(declared)
    with translation.override("uk"):
        assert purposes.purpose_label("prepayment") == "Передоплата"
        assert purposes.purpose_label("top_up") == "Поповнення балансу"
    with translation.override("en"):
        assert purposes.purpose_label("prepayment") == "Prepayment"
        # A payment of an app that is gone reads as a payment, never as its key.
        assert purposes.purpose_label("gone_app") == "Online payment"


def _noop_purpose(key: str, label: str) -> Purpose:
    def noop(*args):
        return None

    return Purpose(
        key=key, label=label, on_succeeded=noop, on_failed=noop, on_refunded=noop, return_url=noop
    )


def test_a_purpose_must_be_complete_and_unique():
    with pytest.raises(ValueError):
        _noop_purpose("Bad Key", "x")
    with pytest.raises(ValueError):
        _noop_purpose("nolabel", " ")
    with pytest.raises(ValueError):
        purpose_declare(_noop_purpose("top_up", "Another top-up"))


def test_a_payment_for_an_undeclared_purpose_is_refused(org, branch):
    account = make_account(org, "sandbox")
    before = Payment.objects.count()
    with pytest.raises(UnknownPurpose):
        services.payment_create(
            organization=org,
            account=account,
            purpose="nobody_declares_this",
            purpose_object=None,
            client=None,
            amount=1000,
            currency="UAH",
            description="",
            actor=Actor.system("t"),
        )
    assert Payment.objects.count() == before


def test_a_failing_purpose_keeps_the_event_holds_the_payment_and_tells_the_staff(
    client, org, branch, liqpay_sim, broken_top_up
):
    payment = make_topup(org, account=make_account(org, "liqpay"), amount=15050)
    form = services.checkout_form(payment)
    assert post_form(form.action, form.fields).status_code == 200
    money_before = _money_rows()
    fields = liqpay_sim.build_callback(payment.order_id, "success")
    response = _form(client, payment, fields)

    assert response.status_code == 200  # the provider gets its usual answer
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.held_for_review) == ("succeeded", True)
    assert "could not apply" in fresh.review_reason or "не вдалося" in fresh.review_reason
    assert "KeyError" not in fresh.review_reason  # no Python in what staff read
    event = PaymentEvent.objects.get(payment=payment)
    assert event.outcome == PaymentEvent.Outcome.HELD
    assert event.note == fresh.review_reason
    # The purpose's half-written money rows rolled back with its transaction.
    assert _money_rows() == money_before
    assert StaffNotification.objects.filter(related_id=str(payment.pk)).count() == 1
    assert AuditLog.objects.filter(action="payment.held_for_review", object_id=str(payment.pk))
    assert AuditLog.objects.filter(action="payment.succeeded", object_id=str(payment.pk))

    # The provider retries: a duplicate of a stored event, nothing changes.
    again = _form(client, payment, fields)
    assert again.status_code == 200
    assert PaymentEvent.objects.filter(payment=payment).count() == 1
    assert _money_rows() == money_before
    assert StaffNotification.objects.filter(related_id=str(payment.pk)).count() == 1


def test_a_purpose_refusing_with_a_domain_error_says_why(org, branch, monkeypatch):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=5000)

    def refuses(payment, actor):
        raise DomainError("Клієнта видалено.")

    _top_up_succeeding_with(monkeypatch, refuses)
    money_before = _money_rows()
    assert services.payment_succeed(payment=payment, actor=Actor.system("t")) is True
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.held_for_review) == ("succeeded", True)
    assert "Клієнта видалено." in fresh.review_reason
    assert _money_rows() == money_before


def test_withdrawn_purpose_payments_still_move(org, branch):
    def noop(*args):
        return None

    purpose_declare(
        Purpose(
            key="short_lived",
            label="Short-lived",
            on_succeeded=noop,
            on_failed=noop,
            on_refunded=noop,
            return_url=noop,
        )
    )
    payment = services.payment_create(
        organization=org,
        account=make_account(org, "sandbox"),
        purpose="short_lived",
        purpose_object=None,
        client=None,
        amount=1000,
        currency="UAH",
        description="",
        actor=Actor.system("t"),
    )
    purpose_withdraw("short_lived")
    assert services.payment_succeed(payment=payment, actor=Actor.system("t")) is True
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_a_purpose_writes_in_the_organizations_language_whoever_caused_it(org, branch):
    """A Ukrainian salon's top-up paid while the active language is English (a client who
    switched the payment page to English, an English-speaking operator's tick): the ledger
    comment, the receipt line and the staff notification are Ukrainian."""
    assert org.language == "uk"
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=5000)
    with translation.override("en"):
        services.payment_succeed(payment=payment, actor=Actor.system("t"))
    entry = Entry.objects.get(cause_id=str(payment.pk))
    assert entry.comment == "Онлайн-поповнення балансу (Тестові платежі)"
    receipt = SalesReceipt.objects.get(cause_id=str(payment.pk))
    assert [line.name for line in receipt.lines.all()] == ["Поповнення балансу"]
    note = StaffNotification.objects.get(related_id=str(payment.pk))
    assert note.title.startswith("Отримано поповнення")


def test_the_payments_list_and_the_audit_log_name_the_purpose_in_words(client, org, branch, owner):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=123456)
    client.force_login(owner)
    page = client.get("/payments/").content.decode()
    assert "Поповнення балансу" in page
    assert ">top_up<" not in page
    audit = AuditLog.objects.get(action="payment.create", object_id=str(payment.pk))
    assert "top_up" not in audit.object_repr and "1234.56" not in audit.object_repr
    # by what it is for and its amount, no number (tests speak English)
    assert audit.object_repr.replace("\xa0", " ") == "Balance top-up, UAH 1,234.56"
