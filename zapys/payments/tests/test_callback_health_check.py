"""A callback's account read is the connection's health check (`selectors.account_for_callback`):
Django's `SELECT 1` before the request's first query is not sent, and a connection the
database dropped between two requests still fails no callback.

Through Django's real WSGI handler (the test client switches off the request signals that
reset the health check), on PostgreSQL, where CONN_HEALTH_CHECKS is on (zapys/settings.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import RequestFactory

from tests.factories_payments import make_account
from zapys.core.audit import Actor
from zapys.payments import services
from zapys.payments.models import Payment
from zapys.payments.providers.liqpay import encode_data, sign
from zapys.payments.purposes import Purpose, purpose_declare, purpose_withdraw

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="health checks are PostgreSQL's setting"
    ),
]


@pytest.fixture(autouse=True)
def bench_purpose():
    purpose_declare(
        Purpose(
            key="bench",
            label="Bench",
            on_succeeded=lambda payment, actor: None,
            on_failed=lambda payment, actor: None,
            on_refunded=lambda payment, amount, actor: None,
            return_url=lambda payment: None,
        )
    )
    yield
    purpose_withdraw("bench")


@pytest.fixture
def health_checks(settings):
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.close()
    connection.ensure_connection()  # reads the settings above
    assert connection.health_check_enabled
    yield
    connection.close()


def _wsgi(method: str, path: str, body: bytes = b"") -> str:
    factory = RequestFactory()
    if method == "POST":
        environ = factory.post(
            path, data=body, content_type="application/x-www-form-urlencoded"
        ).environ
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
    else:
        environ = factory.get(path).environ
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None, /
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None

    response = WSGIHandler()(environ, start_response)
    b"".join(response)
    response.close()  # request_finished: what a server does after each response
    return statuses[0]


def _pending(org, account, n: int) -> Payment:
    return services.payment_create(
        organization=org, account=account, purpose="bench", purpose_object=account,
        client=None, amount=10000 + n, currency="UAH", description="q", actor=Actor.system("t"),
    )  # fmt: skip


def _callback_body(account, payment: Payment) -> bytes:
    creds = services.provider_for(account).credentials
    data = encode_data({
        "public_key": creds["public_key"], "version": 3, "action": "pay", "status": "success",
        "order_id": payment.order_id, "amount": payment.amount / 100, "currency": "UAH",
        "payment_id": payment.pk, "end_date": 1, "transaction_id": payment.pk,
    })  # fmt: skip
    return urlencode({"data": data, "signature": sign(creds["private_key"], data)}).encode()


def _path(account) -> str:
    return f"/payments/callback/liqpay/{account.public_id}/"


def test_a_callback_sends_no_separate_health_check(health_checks, org):
    account = make_account(org, "liqpay")
    first, second = _pending(org, account, 1), _pending(org, account, 2)
    assert _wsgi("POST", _path(account), _callback_body(account, first)).startswith("200")
    with mock.patch.object(
        type(connections[DEFAULT_DB_ALIAS]),
        "is_usable",
        autospec=True,
        side_effect=lambda self: True,
    ) as is_usable:
        # Any other request on a kept connection is checked first (so the spy can see it)...
        assert _wsgi("GET", "/healthz").startswith("200")
        assert is_usable.call_count == 1
        # ...a callback is not: its account read does the checking.
        assert _wsgi("POST", _path(account), _callback_body(account, second)).startswith("200")
        assert is_usable.call_count == 1
    second.refresh_from_db()
    assert second.status == Payment.Status.SUCCEEDED


def test_a_connection_dropped_between_requests_fails_no_callback(health_checks, org):
    account = make_account(org, "liqpay")
    first, second = _pending(org, account, 1), _pending(org, account, 2)
    assert _wsgi("POST", _path(account), _callback_body(account, first)).startswith("200")
    kept = connection.connection
    pid = kept.info.backend_pid
    # The database drops the kept connection (as after a restart or a failover).
    dsn = kept.info.dsn
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert _wsgi("POST", _path(account), _callback_body(account, second)).startswith("200")

    assert connection.connection is not kept  # replaced, not reused broken
    second.refresh_from_db()
    assert second.status == Payment.Status.SUCCEEDED
    assert second.events.count() == 1
