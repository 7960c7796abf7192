"""The provider side of the sandbox: its checkout decisions and its API.

What LiqPay's servers do for a LiqPay account, this module does for a sandbox account,
so the demo runs offline through the same callback path. Callbacks go out over HTTP
(`tasks.sandbox_deliver_callback`) after the commit.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from zapys.core.tenancy import unscoped
from zapys.payments.models import PaymentAccount, SandboxCharge
from zapys.payments.providers import InvalidCallback
from zapys.payments.providers.sandbox import decode_and_verify, decode_data, encode, sign

logger = logging.getLogger(__name__)


def sandbox_account(public_id: str) -> PaymentAccount | None:
    with unscoped():
        return PaymentAccount.objects.filter(
            public_id=public_id, provider=PaymentAccount.Provider.SANDBOX
        ).first()


def sandbox_verify(data: str, signature: str) -> tuple[PaymentAccount, dict[str, Any]]:
    """The account and payload of a signed sandbox message (checkout or API call).

    The account — whose secret checks the signature — is named inside `data`, so the
    message is decoded once unverified: bounded in size and nesting (`decode_data`),
    and before any query, so a forged or absurd message costs one 400/404 and no read.
    """
    claimed = decode_data(data)
    if not signature:
        raise InvalidCallback("sandbox: signature missing")
    account = sandbox_account(str(claimed.get("account", "")))
    if account is None:
        raise InvalidCallback("sandbox: unknown account")
    return account, decode_and_verify(account.credentials["secret"], data, signature)


def checkout_expired(payload: dict[str, Any], now: datetime | None = None) -> bool:
    expires = payload.get("expires_at") or ""
    if not expires:
        return False
    return (now or timezone.now()) >= datetime.fromisoformat(expires)


def _signed(secret: str, payload: dict[str, Any]) -> dict[str, str]:
    data = encode(payload)
    return {"data": data, "signature": sign(secret, data)}


def _charge_fields(charge: SandboxCharge) -> dict[str, Any]:
    return {
        "account": charge.account_public_id,
        "order_id": charge.order_id,
        "status": charge.status,
        "amount": charge.amount,
        "currency": charge.currency,
        "payment_id": charge.payment_id,
        "transaction_id": charge.transaction_id,
        "refunded": charge.refunded,
    }


@transaction.atomic
def sandbox_charge(*, account: PaymentAccount, payload: dict[str, Any], success: bool) -> None:
    """The client finished the sandbox checkout: book the charge, send the callback."""
    charge, _created = SandboxCharge.objects.select_for_update().get_or_create(
        account_public_id=account.public_id,
        order_id=str(payload["order_id"]),
        defaults={"amount": int(payload["amount"]), "currency": str(payload["currency"])},
    )
    if charge.status == "success":
        return  # already paid: a second click changes nothing
    charge.status = "success" if success else "failure"
    charge.transaction_id = secrets.token_hex(6)
    charge.save()
    server_url = str(payload.get("server_url") or "")
    if not server_url:
        return
    fields = _signed(account.credentials["secret"], _charge_fields(charge))
    order_id = charge.order_id

    def deliver() -> None:
        """Enqueue the callback once the charge is committed. If the queue is down the
        client must still get their answer (the charge is booked): log it and let the
        reconciliation of pending payments (`payments.jobs`) ask the sandbox's API and
        find the charge, as it would for a real provider's lost callback."""
        from zapys.payments.tasks import sandbox_deliver_callback

        try:
            sandbox_deliver_callback(server_url, fields)
        except Exception:
            logger.warning(
                "sandbox: could not enqueue the callback for order %s; the reconciliation "
                "of pending payments will pick the charge up",
                order_id,
                exc_info=True,
            )

    transaction.on_commit(deliver)


@transaction.atomic
def sandbox_api(*, account: PaymentAccount, payload: dict[str, Any]) -> dict[str, str]:
    """`status` and `refund` actions; the reply is signed like everything else."""
    secret = account.credentials["secret"]
    charge = (
        SandboxCharge.objects.select_for_update()
        .filter(account_public_id=account.public_id, order_id=str(payload.get("order_id")))
        .first()
    )
    action = payload.get("action")
    if charge is None:
        return _signed(secret, {"result": "error", "code": "not_found"})
    if action == "status":
        return _signed(secret, {"result": "ok", **_charge_fields(charge)})
    if action == "refund":
        amount = payload.get("amount")
        remaining = charge.amount - charge.refunded
        if charge.status != "success" and charge.status != "reversed":
            return _signed(secret, {"result": "error", "code": "not_refundable"})
        if not isinstance(amount, int) or amount <= 0 or amount > remaining:
            return _signed(secret, {"result": "error", "code": "refund_amount_limit"})
        charge.refunded += amount
        if charge.refunded == charge.amount:
            charge.status = "reversed"
        charge.transaction_id = secrets.token_hex(6)
        charge.save()
        return _signed(secret, {"result": "ok", **_charge_fields(charge), "status": "reversed"})
    return _signed(secret, {"result": "error", "code": "invalid_action"})
