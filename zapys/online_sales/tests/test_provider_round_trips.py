"""The same purchase through real provider protocols: the LiqPay and WayForPay simulators
take the checkout form from the purchase's page, send their signed callbacks over HTTP to the
live server, and the sale is paid with its code exactly as through the sandbox (issue 14's
acceptance); a repeated callback changes nothing."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_payments import make_account
from tests.simulators import post_form
from zapys.ledger.models import FinancialOperation
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import online_sale_start, online_settings_update
from zapys.payments import services as payment_services
from zapys.payments.models import Payment
from zapys.payments.tests.conftest import liqpay_sim, wayforpay_sim  # noqa: F401 (fixtures)


@pytest.fixture
def live_public(settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    return live_server


def _sale_with(org, plan, provider: str):
    online_settings_update(
        organization=org, actor=SYSTEM, payment_account=make_account(org, provider)
    )
    sale = online_sale_start(organization=org, plan=plan, email="b@example.com", actor=SYSTEM)
    payment = Payment.objects.select_related("account").get(pk=sale.payment_id)
    return sale, payment, payment_services.checkout_form(payment)


def _assert_paid(sale: OnlineSale) -> None:
    sale.refresh_from_db()
    assert sale.status == "paid" and len(sale.activation_code) == 8
    assert list(FinancialOperation.objects.values_list("kind", "amount")) == [("income", 123_000)]


def test_liqpay_round_trip(live_public, org, branch, shop, liqpay_sim):  # noqa: F811
    sale, payment, form = _sale_with(org, shop, "liqpay")
    assert form.action.startswith(liqpay_sim.base_url)
    assert post_form(form.action, form.fields).status_code == 200
    assert liqpay_sim.pay(payment.order_id).status_code == 200
    _assert_paid(sale)
    code = sale.activation_code
    liqpay_sim.pay(payment.order_id)  # LiqPay repeats itself: nothing more happens
    _assert_paid(sale)
    assert sale.activation_code == code


def test_wayforpay_round_trip(live_public, org, branch, shop, wayforpay_sim):  # noqa: F811
    sale, payment, form = _sale_with(org, shop, "wayforpay")
    assert post_form(form.action, form.fields).status_code == 200
    wayforpay_sim.pay(payment.order_id)
    assert wayforpay_sim.accepted[payment.order_id] is True
    _assert_paid(sale)
