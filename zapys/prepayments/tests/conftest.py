"""Prepayment test fixtures: public URLs on the test server, the sandbox's HTTP routed
into Django's test client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from django.test import Client

from zapys.payments.providers import sandbox as sandbox_provider


class DjangoClientTransport(httpx.BaseTransport):
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
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def sandbox_in_process() -> Iterator[None]:
    sandbox_provider.http_transport = DjangoClientTransport()
    try:
        yield
    finally:
        sandbox_provider.http_transport = None
