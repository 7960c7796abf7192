"""`payments.sql` reads and writes what the ORM would, on SQLite and PostgreSQL."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from tests.factories_payments import make_account, make_topup
from zapys.core.models import AuditLog
from zapys.core.tenancy import unscoped
from zapys.payments import sql
from zapys.payments.models import Payment, PaymentAccount, PaymentEvent


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_fetch_one_builds_the_instance_the_orm_builds(org, branch):
    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account)
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    # Often enough for PostgreSQL to prepare the statement (prepare_threshold).
    for _ in range(7):
        fetched = sql.fetch_one(
            Payment,
            {"organization_id": org.pk, "order_id": payment.order_id},
            for_update=True,
        )
        assert fetched is not None
        assert _values(fetched) == _values(Payment.objects.get(pk=payment.pk))
        assert not fetched._state.adding
    found = sql.fetch_one(PaymentAccount, {"public_id": account.public_id}, related="organization")
    assert found is not None
    assert _values(found) == _values(account)
    assert _values(found.organization) == _values(org)
    assert sql.fetch_one(PaymentAccount, {"public_id": "nope"}, related="organization") is None


def test_insert_sets_the_key_and_refuses_a_duplicate(org, branch):
    account = make_account(org, "liqpay")

    def event() -> PaymentEvent:
        return PaymentEvent(
            organization=org, account=account, source="callback", dedupe_key="k1",
            order_id="o1", status="succeeded", amount=100, currency="UAH",
            raw_body="data=...", parsed={"a": [1, "б"], "n": None},
        )  # fmt: skip

    first = event()
    assert sql.insert(first, on_conflict_do_nothing=("account", "dedupe_key"))
    stored = PaymentEvent.objects.get(pk=first.pk)
    assert stored.parsed == {"a": [1, "б"], "n": None}
    assert stored.received_at is not None
    assert not sql.insert(event(), on_conflict_do_nothing=("account", "dedupe_key"))
    assert PaymentEvent.objects.filter(account=account).count() == 1

    audit = AuditLog(organization=org, actor_kind="provider", action="x", changes={"s": 1})
    assert sql.insert(audit)
    with unscoped():
        assert AuditLog.objects.get(pk=audit.pk).changes == {"s": 1}


def test_update_counts_rows_and_honours_the_status_guard(org, branch):
    payment = make_topup(org, account=make_account(org, "liqpay"))
    now = timezone.now()
    where = {"id": payment.pk, "organization_id": org.pk}
    assert sql.update(Payment, {"status": "failed", "updated_at": now}, where,
                      where_in=("status", ["pending"])) == 1  # fmt: skip
    assert sql.update(Payment, {"status": "expired"}, where, where_in=("status", ["pending"])) == 0
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.updated_at) == ("failed", now)


def test_statements_run_through_djangos_connection(org, branch):
    """Logged like ORM queries when logging is on (CaptureQueriesContext, DEBUG)."""
    from django.test.utils import CaptureQueriesContext

    account = make_account(org, "liqpay")
    with CaptureQueriesContext(connection) as ctx:
        sql.fetch_one(PaymentAccount, {"public_id": account.public_id})
    assert len(ctx.captured_queries) == 1
    assert account.public_id in ctx.captured_queries[0]["sql"]


def test_errors_are_djangos_and_values_prepared_as_the_orm_would(org, branch):
    """psycopg's own cursor (PostgreSQL, queries not logged) still raises django.db errors,
    and values not of their column's plain type (a TextChoices member, a lazy text) take
    the field's own preparation."""
    from django.db import IntegrityError, transaction
    from django.utils.functional import lazy

    account = make_account(org, "liqpay")
    payment = make_topup(org, account=account)
    where = {"id": payment.pk, "organization_id": org.pk}
    label = lazy(lambda: "lazy note", str)()
    assert sql.update(
        Payment, {"status": Payment.Status.FAILED, "review_reason": label}, where
    ) == 1  # fmt: skip
    fresh = Payment.objects.get(pk=payment.pk)
    assert (fresh.status, fresh.review_reason) == ("failed", "lazy note")
    broken = PaymentEvent(organization=org, account=None, source="callback", dedupe_key="k")
    with transaction.atomic():
        try:
            sql.insert(broken)
        except IntegrityError:
            transaction.set_rollback(True)
        else:  # pragma: no cover - the database accepted a row without its account
            raise AssertionError("a NULL account was written")
