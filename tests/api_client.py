"""A JSON API client for tests: Django's test client with a bearer key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client


@dataclass
class ApiResponse:
    status: int
    body: Any

    @property
    def json(self) -> Any:
        return self.body


class ApiClient:
    def __init__(self, key: str | None) -> None:
        self.key = key
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def request(self, method: str, path: str, body: Any = None, **query: Any) -> ApiResponse:
        url = path if path.startswith("/api/") else f"/api/v1{path}"
        kwargs: dict[str, Any] = {"headers": self._headers()}
        if method in ("get", "delete") and query:
            kwargs["data"] = query
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(url, **kwargs)
        try:
            parsed = json.loads(response.content) if response.content else None
        except ValueError:
            parsed = response.content.decode(errors="replace")
        return ApiResponse(response.status_code, parsed)

    def get(self, path: str, **query: Any) -> ApiResponse:
        return self.request("get", path, **query)

    def post(self, path: str, body: Any = None) -> ApiResponse:
        return self.request("post", path, body if body is not None else {})

    def patch(self, path: str, body: Any = None) -> ApiResponse:
        return self.request("patch", path, body if body is not None else {})

    def put(self, path: str, body: Any = None) -> ApiResponse:
        return self.request("put", path, body if body is not None else {})

    def delete(self, path: str) -> ApiResponse:
        return self.request("delete", path)
