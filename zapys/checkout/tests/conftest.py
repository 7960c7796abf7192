"""Checkout test fixtures: a visit in the past hour with a client, and payment links that
point at the test server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories_payments import make_account
from tests.factories_prepayments import make_client, make_service, make_visit


@pytest.fixture(autouse=True)
def _payments_settings(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def visit(org, branch):
    """A 450 грн appointment that started 30 minutes ago; the client owes nothing yet."""
    make_account(org, "sandbox")
    return make_visit(
        org,
        branch,
        client=make_client(org),
        service=make_service(org, price=45_000),
        starts_at=timezone.now() - timedelta(minutes=30),
    )
