"""Builders for online sales tests (and the cross-tenant cases)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from tests.factories_payments import make_account
from zapys.accounts.models import Organization
from zapys.memberships.models import MembershipPlan
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import (
    online_sale_start,
    online_settings_update,
    plan_online_update,
)
from zapys.payments.models import Payment
from zapys.payments.services import payment_succeed


def make_shop(org: Organization, **plan_fields: Any) -> MembershipPlan:
    """The module on with a sandbox account and 2.5 % commission; one plan on sale."""
    online_settings_update(
        organization=org,
        actor=SYSTEM,
        enabled=True,
        payment_account=make_account(org, "sandbox"),
        commission_percent=Decimal("2.5"),
    )
    plan = make_plan(org, plan_fields.pop("name", "Dance 8"), **plan_fields)
    plan_online_update(plan=plan, actor=SYSTEM, sell_online=True, button_text="Buy")
    return plan


def make_sale(
    org: Organization, plan: MembershipPlan, *, paid: bool = True, email: str = "b@example.com"
) -> OnlineSale:
    sale = online_sale_start(organization=org, plan=plan, email=email, actor=SYSTEM)
    if paid:
        payment_succeed(payment=Payment.objects.for_org(org).get(pk=sale.payment_id), actor=SYSTEM)
        sale.refresh_from_db()
    return sale
