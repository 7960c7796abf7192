"""Top-up test fixtures: payment links point at the test server."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _payments_settings(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
