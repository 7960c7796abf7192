"""Fiscal test helpers: a register pointed at the local Checkbox simulator, paid top-ups."""

from __future__ import annotations

from typing import Any

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from zapys.accounts.models import Branch, Organization
from zapys.fiscal.models import CashRegister
from zapys.fiscal.services import register_save
from zapys.payments.models import Payment
from zapys.payments.services import payment_succeed


def make_register(org: Organization, branch: Branch, base_url: str, **creds: Any) -> CashRegister:
    fields = {"license_key": "LIC-1", "login": "cashier", "password": "secret", **creds}
    return register_save(
        organization=org, branch=branch, actor=SYSTEM, base_url=f"{base_url}/api/v1", **fields
    )


def paid_topup(org: Organization, amount: int = 50_000) -> Payment:
    account = make_account(org, "sandbox") if not hasattr(org, "_fiscal_account") else None
    if account is not None:
        org._fiscal_account = account  # type: ignore[attr-defined]
    payment = make_topup(org, account=org._fiscal_account, amount=amount)  # type: ignore[attr-defined]
    payment_succeed(payment=payment, actor=SYSTEM)
    payment.refresh_from_db()
    return payment
