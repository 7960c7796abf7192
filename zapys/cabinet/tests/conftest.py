"""Cabinet test fixtures: links point at the test server."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
