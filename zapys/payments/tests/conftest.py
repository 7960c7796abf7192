"""Payments test fixtures: simulators, and the sandbox's HTTP routed into Django."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.django_transport import DjangoClientTransport
from tests.factories_payments import LIQPAY_PRIVATE, WAYFORPAY_SECRET
from tests.simulators import LiqPaySimulator, WayForPaySimulator
from zapys.payments.providers import sandbox as sandbox_provider


@pytest.fixture(autouse=True)
def _payments_settings(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def sandbox_in_process() -> Iterator[None]:
    sandbox_provider.http_transport = DjangoClientTransport()
    try:
        yield
    finally:
        sandbox_provider.http_transport = None


@pytest.fixture
def liqpay_sim(settings) -> Iterator[LiqPaySimulator]:
    sim = _KeysLiqPay()
    with sim:
        settings.ZAPYS_LIQPAY_URL = sim.base_url
        yield sim


@pytest.fixture
def wayforpay_sim(settings) -> Iterator[WayForPaySimulator]:
    sim = _KeysWayForPay()
    with sim:
        settings.ZAPYS_WAYFORPAY_URL = sim.base_url
        yield sim


class _KeysLiqPay(LiqPaySimulator):
    """Knows every test account: any public key maps to the shared test private key."""

    def __init__(self) -> None:
        super().__init__(private_keys={})
        self.private_keys = _AnyKey(LIQPAY_PRIVATE)


class _KeysWayForPay(WayForPaySimulator):
    def __init__(self) -> None:
        super().__init__(secret_keys={})
        self.secret_keys = _AnyKey(WAYFORPAY_SECRET)


class _AnyKey(dict):
    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value

    def get(self, key, default=None):  # type: ignore[override]
        return self.value

    def __getitem__(self, key):  # type: ignore[override]
        return self.value
