"""Demo: a sandbox payment account (the default; the top-up and prepayment demos pay through
it), and the sandbox's books for every demo payment."""

from __future__ import annotations

from django.utils import translation

from zapys.core.demo import DemoContext
from zapys.payments import models, services

#: The seeded account's name: the test provider's own ("Test payments"), stored in the
#: organization's language; a system name, shown in the page's language by
#: `PaymentAccount.display_name` (as the names older demos stored).
DEMO_ACCOUNT_NAME = models.DEMO_ACCOUNT_NAME
DEMO_ACCOUNT_OLD_NAMES = models.DEMO_ACCOUNT_OLD_NAMES


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    with translation.override(org.language or None):
        name = translation.gettext(DEMO_ACCOUNT_NAME)
    account = services.payment_account_create(
        organization=org,
        provider="sandbox",
        name=name,
        credentials={},
        is_default=True,
        actor=ctx.actor,
    )
    ctx.data["payment_account"] = account


def finish(ctx: DemoContext) -> None:
    """The sandbox provider's books for every demo payment settled without a checkout.

    The demo marks payments paid or declined through the services, not by clicking the
    sandbox's card form, so the sandbox never saw them. A real provider knows every
    charge it made; without these rows the first reconciliation run would report each
    of them as a mismatch and hold it for review.
    """
    from zapys.payments.models import Payment, PaymentAccount, SandboxCharge

    provider_status = {
        Payment.Status.SUCCEEDED: "success",
        Payment.Status.PARTIALLY_REFUNDED: "success",
        Payment.Status.REFUNDED: "reversed",
        Payment.Status.FAILED: "failure",
    }
    settled = Payment.objects.for_org(ctx.organization).filter(
        account__provider=PaymentAccount.Provider.SANDBOX, status__in=list(provider_status)
    )
    for payment in settled.select_related("account"):
        SandboxCharge.objects.update_or_create(
            account_public_id=payment.account.public_id,
            order_id=payment.order_id,
            defaults={
                "status": provider_status[payment.status],
                "amount": payment.amount,
                "currency": payment.currency,
                "refunded": payment.refunded_amount,
            },
        )
