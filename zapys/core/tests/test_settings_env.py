import runpy
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tests.factories_payments import LIQPAY_PRIVATE, make_account, make_topup
from zapys import settings as base_settings
from zapys.payments.models import Payment, PaymentEvent
from zapys.payments.providers.liqpay import encode_data, sign
from zapys.settings import huey_settings


def test_huey_url_maps_to_sqlite_or_redis():
    sqlite = huey_settings("sqlite:////srv/zapys/huey.db", immediate=False)
    assert sqlite["huey_class"] == "huey.SqliteHuey" and sqlite["filename"] == "/srv/zapys/huey.db"
    redis = huey_settings("redis://127.0.0.1:6379/3", immediate=False)
    assert redis["huey_class"] == "huey.PriorityRedisHuey" and redis["url"].endswith("/3")
    with pytest.raises(ValueError, match="HUEY_URL"):
        huey_settings("amqp://guest@localhost//", immediate=False)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # the test database may be in memory, where WAL is impossible; the file database is WAL
    assert mode in ("wal", "memory")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_relative_sqlite_huey_path():
    assert huey_settings("sqlite:///var/q.db", immediate=False)["filename"] == "var/q.db"


# --- production settings ------------------------------------------------------------------

PRODUCTION_SECRETS = {"SECRET_KEY": "prod-" + "k" * 60, "ZAPYS_ENCRYPTION_KEY": "a passphrase"}


def _load_production(monkeypatch, **env: str | None) -> dict:
    """Run zapys/settings_production.py afresh with this environment; its globals."""
    for name, value in {**PRODUCTION_SECRETS, **env}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return runpy.run_module("zapys.settings_production")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ZAPYS_ENCRYPTION_KEY"])
@pytest.mark.parametrize("value", [None, "", "   "])
def test_production_settings_refuse_to_start_without_a_shared_key(monkeypatch, missing, value):
    # Unset, each process would generate (SECRET_KEY) or derive (ZAPYS_ENCRYPTION_KEY) its
    # own: a second machine could not read the first one's sessions or credentials.
    with pytest.raises(ImproperlyConfigured, match=f"^{missing} is not set") as refused:
        _load_production(monkeypatch, **{missing: value})
    assert "same value on every" in str(refused.value)


def test_production_settings_take_both_keys_from_the_environment(monkeypatch):
    loaded = _load_production(monkeypatch, SECURE_SSL_REDIRECT=None, SECURE_HSTS_SECONDS="600")
    assert loaded["SECRET_KEY"] == PRODUCTION_SECRETS["SECRET_KEY"]
    assert loaded["ZAPYS_ENCRYPTION_KEY"] == "a passphrase"
    assert loaded["SECURE_SSL_REDIRECT"] is True  # on unless the operator says otherwise
    assert loaded["SECURE_HSTS_SECONDS"] == 600
    assert "SECURE_PROXY_SSL_HEADER" not in loaded  # only behind a proxy that sets it
    behind = _load_production(monkeypatch, BEHIND_TLS_PROXY="true", SECURE_SSL_REDIRECT="false")
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert behind["SECURE_SSL_REDIRECT"] is False


def test_production_settings_keep_every_storage_alias(monkeypatch, settings):
    # Overriding STORAGES wholesale would drop aliases other modules define (private
    # uploads): production only swaps the static files backend.
    loaded = _load_production(monkeypatch)
    assert set(loaded["STORAGES"]) == set(base_settings.STORAGES)
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"].startswith("whitenoise.")


@pytest.fixture
def https_redirect(settings, monkeypatch):
    """Django's settings as production has them for the redirect (the rest as in tests)."""
    loaded = _load_production(monkeypatch)
    settings.SECURE_SSL_REDIRECT = loaded["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = loaded["SECURE_REDIRECT_EXEMPT"]
    return settings


@pytest.mark.django_db
def test_plain_http_pages_redirect_to_https_but_not_the_health_check(client, https_redirect):
    page = client.get("/login/")
    assert page.status_code == 301
    assert page["Location"] == "https://testserver/login/"
    health = client.get("/healthz")  # the load balancer checks the web process directly
    assert health.status_code == 200
    assert health.json()["database"] == "ok"


@pytest.mark.django_db
def test_proxy_header_marks_the_request_secure(client, https_redirect):
    https_redirect.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_provider_callback_over_plain_http_is_processed(client, org, branch, https_redirect):

    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account, amount=15050)
    data = encode_data(
        {
            "public_key": account.credentials["public_key"],
            "version": 3,
            "action": "pay",
            "status": "success",
            "order_id": payment.order_id,
            "payment_id": 777,
            "amount": 150.5,
            "currency": "UAH",
            "transaction_id": 777,
        }
    )
    response = client.post(
        f"/payments/callback/liqpay/{account.public_id}/",
        urlencode({"data": data, "signature": sign(LIQPAY_PRIVATE, data)}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert PaymentEvent.objects.filter(payment=payment).count() == 1


@pytest.mark.parametrize(("value", "expected"), [(None, False), ("true", True)])
def test_server_side_cursors_can_be_switched_off_for_pgbouncer(monkeypatch, value, expected):
    # A transaction-pooling PgBouncer cannot keep a cursor past its transaction
    # (docs/scaling.md): QuerySet.iterator() must then read in chunks on the client.
    monkeypatch.setenv("DATABASE_URL", "postgres://zapys@db.internal:5432/zapys")
    if value is None:
        monkeypatch.delenv("DATABASE_DISABLE_SERVER_SIDE_CURSORS", raising=False)
    else:
        monkeypatch.setenv("DATABASE_DISABLE_SERVER_SIDE_CURSORS", value)
    loaded = runpy.run_path(str(Path(base_settings.__file__)))
    assert loaded["DATABASES"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is expected
