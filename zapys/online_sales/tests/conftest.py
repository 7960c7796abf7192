"""Online sales fixtures: public URLs on the test server, the sandbox's HTTP routed into
Django's test client, a module switched on with a sandbox account and an e-mail transport."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.django_transport import DjangoClientTransport
from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account
from zapys.online_sales.services import online_settings_update, plan_online_update
from zapys.payments.providers import sandbox as sandbox_provider


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def sandbox_in_process() -> Iterator[None]:
    sandbox_provider.http_transport = DjangoClientTransport()
    try:
        yield
    finally:
        sandbox_provider.http_transport = None


@pytest.fixture
def shop(org, branch):
    """The module on: a sandbox account, 2.5 % commission, e-mail through the console, one
    permanent plan of 1 200,00 on sale."""
    account = make_account(org, "sandbox")
    make_transport_account(org, "email")
    online_settings_update(
        organization=org,
        actor=SYSTEM,
        enabled=True,
        payment_account=account,
        commission_percent=Decimal("2.5"),
    )
    plan = make_plan(org, "Dance 8", price=120_000, visits=8)
    plan_online_update(plan=plan, actor=SYSTEM, sell_online=True, button_text="Buy Dance 8")
    return plan
