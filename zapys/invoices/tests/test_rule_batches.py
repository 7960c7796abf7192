"""A rule run is set-based: every batch of clients costs the same number of queries, whatever
its size, with forecasts, payers and messages; and two runs of one rule at once never issue an
invoice twice (PostgreSQL, two threads)."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.clients.models import Client
from zapys.core.tenancy import org_scope, organization_zone
from zapys.invoices import rules, services
from zapys.invoices.models import Invoice, InvoiceRule
from zapys.ledger.models import Account
from zapys.messaging.models import Message


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _rule(org, **fields) -> InvoiceRule:
    defaults = {"name": "Monthly", "method": "membership", "account": "all", "channel": "sms"}
    return rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        **{**defaults, **fields},
    )


def _clients(org, plan, count: int, *, payer_every: int = 0) -> list:
    today = services.local_today(org)
    made = []
    for n in range(count):
        client = make_client(org)
        if plan is not None:
            make_membership(client, plan, mode="free", starts_on=today)
        if payer_every and n % payer_every == 0:
            services.client_payer_set(client=client, payer=make_client(org), actor=SYSTEM)
        made.append(client)
    return made


def _queries_of_run(rule: InvoiceRule, *, batch_size: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        report = rules.rule_run(rule=rule, actor=SYSTEM, batch_size=batch_size)
    assert report.issued, "the run must issue something to measure"
    return len(ctx.captured_queries)


def _with_lessons(org, branch, clients) -> None:
    """Two planned lessons this month for each client (what a forecast prices)."""
    service = make_service(org, price=25_000)
    zone = organization_zone(org)
    today = services.local_today(org)
    for client in clients:
        staff = make_specialist(org, branch)  # one each: the lessons are at the same hours
        for hour in (9, 15):
            make_visit(
                org, client=client, staff=staff, service=service, branch=branch, price=25_000,
                starts_at=datetime.combine(today, time(hour), zone) + timedelta(hours=1),
            )  # fmt: skip


@pytest.mark.parametrize("method", ["membership", "forecast"])
def test_each_batch_costs_the_same_queries_whatever_its_size(org, branch, method):
    make_console_accounts(org)
    plan = make_plan(org, price=60_000, separate_account=True)
    fields = {"method": method, "account": "membership" if method == "membership" else "base"}
    if method == "forecast":
        fields["period"] = "day"  # today's lessons
    # A forecast prices lessons no membership covers: its clients have none.
    plan = plan if method == "membership" else None
    first = _clients(org, plan, 2, payer_every=2)
    if method == "forecast":
        _with_lessons(org, branch, first)
    small = _queries_of_run(_rule(org, name="A", **fields), batch_size=100)

    more = _clients(org, plan, 6, payer_every=2)
    if method == "forecast":
        _with_lessons(org, branch, more)
    large = _queries_of_run(_rule(org, name="B", reissue_if_unpaid=True, **fields), batch_size=100)
    assert large == small  # eight clients (and their payers) in one batch cost what two cost

    # The payers are clients too (with nothing to invoice): every client is a candidate.
    batches = -(-Client.objects.count() // 2)
    assert batches >= 4
    # Measured from the same state (every client already has its accounts): one batch, and
    # the same clients in two-client batches.
    one = _queries_of_run(_rule(org, name="C", reissue_if_unpaid=True, **fields), batch_size=100)
    four_batches = _rule(org, name="D", reissue_if_unpaid=True, **fields)
    per_batch = (_queries_of_run(four_batches, batch_size=2) - one) / (batches - 1)
    assert per_batch == int(per_batch) and 0 < per_batch < small
    issued = list(Invoice.objects.filter(rule=four_batches).values_list("pk", flat=True))
    assert len(issued) == 8
    assert Message.objects.filter(related_id__in=[str(pk) for pk in issued]).count() == 8
    if method == "forecast":
        invoice = Invoice.objects.filter(rule=four_batches).first()
        assert invoice is not None and invoice.amount == 50_000


def test_numbers_stay_gap_free_across_batches(org, branch):
    make_console_accounts(org)
    plan = make_plan(org, price=30_000, separate_account=True)
    _clients(org, plan, 5)
    services.invoice_create(client=make_client(org), calculation="manual", amount=1, actor=SYSTEM)
    rules.rule_run(rule=_rule(org), actor=SYSTEM, batch_size=2)
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = services.local_today(org).year
    assert numbers == [f"РАХ-{year}-{n:05d}" for n in range(1, 7)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_runs_at_once_issue_each_invoice_once(org, branch):
    make_console_accounts(org)
    plan = make_plan(org, price=30_000, separate_account=True)
    clients = _clients(org, plan, 12)
    rule = _rule(org, reissue_if_unpaid=True)
    barrier = threading.Barrier(2)
    reports: list = []
    errors: list = []

    def run() -> None:
        try:
            with org_scope(org):
                barrier.wait()
                reports.append(rules.rule_run(rule=rule, actor=SYSTEM, batch_size=3))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Invoice.objects.filter(rule=rule).count() == len(clients)
    assert sum(len(r.issued) for r in reports) == len(clients)
    issued = [str(pk) for pk in Invoice.objects.filter(rule=rule).values_list("pk", flat=True)]
    assert Message.objects.filter(related_id__in=issued).count() == len(clients)


def test_two_memberships_on_one_account_make_one_invoice(org, branch):
    """Both plans keep their money on the base account: one invoice for the account and the
    period, the second membership skipped with the reason (the API's fuzzing found a 500)."""
    make_console_accounts(org)
    client = make_client(org)
    today = services.local_today(org)
    for name in ("Yoga", "Pilates"):
        make_membership(client, make_plan(org, name, price=40_000), mode="free", starts_on=today)
    report = rules.rule_run(rule=_rule(org, account="all"), actor=SYSTEM)
    assert len(report.issued) == 1
    assert report.skipped == [{"client_id": client.pk, "reason": "already issued for this period"}]
    assert Invoice.objects.filter(client=client).count() == 1


def test_a_dry_run_writes_nothing_not_even_a_new_clients_account(org, branch):
    make_console_accounts(org)
    clients = _clients(org, None, 2)
    _with_lessons(org, branch, clients)
    accounts_before = Account.objects.count()
    rule = _rule(org, method="forecast", account="base", period="day")
    dry = rules.rule_run(rule=rule, actor=SYSTEM, dry_run=True)
    assert sorted(i["client_id"] for i in dry.issued) == sorted(c.pk for c in clients)
    assert Account.objects.count() == accounts_before
    assert Invoice.objects.count() == 0 and Message.objects.count() == 0
