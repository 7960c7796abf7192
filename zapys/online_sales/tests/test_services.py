"""Online sales services: settings, plans on sale, a purchase's money recorded once, codes,
attaching (by staff and X10), refunds reversing what was recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import SYSTEM, make_org
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_client
from zapys.catalog.models import Group
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.tenancy import org_scope
from zapys.ledger.models import FinancialOperation, SalesReceipt
from zapys.ledger.selectors import client_balance
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.messaging.models import Message
from zapys.online_sales import services
from zapys.online_sales.codes import ALPHABET, code_normalise
from zapys.online_sales.models import OnlineSale
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed


def _buy(org, plan, email="buyer@example.com", phone="") -> OnlineSale:
    return services.online_sale_start(
        organization=org, plan=plan, email=email, phone=phone, actor=SYSTEM
    )


def _paid(sale: OnlineSale) -> OnlineSale:
    payment = Payment.objects.get(pk=sale.payment_id)
    payment_succeed(payment=payment, actor=SYSTEM)
    sale.refresh_from_db()
    return sale


def _income(org) -> list[tuple[str, int, str]]:
    return list(
        FinancialOperation.objects.for_org(org)
        .order_by("id")
        .values_list("kind", "amount", "status")
    )


def test_commission_is_half_up_to_the_kopeck():
    assert services.commission_for(120_000, Decimal("2.5")) == 3_000
    assert services.commission_for(101, Decimal("0.5")) == 1  # 0.505 → 1 (half up)
    assert services.commission_for(99, Decimal("0.5")) == 0  # 0.495 → 0
    assert services.commission_for(33_333, Decimal("2.75")) == 917  # 916.6575 → 917


def test_settings_refuse_bad_values_and_change_nothing(org, shop):
    before = services.online_settings_get(org)
    for fields in (
        {"commission_percent": "51"},
        {"commission_percent": "-1"},
        {"commission_percent": "1.234"},
        {"text_color": "red"},
        {"width": 5},
        {"payment_account": None},  # enabled without an account
    ):
        with pytest.raises(DomainError):
            services.online_settings_update(organization=org, actor=SYSTEM, **fields)
    after = services.online_settings_get(org)
    assert (after.commission_percent, after.text_color, after.width, after.payment_account_id) == (
        before.commission_percent,
        before.text_color,
        before.width,
        before.payment_account_id,
    )


def test_a_one_off_plan_cannot_be_put_on_sale(org, shop):
    one_off = make_plan(org, "Trial", kind=MembershipPlan.Kind.ONE_OFF)
    with pytest.raises(DomainError, match="one-off plan") as caught:
        services.plan_online_update(plan=one_off, actor=SYSTEM, sell_online=True)
    assert caught.value.status == 422
    assert services.plan_online_get(one_off) is None


def test_paid_purchase_records_money_once_with_a_code_and_an_email(
    org, branch, shop, django_capture_on_commit_callbacks
):
    sale = _buy(org, shop, email=" Buyer@Example.com ", phone="067 123 45 67")
    assert (sale.email, sale.phone) == ("buyer@example.com", "+380671234567")
    assert (sale.price, sale.commission, sale.amount, sale.status) == (
        120_000,
        3_000,
        123_000,
        "pending",
    )
    assert _income(org) == []  # nothing is recorded before the money arrives
    sale = _paid(sale)
    assert sale.status == "paid" and code_normalise(sale.activation_code) == sale.activation_code
    assert len(sale.activation_code) == 8 and sale.activation_code[3] == "-"
    assert _income(org) == [("income", 123_000, "active")]
    receipt = SalesReceipt.objects.get(pk=sale.receipt_id)
    assert (receipt.client_id, receipt.total, receipt.paid) == (None, 123_000, 123_000)
    assert sorted(receipt.lines.values_list("amount", flat=True)) == [3_000, 120_000]
    message = Message.objects.get(related_id=str(sale.pk))
    assert message.channel == "email" and message.recipient == "buyer@example.com"
    assert sale.activation_code in message.text and "Dance 8" in message.text

    # A replayed success changes nothing: one operation, the same code, one e-mail.
    code = sale.activation_code
    payment = Payment.objects.get(pk=sale.payment_id)
    assert payment_succeed(payment=payment, actor=SYSTEM) is False
    sale.refresh_from_db()
    assert sale.activation_code == code and _income(org) == [("income", 123_000, "active")]
    assert Message.objects.filter(related_id=str(sale.pk)).count() == 1


def test_a_payment_naming_a_sale_it_does_not_pay_records_nothing(org, branch, shop):
    """A forged or stray payment (another attempt, a different amount) for a sale."""
    from zapys.payments.services import payment_create

    sale = _buy(org, shop)
    stray = payment_create(
        organization=org,
        account=None,
        purpose="online_sale",
        purpose_object=sale,
        client=None,
        amount=1,
        currency="UAH",
        description="",
        actor=SYSTEM,
    )
    payment_succeed(payment=stray, actor=SYSTEM)
    sale.refresh_from_db()
    assert sale.status == "pending" and sale.activation_code == "" and _income(org) == []


def test_invalid_email_and_plan_not_on_sale_are_refused(org, shop):
    with pytest.raises(DomainError, match="e-mail"):
        _buy(org, shop, email="not-an-email")
    with pytest.raises(DomainError, match="phone"):
        _buy(org, shop, phone="12")
    other = make_plan(org, "Not on sale")
    with pytest.raises(NotFound):
        _buy(org, other)
    assert not OnlineSale.objects.exists()


def test_codes_are_normalised_from_what_people_type(org, shop, branch):
    sale = _paid(_buy(org, shop))
    code = sale.activation_code
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert services.sale_by_code(org, f"  {typed} ").pk == sale.pk
    assert all(ch in ALPHABET for ch in code.replace("-", ""))
    assert not set("ILOU") & set(code)
    for bad in ("", "K7M-4Q2", "K7M-4Q2PX", "ZZZ-ZZZZ"):
        with pytest.raises(NotFound, match="No purchase"):
            services.sale_by_code(org, bad)


def test_attach_sells_the_membership_paid_from_the_held_money(org, branch, shop, actor):
    sale = _paid(_buy(org, shop))
    client = make_client(org, phone="+380501112233")
    group = Group.objects.create(organization=org, name="Salsa")
    sale = services.online_sale_attach(
        sale=sale, client=client, actor=actor, starts_on=date(2026, 12, 10), groups=[group]
    )
    assert sale.status == "attached" and sale.client_id == client.pk
    membership = ClientMembership.objects.get(pk=sale.membership_id)
    assert (membership.sale_mode, membership.price, membership.starts_on) == (
        "paid",
        120_000,
        date(2026, 12, 10),
    )
    assert list(sale.groups.all()) == [group]
    # The money is counted once: still one income operation, now linked to the client.
    assert _income(org) == [("income", 123_000, "active")]
    operation = FinancialOperation.objects.get()
    assert operation.client_id == client.pk and operation.entry_id is not None
    assert client_balance(client) == 0  # paid: the charge and the commission, the money

    with pytest.raises(Conflict, match="already used"):
        services.online_sale_attach(sale=sale, client=client, actor=actor)
    assert ClientMembership.objects.count() == 1 and _income(org) == [("income", 123_000, "active")]


def test_unpaid_or_refunded_codes_attach_nothing(org, branch, shop, actor):
    pending = _buy(org, shop)
    client = make_client(org)
    with pytest.raises(Conflict, match="not paid"):
        services.online_sale_attach(sale=pending, client=client, actor=actor)
    OnlineSale.objects.filter(pk=pending.pk).update(status="refunded")
    with pytest.raises(Conflict, match="refunded"):
        services.online_sale_attach(sale=pending, client=client, actor=actor)
    assert not ClientMembership.objects.exists()


def test_a_client_of_another_organization_is_refused(org, branch, shop, actor):
    sale = _paid(_buy(org, shop))
    other = make_org("Other")
    with org_scope(other):
        stranger = make_client(other)
    with pytest.raises(DomainError):
        services.online_sale_attach(sale=sale, client=stranger, actor=actor)
    sale.refresh_from_db()
    assert sale.status == "paid" and not ClientMembership.objects.exists()


def test_new_client_from_the_buyer(org, branch, shop, actor):
    sale = _paid(_buy(org, shop, email="new@example.com", phone="+380671112233"))
    sale = services.online_sale_attach_new_client(sale=sale, name="Нова Клієнтка", actor=actor)
    assert (sale.client.email, sale.client.phone) == ("new@example.com", "+380671112233")


def test_x10_attaches_itself_when_exactly_one_client_matches(org, branch, shop):
    client = make_client(org, phone="+380671234567")
    sale = _paid(_buy(org, shop, phone="0671234567"))
    assert sale.status == "attached" and sale.client_id == client.pk and sale.auto_attached
    assert ClientMembership.objects.get(pk=sale.membership_id).client_id == client.pk


def test_x10_leaves_two_matches_and_a_switched_off_module_to_the_code(org, branch, shop):
    make_client(org, "A", phone="+380671234567")
    make_client(org, "B", phone="+380671234567")
    assert _paid(_buy(org, shop, phone="+380671234567")).status == "paid"
    services.online_settings_update(organization=org, actor=SYSTEM, auto_attach=False)
    make_client(org, "C", phone="+380500000001")
    assert _paid(_buy(org, shop, phone="+380500000001")).status == "paid"
    assert not ClientMembership.objects.exists()


def test_a_declined_card_records_nothing_and_can_be_retried(org, branch, shop):
    sale = _buy(org, shop)
    first = Payment.objects.get(pk=sale.payment_id)
    payment_fail(payment=first, actor=SYSTEM)
    sale.refresh_from_db()
    assert sale.status == "pending" and _income(org) == []
    again = services.online_sale_retry(payment=first, actor=SYSTEM)
    assert again.pk != first.pk and again.retry_of_id == first.pk
    assert services.online_sale_retry(payment=first, actor=SYSTEM).pk == again.pk
    sale.refresh_from_db()
    assert sale.payment_id == again.pk
    payment_succeed(payment=again, actor=SYSTEM)
    sale.refresh_from_db()
    assert sale.status == "paid"
