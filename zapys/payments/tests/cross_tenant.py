"""Cross-tenant cases for every payments API operation."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_account, make_topup
from zapys.payments.models import Payment, PaymentAccount, PaymentRefund


def _account(victim):
    account = make_account(victim, "sandbox")
    return CaseInput(
        path_params={"account_id": account.pk},
        foreign_ids=[account.pk],
        snapshot=lambda: list(PaymentAccount.objects.values_list("id", "is_default", "name")),
    )


def _payment(victim):
    payment = make_topup(victim, account=make_account(victim, "sandbox"))
    return CaseInput(
        path_params={"payment_id": payment.pk},
        body={},
        foreign_ids=[payment.pk],
        snapshot=lambda: (
            list(Payment.objects.values_list("id", "status", "refunded_amount")),
            PaymentRefund.objects.count(),
        ),
    )


def _account_create(victim):
    """Creating only ever touches the caller's organization. The shared "own" kind
    expects 200 (this answers 201), so the case is a refused create that must leave B's
    accounts untouched; test_api.py checks a successful create lands in A only."""
    make_account(victim, "sandbox")
    return CaseInput(
        body={"provider": "liqpay"},
        snapshot=lambda: list(PaymentAccount.objects.values_list("id", "is_default", "name")),
    )


CASES = [
    CrossTenantCase("post", "/api/v1/payment-accounts", _account_create, kind="create"),
    CrossTenantCase("get", "/api/v1/payment-accounts", _account, kind="list"),
    CrossTenantCase("get", "/api/v1/payment-accounts/{account_id}", _account),
    CrossTenantCase("get", "/api/v1/payments", _payment, kind="list"),
    CrossTenantCase("get", "/api/v1/payments/{payment_id}", _payment),
    CrossTenantCase("post", "/api/v1/payments/{payment_id}/refund", _payment),
]
