"""Benchmark: one automatic invoicing rule (I5, "by payment forecast" on the base account) over
20,000 clients with planned lessons — a quarter of them with a membership that covers one
lesson, some with money on the balance, some with a payer — issuing the invoices, their
audit rows and the SMS with the link in the outbox. Printed beside a raw-SQL equivalent in
the same process: per batch of clients the same reads written by hand (planned lessons,
memberships, balances, payers) and the same rows inserted (invoices with their numbers and
breakdowns, audit rows, outbox messages with texts formatted the same way), as a ratio
(target ≤ 3×), and the rule's queries per batch (constant). Each side runs BENCH_REPEAT
times (default 3), alternating, from the same reset state; the best of each is compared.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/invoice_run.py
                                        # a throwaway `zapys_bench_invoices`, dropped after
    .venv/bin/python bench/invoice_run.py   # a throwaway SQLite file
"""

from __future__ import annotations

import json
import os
import sys
import time as clock
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_invoices")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("ZAPYS_PUBLIC_URL", "https://zapys.example")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(os.environ.get("BENCH_CLIENTS", "20000"))
N_STAFF = 100
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
BATCH = 500
PRICE = 25_000


def build():  # type: ignore[no-untyped-def]
    from tests.factories import SYSTEM, make_branch, make_org, make_staff
    from tests.factories_ledger import make_plan
    from tests.factories_messaging import make_console_accounts
    from tests.factories_schedule import make_service
    from zapys.clients.models import Client
    from zapys.core.tenancy import org_scope, organization_zone
    from zapys.invoices import rules
    from zapys.invoices.models import ClientPayer
    from zapys.invoices.services import local_today
    from zapys.ledger.models import Account, Entry
    from zapys.memberships.models import ClientMembership
    from zapys.schedule.models import Attendance, Visit
    from zapys.schedule.services import visit_statuses_ensure

    org = make_org("Bench")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_console_accounts(org)
        staff = [make_staff(org, "specialist", branches=[branch]) for _ in range(N_STAFF)]
        service = make_service(org, price=PRICE)
        plan = make_plan(org, "Two lessons", price=40_000, visits=1)
        Client.objects.bulk_create(
            [
                Client(organization=org, name=f"Клієнт {i:05d}", phone=f"+38067{i:07d}")
                for i in range(N)
            ],
            batch_size=2000,
        )
        clients = list(Client.objects.filter(organization=org).order_by("id"))
        Account.objects.bulk_create(
            [Account(organization=org, client=c, kind=Account.Kind.BASE) for c in clients],
            batch_size=2000,
        )
        base = dict(
            Account.objects.filter(organization=org, kind="base").values_list("client_id", "id")
        )
        today = local_today(org)
        now = timezone.now()
        zone = organization_zone(org)
        status = visit_statuses_ensure(organization=org)["booked"]
        # Two lessons in the next days for everyone (the rule's period: the current week is
        # not enough on a Sunday, so the rule takes the next week).
        start = datetime.combine(today + timedelta(days=8 - today.isoweekday()), time(7), zone)
        visits = []
        for i, client in enumerate(clients):
            for k in range(2):
                # each specialist: 60 twelve-minute lessons a day, Monday to Sunday
                slot = i // N_STAFF * 2 + k
                begins = start + timedelta(days=slot // 60, minutes=(slot % 60) * 14)
                visits.append(
                    Visit(
                        organization=org,
                        branch=branch,
                        staff=staff[i % N_STAFF],
                        client=client,
                        service=service,
                        starts_at=begins,
                        ends_at=begins + timedelta(minutes=12),
                        price=PRICE,
                        status=status,
                    )
                )
        Visit.objects.bulk_create(visits, batch_size=2000)
        Attendance.objects.bulk_create(
            [Attendance(organization=org, visit=v, client_id=v.client_id) for v in visits],
            batch_size=2000,
        )
        # A quarter hold a one-visit membership (covers a lesson); a fifth have 100 грн.
        ClientMembership.objects.bulk_create(
            [
                ClientMembership(
                    organization=org,
                    client=c,
                    plan=plan,
                    account_id=base[c.pk],
                    name=plan.name,
                    price=plan.price,
                    sale_mode="free",
                    starts_on=today,
                    ends_on=today + timedelta(days=40),
                    visits_total=1,
                )
                for c in clients[::4]
            ],
            batch_size=2000,
        )
        Entry.objects.bulk_create(
            [
                Entry(
                    organization=org,
                    client=c,
                    account_id=base[c.pk],
                    kind=Entry.Kind.DEBIT,
                    amount=10_000,
                    comment="bench",
                    created_at=now,
                )
                for c in clients[::5]
            ],
            batch_size=2000,
        )
        # Every 50th client is paid for by the next one (a parent).
        ClientPayer.objects.bulk_create(
            [
                ClientPayer(organization=org, client=clients[i], payer=clients[i + 1])
                for i in range(0, N - 1, 50)
            ]
        )
        rule = rules.rule_save(
            organization=org,
            actor=SYSTEM,
            name="Weekly",
            method="forecast",
            account="base",
            period="week",
            period_type="next",
            pay_window="1w",
            channel="sms",
            reissue_if_unpaid=True,
            template="{customer.name}: {bill.amount_url}",
            schedule=rules.Schedule("week", time(9), weekday=1),
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    return org, rule


def reset(org) -> None:  # type: ignore[no-untyped-def]
    from zapys.core.models import AuditLog
    from zapys.core.tenancy import unscoped
    from zapys.invoices.models import Invoice, InvoiceCounter
    from zapys.messaging.models import Message

    with unscoped():
        Message.objects.filter(organization=org).delete()
        AuditLog.objects.filter(organization=org, action__startswith="invoice").delete()
        Invoice.objects.filter(organization=org).delete()
        InvoiceCounter.objects.filter(organization=org).delete()


def raw_sql(org, rule) -> int:  # type: ignore[no-untyped-def]
    """The same job by hand: per batch of client ids, four reads (lessons, memberships,
    balances, payers), the forecast in Python, then the invoices, their audit rows and the
    messages as multi-row INSERTs; the numbers from one counter move per batch."""
    from zapys.core.money import format_money
    from zapys.core.tenancy import organization_zone
    from zapys.invoices.models import Invoice
    from zapys.invoices.rules import pay_until_for, rule_period
    from zapys.invoices.services import local_today

    zone = organization_zone(org)
    today = local_today(org)
    start, end = rule_period(rule, today)
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    pay_until = pay_until_for(rule.pay_window, today)
    page = Invoice(token="TOKEN").url.replace("TOKEN", "{}")  # the app's public page path
    transport = _sms_transport(org)
    issued = 0
    with connection.cursor() as c:
        c.execute(
            "SELECT id FROM clients_client WHERE organization_id = %s AND deleted_at IS NULL "
            "ORDER BY id",
            [org.pk],
        )
        ids = [row[0] for row in c.fetchall()]
        c.execute(
            "INSERT INTO invoices_invoicecounter (organization_id, year, last) VALUES (%s, %s, 0)",
            [org.pk, today.year],
        )
    for offset in range(0, len(ids), BATCH):
        batch = ids[offset : offset + BATCH]
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT id FROM invoices_invoicerule WHERE id = %s FOR UPDATE", [rule.pk])
            marks = ",".join(["%s"] * len(batch))
            c.execute(
                f"SELECT a.client_id, v.starts_at, v.price, v.subject_id, s.name "
                f"FROM schedule_attendance a JOIN schedule_visit v ON v.id = a.visit_id "
                f"LEFT JOIN catalog_service s ON s.id = v.service_id "
                f"WHERE a.client_id IN ({marks}) AND a.state = 'planned' AND v.blocks_time "
                f"AND v.starts_at >= %s AND v.starts_at < %s ORDER BY v.starts_at, a.id",
                [*batch, since, until],
            )
            lessons: dict[int, list] = {}
            for client_id, starts_at, price, _subject, title in c.fetchall():
                lessons.setdefault(client_id, []).append((starts_at, price, title))
            c.execute(
                f"SELECT client_id, name, starts_on, ends_on, visits_total - visits_used "
                f"FROM memberships_clientmembership WHERE client_id IN ({marks}) "
                f"AND status = 'active' AND starts_on <= %s AND ends_on >= %s",
                [*batch, end, start],
            )
            covers = {row[0]: list(row[1:]) for row in c.fetchall()}
            c.execute(
                f"SELECT a.client_id, a.id, COALESCE(SUM(CASE WHEN e.kind = 'debit' "
                f"THEN e.amount ELSE -e.amount END), 0) FROM ledger_account a "
                f"LEFT JOIN ledger_entry e ON e.account_id = a.id AND e.status = 'active' "
                f"WHERE a.client_id IN ({marks}) AND a.kind = 'base' GROUP BY a.client_id, a.id",
                batch,
            )
            accounts = {row[0]: (row[1], int(row[2])) for row in c.fetchall()}
            c.execute(
                f"SELECT p.client_id, p.payer_id, k.name, k.phone FROM invoices_clientpayer p "
                f"JOIN clients_client k ON k.id = p.payer_id WHERE p.client_id IN ({marks})",
                batch,
            )
            payers = {row[0]: row[1:] for row in c.fetchall()}
            c.execute(f"SELECT id, name, phone FROM clients_client WHERE id IN ({marks})", batch)
            people = {row[0]: row[1:] for row in c.fetchall()}
            rows = []
            for client_id in batch:
                account_id, balance = accounts[client_id]
                cover = covers.get(client_id)
                total, lines = 0, []
                for starts_at, price, title in lessons.get(client_id, []):
                    day = starts_at.astimezone(zone).date()
                    if cover and cover[1] <= day <= cover[2] and (cover[3] or 0) > 0:
                        cover[3] -= 1
                        lines.append(_line(day, title, price, 0, cover[0]))
                        continue
                    total += price
                    lines.append(_line(day, title, price, price, ""))
                if balance:
                    lines.append(
                        {"kind": "balance", "title": "Баланс врахований", "amount": -balance}
                    )
                amount = max(total - balance, 0)
                if amount > 0:
                    rows.append((client_id, account_id, amount, lines))
            if not rows:
                continue
            c.execute(
                "UPDATE invoices_invoicecounter SET last = last + %s WHERE organization_id = %s "
                "AND year = %s RETURNING last",
                [len(rows), org.pk, today.year],
            )
            last = c.fetchone()[0]
            first = last - len(rows) + 1
            tokens = [os.urandom(18).hex() for _ in rows]
            values, params = [], []
            for n, (client_id, account_id, amount, lines) in enumerate(rows):
                values.append("(" + ",".join(["%s"] * 23) + ")")
                payer = payers.get(client_id)
                params += [
                    org.pk, f"INV-{today.year}-{first + n:05d}", client_id,
                    payer[0] if payer else None, account_id, None, "forecast", amount, 0,
                    "UAH", start, end, today, pay_until, False, False, "awaiting",
                    json.dumps(lines), "", "Уроки", "", rule.pk, tokens[n],
                ]  # fmt: skip
            c.execute(
                "INSERT INTO invoices_invoice (organization_id, number, client_id, payer_id, "
                "account_id, membership_id, calculation, amount, paid_amount, currency, "
                "period_start, period_end, pay_from, pay_until, repeatable, allow_partial, "
                "status, breakdown, comment, title, subjects, rule_id, token, created_at) "
                "VALUES "
                + ",".join(v[:-1] + ", CURRENT_TIMESTAMP)" for v in values)
                + " RETURNING id",
                params,
            )
            invoice_ids = [row[0] for row in c.fetchall()]
            audit_row = (
                "(%s, CURRENT_TIMESTAMP, 'system', NULL, 'system', 'invoice.create', "
                "'invoices.invoice', %s, %s, %s)"
            )
            c.execute(
                "INSERT INTO core_auditlog (organization_id, created_at, actor_kind, "
                "actor_user_id, actor_label, action, object_type, object_id, object_repr, "
                "changes) VALUES " + ",".join([audit_row] * len(invoice_ids)),
                [
                    x
                    for pk in invoice_ids
                    for x in (org.pk, str(pk), f"Invoice #{pk}", '{"rule": 1}')
                ],
            )
            messages, params = [], []
            for pk, token, (client_id, _a, amount, _l) in zip(
                invoice_ids, tokens, rows, strict=True
            ):
                payer = payers.get(client_id)
                name, phone = (payer[1], payer[2]) if payer else people[client_id]
                url = page.format(token)
                text = f"{name}: {format_money(amount, 'UAH', 'uk')} — {url}"
                messages.append(
                    "(" + ",".join(["%s"] * 12) + ", CURRENT_TIMESTAMP, 0, '', '', '', '', "
                    "CURRENT_TIMESTAMP)"
                )
                params += [
                    org.pk, payer[0] if payer else client_id, phone, "sms", transport,
                    "console", "message.custom", text, f"invoice:{pk}:issued", "queued",
                    "invoices.invoice", str(pk),
                ]  # fmt: skip
            c.execute(
                "INSERT INTO messaging_message (organization_id, client_id, recipient, channel, "
                "transport_account_id, transport_code, event, text, idempotency_key, status, "
                "related_type, related_id, next_attempt_at, attempts, subject, claim_token, "
                "last_error, provider_message_id, created_at) VALUES " + ",".join(messages),
                params,
            )
            issued += len(invoice_ids)
    return issued


def _line(day, title, price, amount, covered):  # type: ignore[no-untyped-def]
    return {
        "kind": "lesson",
        "date": day.isoformat(),
        "title": title,
        "price": price,
        "amount": amount,
        "covered": covered,
    }


def _sms_transport(org) -> int:  # type: ignore[no-untyped-def]
    from zapys.messaging.models import TransportAccount

    return (
        TransportAccount.objects.for_org(org).filter(channel="sms").values_list("pk", flat=True)[0]
    )


def run_raw(org, rule) -> tuple[float, int, int]:  # type: ignore[no-untyped-def]
    reset(org)
    t0 = clock.perf_counter()
    issued = raw_sql(org, rule)
    return clock.perf_counter() - t0, issued, _total(org)


def _total(org) -> int:  # type: ignore[no-untyped-def]
    """What the invoices ask for in all: both sides must have priced the same lessons."""
    from django.db.models import Sum

    from zapys.core.tenancy import unscoped
    from zapys.invoices.models import Invoice

    with unscoped():
        return Invoice.objects.filter(organization=org).aggregate(s=Sum("amount"))["s"] or 0


def run_rule(org, rule):  # type: ignore[no-untyped-def]
    from zapys.core.audit import Actor
    from zapys.core.tenancy import org_scope, unscoped
    from zapys.invoices import rules
    from zapys.messaging.models import Message

    reset(org)
    with org_scope(org), CaptureQueriesContext(connection) as ctx:
        t0 = clock.perf_counter()
        report = rules.rule_run(rule=rule, actor=Actor.system("bench"), batch_size=BATCH)
        seconds = clock.perf_counter() - t0
    with unscoped():
        messages = Message.objects.filter(organization=org).count()
    assert messages == len(report.issued), (messages, len(report.issued))
    return seconds, len(ctx), report, _total(org)


def main() -> None:
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    print(f"building {N} clients with lessons on {connection.vendor} …", flush=True)
    org, rule = build()
    reverse("core:healthz")  # the URLconf is loaded in a worker long before a run
    raws, ours = [], []
    for _ in range(REPEAT):
        seconds, issued_raw, total_raw = run_raw(org, rule)
        raws.append(seconds)
        seconds, queries, report, total = run_rule(org, rule)
        ours.append(seconds)
        assert (len(report.issued), total) == (issued_raw, total_raw), (report, total, total_raw)
    batches = -(-N // BATCH)
    runs = ", ".join(f"{o:.2f}/{r:.2f}" for o, r in zip(ours, raws, strict=True))
    print(
        f"rule run: {min(ours):.2f}s best, {queries} queries for {batches} batches of {BATCH} "
        f"({(queries - 2) / batches:.1f} per batch), {report.summary()}"
    )
    print(f"raw SQL:  {min(raws):.2f}s best, the same {issued_raw} invoices, audit rows, SMS")
    print(f"runs (rule/raw): {runs}")
    print(f"ratio:    {min(ours) / min(raws):.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    try:
        print(f"database: {LABEL}")
        main()
    finally:
        CLEANUP()
