"""Builders for payments tests: accounts (with simulator credentials), clients, payments."""

from __future__ import annotations

import itertools
from typing import Any

from tests.factories import SYSTEM
from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import payment_account_create
from zapys.topups.services import topup_create

_seq = itertools.count(1)

LIQPAY_PRIVATE = "sim-liqpay-private-key"
WAYFORPAY_SECRET = "sim-wayforpay-secret"


def make_account(org: Organization, provider: str = "sandbox", **fields: Any) -> PaymentAccount:
    n = next(_seq)
    credentials: dict[str, Any] = {}
    if provider == "liqpay":
        credentials = {"public_key": f"i-sim-{n}", "private_key": LIQPAY_PRIVATE}
    elif provider == "wayforpay":
        credentials = {
            "merchant_account": f"sim_merch_{n}",
            "secret_key": WAYFORPAY_SECRET,
            "merchant_domain": "salon.example.com",
        }
    credentials.update(fields.pop("credentials", {}))
    return payment_account_create(
        organization=org, provider=provider, credentials=credentials, actor=SYSTEM, **fields
    )


def make_client(org: Organization, name: str | None = None) -> Client:
    n = next(_seq)
    return Client.objects.for_org(org).create(
        organization=org, name=name or f"Коваленко Олена {n}", phone=f"+38067{n:07d}"
    )


def make_topup(
    org: Organization,
    *,
    account: PaymentAccount | None = None,
    client: Client | None = None,
    amount: int = 50000,
) -> Payment:
    client = client or make_client(org)
    return topup_create(client=client, amount=amount, account=account, actor=SYSTEM)
