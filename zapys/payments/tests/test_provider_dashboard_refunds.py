"""Refunds made in LiqPay's and WayForPay's own dashboards, end to end through the callback
URL with the local simulators speaking each protocol (issue 14, O5).

LiqPay states what was refunded in all (`refund_amount`, read as the total: see
`providers.liqpay.REFUND_AMOUNT_IS_TOTAL`), so its dashboard refund of an online sale is
recorded like one made from Zapys: a part on the client's account, the rest reversing the
purchase. WayForPay's callback states no refunded total (docs/architecture.md, "Decisions
of 2026-12-03 night"), so its dashboard refund stays held for review with nothing recorded.
Forged and replayed callbacks change nothing."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_client, make_transport_account
from tests.factories_payments import make_account
from tests.simulators import post_form
from tests.simulators.liqpay import lp_sign
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.selectors import client_balance
from zapys.memberships.models import ClientMembership
from zapys.messaging.models import StaffNotification
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import (
    online_sale_attach,
    online_sale_start,
    online_settings_update,
    plan_online_update,
)
from zapys.payments import services
from zapys.payments.models import Payment, PaymentEvent, PaymentRefund

PART = ("Part of an online sale was refunded", "Частину онлайн-продажу повернуто")
WHOLE = (
    "An online sale was refunded at the payment service",
    "Онлайн-продаж повернено в кабінеті платіжного сервісу",
)


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _sold_online(org, provider: str, capture, post_callback) -> tuple[OnlineSale, Payment]:
    """An online sale of a 1 200,00 plan (+2.5 % commission) paid through `provider`'s
    simulator: its checkout form taken by the simulator, its signed callback posted to
    the callback URL."""
    make_transport_account(org, "email")
    online_settings_update(
        organization=org,
        actor=SYSTEM,
        enabled=True,
        payment_account=make_account(org, provider),
        commission_percent=Decimal("2.5"),
    )
    plan = make_plan(org, "Dance 8", price=120_000, visits=8)
    plan_online_update(plan=plan, actor=SYSTEM, sell_online=True, button_text="Buy")
    sale = online_sale_start(organization=org, plan=plan, email="b@example.com", actor=SYSTEM)
    payment = Payment.objects.select_related("account").get(pk=sale.payment_id)
    form = services.checkout_form(payment)
    assert post_form(form.action, form.fields).status_code == 200
    with capture(execute=True):
        assert post_callback(payment).status_code == 200
    sale.refresh_from_db()
    payment.refresh_from_db()
    assert (sale.status, payment.status, payment.amount) == ("paid", "succeeded", 123_000)
    return sale, payment


def _liqpay_post(client, payment: Payment, fields: dict[str, str]):
    return client.post(
        f"/payments/callback/liqpay/{payment.account.public_id}/",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )


def _state(person=None):
    return (
        list(Payment.objects.values_list("status", "refunded_amount", "held_for_review")),
        list(OnlineSale.objects.values_list("status", flat=True)),
        sorted(Entry.objects.values_list("purpose", "amount", "status")),
        sorted(FinancialOperation.objects.values_list("kind", "amount", "status")),
        PaymentRefund.objects.count(),
        StaffNotification.objects.count(),
        client_balance(person) if person is not None else None,
    )


def test_liqpay_dashboard_refunds_part_then_whole(
    client, org, branch, liqpay_sim, django_capture_on_commit_callbacks
):
    sale, payment = _sold_online(
        org,
        "liqpay",
        django_capture_on_commit_callbacks,
        lambda p: _liqpay_post(client, p, liqpay_sim.build_callback(p.order_id)),
    )
    person = make_client(org, name="Коваль Ірина", phone="+380671112233")
    sale = online_sale_attach(sale=sale, client=person, actor=SYSTEM)
    assert client_balance(person) == 0

    # 300,00 back in LiqPay's dashboard: its `reversed` callback says so in refund_amount.
    fields = liqpay_sim.build_dashboard_refund(payment.order_id, Decimal("300"))
    assert json.loads(base64.b64decode(fields["data"]))["refund_amount"] == 300

    # Forged (signed with another key): refused, nothing changes.
    before = _state(person)
    forged = {**fields, "signature": lp_sign("not-the-key", fields["data"], 3)}
    assert _liqpay_post(client, payment, forged).status_code == 400
    assert _state(person) == before

    assert _liqpay_post(client, payment, fields).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", 30_000)
    assert not payment.held_for_review
    # Who asked: the provider, by its code (as the audit names it), in no one's language.
    assert list(PaymentRefund.objects.values_list("created_by", flat=True)) == ["liqpay"]
    refund = Entry.objects.get(purpose="refund")
    assert (refund.kind, refund.amount, refund.status) == ("credit", 30_000, "active")
    assert ("expense", 30_000, "active") in _state()[3]
    assert client_balance(person) == 0  # the price is lowered as much: not a debt (online_sales)
    assert ClientMembership.objects.get(pk=sale.membership_id).status == "active"
    assert StaffNotification.objects.filter(title__in=PART).count() == 1

    # Replayed (the same signed callback): a duplicate event, nothing changes.
    after = _state(person)
    assert _liqpay_post(client, payment, fields).status_code == 200
    assert _state(person) == after

    # The rest, also in the dashboard: refund_amount is now the whole 1 230,00 — the
    # purchase is reversed whole (membership cancelled, every entry and the till's income).
    rest = liqpay_sim.build_dashboard_refund(payment.order_id)
    assert _liqpay_post(client, payment, rest).status_code == 200
    payment.refresh_from_db()
    sale.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("refunded", 123_000)
    assert sale.status == "refunded"
    assert ClientMembership.objects.get(pk=sale.membership_id).status == "cancelled"
    assert not Entry.objects.filter(client=person, status="active").exists()
    assert {s for _k, _a, s in _state()[3]} == {"cancelled"}
    assert client_balance(person) == 0
    assert StaffNotification.objects.filter(title__in=WHOLE).count() == 1
    assert not PaymentEvent.objects.filter(outcome="held").exists()


def test_liqpay_whole_dashboard_refund_of_an_unattached_purchase(
    client, org, branch, liqpay_sim, django_capture_on_commit_callbacks
):
    sale, payment = _sold_online(
        org,
        "liqpay",
        django_capture_on_commit_callbacks,
        lambda p: _liqpay_post(client, p, liqpay_sim.build_callback(p.order_id)),
    )
    whole = liqpay_sim.build_dashboard_refund(payment.order_id)
    assert _liqpay_post(client, payment, whole).status_code == 200
    sale.refresh_from_db()
    payment.refresh_from_db()
    assert (sale.status, payment.status, payment.held_for_review) == ("refunded", "refunded", False)
    assert {s for _k, _a, s in _state()[3]} == {"cancelled"}
    # A later report of the same total (a resend with a new transaction id): nothing new.
    after = _state()
    again = liqpay_sim.build_callback(payment.order_id, "reversed")
    assert _liqpay_post(client, payment, again).status_code == 200
    assert _state() == after


def test_liqpay_reversed_without_refund_amount_is_held(
    client, org, branch, liqpay_sim, django_capture_on_commit_callbacks
):
    """A `reversed` report that states no total (an older message, or the field missing) is
    not guessed at: held for review, nothing recorded."""
    _sale, payment = _sold_online(
        org,
        "liqpay",
        django_capture_on_commit_callbacks,
        lambda p: _liqpay_post(client, p, liqpay_sim.build_callback(p.order_id)),
    )
    before = _state()
    fields = liqpay_sim.build_callback(payment.order_id, "reversed")  # nothing refunded there
    assert _liqpay_post(client, payment, fields).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.held_for_review) == ("succeeded", True)
    state = _state()
    assert state[2:5] == before[2:5]  # no entry, operation or refund row
    assert state[1] == ["paid"]


def test_wayforpay_dashboard_refund_is_held_for_review(
    client, org, branch, wayforpay_sim, django_capture_on_commit_callbacks
):
    """WayForPay's `Refunded` callback carries the order's amount and no refunded total:
    a person looks rather than Zapys guessing part or whole. Forged and replayed: nothing."""

    def post(p: Payment, payload) -> object:
        return client.post(
            f"/payments/callback/wayforpay/{p.account.public_id}/",
            json.dumps(payload),
            content_type="application/json",
        )

    _sale, payment = _sold_online(
        org,
        "wayforpay",
        django_capture_on_commit_callbacks,
        lambda p: post(p, wayforpay_sim.build_callback(p.order_id)),
    )
    refunded = wayforpay_sim.build_callback(payment.order_id, "Refunded")
    before = _state()
    forged = {**refunded, "merchantSignature": "0" * 32}
    assert post(payment, forged).status_code == 400
    assert _state() == before

    answer = post(payment, refunded)
    assert answer.status_code == 200 and json.loads(answer.content)["status"] == "accept"
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount, payment.held_for_review) == (
        "succeeded",
        0,
        True,
    )
    held = _state()
    assert held[1:5] == before[1:5]  # the sale, entries, operations, refunds as they were
    assert post(payment, refunded).status_code == 200  # replayed
    assert _state() == held
