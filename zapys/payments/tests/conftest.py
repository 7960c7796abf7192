"""Payments test fixtures: simulators, and the sandbox's HTTP routed into Django."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from django.test import Client

from tests.factories_payments import LIQPAY_PRIVATE, WAYFORPAY_SECRET
from tests.simulators import LiqPaySimulator, WayForPaySimulator
from zapys.payments.providers import sandbox as sandbox_provider


class DjangoClientTransport(httpx.BaseTransport):
    """httpx requests served by Django's test client (same thread, same test database)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = Client().generic(
            request.method,
            request.url.raw_path.decode("ascii"),
            data=request.read(),
            content_type=request.headers.get("content-type", ""),
        )
        return httpx.Response(
            response.status_code,
            headers={"content-type": response.get("Content-Type", "")},
            content=response.content,
        )


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
