"""Prepayment test fixtures: public URLs on the test server, the sandbox's HTTP routed
into Django's test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.django_transport import DjangoClientTransport
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
