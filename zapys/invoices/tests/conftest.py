"""Invoice test fixtures: the sandbox's HTTP routed into Django's test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.django_transport import DjangoClientTransport
from zapys.payments.providers import sandbox as sandbox_provider


@pytest.fixture
def sandbox_in_process() -> Iterator[None]:
    sandbox_provider.http_transport = DjangoClientTransport()
    try:
        yield
    finally:
        sandbox_provider.http_transport = None
