"""Bulk archive (I4) is set-based: a mixed selection of any size costs the same queries,
each invoice gets its protocol line, the audit rows are written together, a refusal changes
nothing, and the open provider attempts of what was archived are closed by the job."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.core.models import AuditLog
from zapys.invoices import services
from zapys.invoices.jobs import invoice_attempts
from zapys.invoices.models import Invoice
from zapys.payments.models import Payment


def _manual(client, **kwargs):
    return services.invoice_create(
        client=client, calculation="manual", amount=30_000, actor=SYSTEM, **kwargs
    )


def _mixed(org, size: int) -> list[int]:
    """`size` invoices of each kind the protocol tells apart: archivable (awaiting and
    partially paid and expired), paid, already archived; and an unknown id."""
    client = make_client(org)
    ids: list[int] = []
    for _ in range(size):
        awaiting, partly, expired, paid, archived = (_manual(client) for _ in range(5))
        Invoice.objects.filter(pk=partly.pk).update(status="partially_paid", paid_amount=100)
        Invoice.objects.filter(pk=expired.pk).update(status="expired")
        Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=30_000)
        Invoice.objects.filter(pk=archived.pk).update(status="archived")
        ids += [awaiting.pk, partly.pk, expired.pk, paid.pk, archived.pk]
    return ids


def _archive_counted(org, ids):
    with CaptureQueriesContext(connection) as queries:
        results = services.invoices_archive(organization=org, ids=ids, actor=SYSTEM)
    return results, len(queries)


def test_protocol_per_invoice_in_the_order_asked(org):
    ids = _mixed(org, 1)
    awaiting, partly, expired, paid, archived = ids
    before = dict(Invoice.objects.values_list("id", "status"))
    results = services.invoices_archive(
        organization=org, ids=[paid, awaiting, 999_999, archived, awaiting, partly, expired],
        actor=SYSTEM,
    )  # fmt: skip
    assert [(r.id, r.ok, r.error) for r in results] == [
        (paid, False, "paid"),
        (awaiting, True, None),
        (999_999, False, "not_found"),
        (archived, False, "already_archived"),
        (partly, True, None),
        (expired, True, None),
    ]
    assert all(r.number.startswith("РАХ-") for r in results if r.id != 999_999)
    statuses = dict(Invoice.objects.values_list("id", "status"))
    assert statuses == {**before, awaiting: "archived", partly: "archived", expired: "archived"}
    assert Invoice.objects.get(pk=paid).archived_at is None  # the refused row is untouched
    audited = dict(
        AuditLog.objects.filter(action="invoice.archive").values_list("object_id", "changes")
    )
    assert audited == {
        str(awaiting): {"status": ["awaiting", "archived"]},
        str(partly): {"status": ["partially_paid", "archived"]},
        str(expired): {"status": ["expired", "archived"]},
    }


def test_constant_queries_whatever_the_selection(org):
    small, small_queries = _archive_counted(org, _mixed(org, 1))
    large, large_queries = _archive_counted(org, _mixed(org, 8))
    assert (len(small), len(large)) == (5, 40)
    assert sum(r.ok for r in large) == 24  # three archivable of every five
    assert small_queries == large_queries
    # lock-and-read, one UPDATE, one audit INSERT per former status (three here)
    assert large_queries <= 8
    # a second pass: all already archived or paid, nothing written at all
    again, again_queries = _archive_counted(org, [r.id for r in large])
    assert not any(r.ok for r in again)
    assert again_queries < large_queries
    assert AuditLog.objects.filter(action="invoice.archive").count() == 3 + 24


def test_nothing_of_another_organization_is_archived(org, other_org):
    from zapys.core.tenancy import org_scope

    with org_scope(other_org):
        theirs = _manual(make_client(other_org))
    results = services.invoices_archive(organization=org, ids=[theirs.pk], actor=SYSTEM)
    assert [(r.ok, r.error, r.number) for r in results] == [(False, "not_found", "")]
    with org_scope(other_org):
        assert Invoice.objects.get(pk=theirs.pk).status == "awaiting"


@pytest.mark.django_db
def test_the_job_closes_the_open_attempts_of_archived_invoices(org, branch, settings):
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    make_account(org, "sandbox")
    client = make_client(org)
    invoice, kept = _manual(client), _manual(client)
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    open_one = services.invoice_payment_start(invoice=kept, actor=SYSTEM)
    assert payment.status in ("created", "pending")
    services.invoices_archive(organization=org, ids=[invoice.pk], actor=SYSTEM)
    from django.utils import timezone

    assert invoice_attempts(timezone.now()) == "1 closed"
    assert Payment.objects.get(pk=payment.pk).status == "expired"
    # the attempt of an invoice still open is left alone
    assert Payment.objects.get(pk=open_one.pk).status == open_one.status
    assert invoice_attempts(timezone.now()) == "0 closed"
