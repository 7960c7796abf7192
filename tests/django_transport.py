"""An httpx transport served by Django's test client: lets code that calls our own HTTP
endpoints (the sandbox provider's callback) run inside a test's database transaction."""

from __future__ import annotations

import httpx
from django.test import Client


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
