"""Benchmark: the report pages over 1,000,000 ledger entries and 200,000 payments (a year of
a busy organization, PostgreSQL). For each report its data path (the selectors the view
calls) and the whole page (the test client: middleware, session, template) are timed beside
the raw SQL aggregate that answers the same question, in the same run and on the same rows;
the ratio is the selectors' time over the raw SQL's (target ≤ 1.5×). Query counts are
printed too: they do not depend on the rows (the tests assert it on 1 vs many).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/reports.py
    (BENCH_ENTRIES / BENCH_PAYMENTS shrink it; a throwaway `<db>_bench_reports`, dropped after)
"""

from __future__ import annotations

import os
import sys
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_reports")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

N_ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))
N_PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "200000"))
N_CLIENTS = 2000
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
ZONE = "Europe/Kyiv"


def build():  # type: ignore[no-untyped-def]
    from tests.factories import make_branch, make_org, make_staff
    from tests.factories_ledger import make_client, make_payment_type
    from tests.factories_payments import make_account
    from zapys.accounts.models import User
    from zapys.core.tenancy import org_scope
    from zapys.ledger.services import account_base_for

    org = make_org("Bench reports")
    with org_scope(org):
        branch = make_branch(org, "Main")
        owner = make_staff(org, User.Role.OWNER, username="bench-owner", branches=[branch])
        types = [make_payment_type(branch, m).pk for m in ("cash", "card", "online")]
        clients = [make_client(org) for _ in range(N_CLIENTS)]
        accounts = [account_base_for(client=c).pk for c in clients]
        pay_account = make_account(org, "sandbox")
    first_client, first_account = clients[0].pk, accounts[0]
    with connection.cursor() as cur:
        # A year of entries: client i % N, kinds and purposes mixed, 80% with a payment type
        # (money), a few cancelled; created_at spread over 365 days.
        cur.execute(
            """
            INSERT INTO ledger_entry (organization_id, account_id, client_id, kind, amount,
                purpose, comment, cause_type, cause_id, branch_id, payment_type_id,
                created_by_label, created_at, status, cancelled_at, cancel_reason)
            SELECT %s, %s + (g %% %s), %s + (g %% %s),
                   CASE WHEN g %% 7 = 0 THEN 'credit' ELSE 'debit' END,
                   1000 + (g %% 50000),
                   (ARRAY['payment','top_up','prepayment','membership_sale','invoice_payment',
                          'refund','service'])[1 + g %% 7],
                   '', '', '', %s,
                   CASE WHEN g %% 5 = 4 THEN NULL ELSE (ARRAY[%s,%s,%s])[1 + g %% 3] END,
                   '', now() - ((g %% 525600) * interval '1 minute'),
                   CASE WHEN g %% 97 = 0 THEN 'cancelled' ELSE 'active' END,
                   CASE WHEN g %% 97 = 0 THEN now() END, ''
            FROM generate_series(1, %s) AS g
            """,
            [org.pk, first_account, N_CLIENTS, first_client, N_CLIENTS, branch.pk, *types,
             N_ENTRIES],
        )  # fmt: skip
        cur.execute(
            """
            INSERT INTO payments_payment (organization_id, account_id, purpose, purpose_type,
                purpose_id, client_id, amount, currency, description, order_id, token, status,
                provider_payment_id, provider_status, held_for_review, review_reason, paid_at,
                opened_at, created_at, updated_at, refunded_amount)
            SELECT %s, %s, (ARRAY['top_up','prepayment','invoice','online_sale'])[1 + g %% 4],
                   'clients.client', (%s + g %% %s)::text, %s + g %% %s, 10000, 'UAH', 'Bench',
                   'bench-' || g, md5('t' || g),
                   CASE WHEN g %% 3 = 0 THEN 'expired' ELSE 'succeeded' END, '', '', false, '',
                   CASE WHEN g %% 3 = 0 THEN NULL
                        ELSE now() - ((g %% 525600) * interval '1 minute') + interval '40 minutes'
                   END,
                   CASE WHEN g %% 4 = 0 THEN NULL
                        ELSE now() - ((g %% 525600) * interval '1 minute') + interval '5 minutes'
                   END,
                   now() - ((g %% 525600) * interval '1 minute'), now(), 0
            FROM generate_series(1, %s) AS g
            """,
            [org.pk, pay_account.pk, first_client, N_CLIENTS, first_client, N_CLIENTS, N_PAYMENTS],
        )  # fmt: skip
        cur.execute(
            """
            INSERT INTO messaging_message (organization_id, client_id, recipient, channel,
                transport_code, event, subject, text, related_type, related_id,
                idempotency_key, status, attempts, last_error, provider_message_id, created_at,
                claim_token)
            SELECT %s, %s + g %% %s, '+380670000000',
                   (ARRAY['sms','telegram','viber','email'])[1 + g %% 4], '', 'bench.link', '',
                   'Pay', 'clients.client', (%s + g %% %s)::text, 'bench-' || g,
                   CASE WHEN g %% 2 = 0 THEN 'delivered' ELSE 'sent' END, 1, '', '',
                   now() - (g * interval '3 minutes'), ''
            FROM generate_series(1, %s) AS g
            """,
            [org.pk, first_client, N_CLIENTS, first_client, N_CLIENTS, N_CLIENTS],
        )  # fmt: skip
        cur.execute("ANALYZE")
    return org, owner


# The same question as the report: the clients' money, and the money paid for no client yet
# (an online sale bought by a stranger, counted as the payment it becomes; none here).
RAW_MONEY = """
    SELECT (created_at AT TIME ZONE %s)::date, purpose, payment_type_id, kind, SUM(amount),
           COUNT(*)
    FROM ledger_entry
    WHERE organization_id = %s AND status = 'active' AND payment_type_id IS NOT NULL
      AND created_at >= %s AND created_at < %s
    GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT (created_at AT TIME ZONE %s)::date, 'payment', payment_type_id, 'debit', amount, 1
    FROM ledger_financialoperation
    WHERE organization_id = %s AND status = 'active' AND kind = 'income' AND client_money
      AND entry_id IS NULL AND created_at >= %s AND created_at < %s
"""
# The links with their retry and their first message, in one statement: a LATERAL join is
# what a person writing SQL by hand would use (one index lookup per object, memoized).
RAW_LINKS = """
    SELECT p.purpose, m.channel, m.status, m.transport_code, p.created_at, m.created_at,
           LEAST(CASE WHEN p.status IN ('succeeded', 'refunded', 'partially_refunded')
                      THEN p.paid_at END, r.paid_at),
           (p.opened_at IS NOT NULL OR r.opened_at IS NOT NULL), COALESCE(r.status, p.status)
    FROM payments_payment p
    LEFT JOIN payments_payment r ON r.retry_of_id = p.id
    LEFT JOIN LATERAL (
        SELECT channel, status, transport_code, created_at FROM messaging_message m
        WHERE m.organization_id = p.organization_id AND m.related_type = p.purpose_type
          AND m.related_id = p.purpose_id
        ORDER BY m.created_at, m.id LIMIT 1
    ) m ON true
    WHERE p.organization_id = %s AND p.retry_of_id IS NULL
      AND p.created_at >= %s AND p.created_at < %s
"""


def money_same(ours: list[dict], raw: list[tuple]) -> bool:
    """The selectors' grouped rows and the raw aggregate's are the same rows."""
    mine = {(r["bucket"], r["purpose"], r["payment_type_id"], r["kind"], r["amount"], r["count"])
            for r in ours}  # fmt: skip
    theirs = {(int(b) if not hasattr(b, "year") else b, *rest) for b, *rest in raw}
    return len(ours) == len(raw) and mine == theirs


def links_same(ours: list[dict], raw: list[tuple]) -> bool:
    """The funnel's links and the raw rows, reduced by the same rules (sent = the message or
    the link, whichever came first; seconds from sent to paid; the hour sent, locally; a
    paid link counts as opened; the test mode's "sent" is its own outcome)."""
    from zapys.messaging.models import message_outcome

    zone = timezone.get_current_timezone()
    expected = []
    for purpose, channel, status, transport, made_at, message_at, paid, opened, last in raw:
        sent = min(made_at, message_at) if message_at else made_at
        seconds = None if paid is None else max(0, int((paid - sent).total_seconds()))
        outcome = message_outcome(status, transport) if status is not None else None
        expected.append((purpose, channel or "", outcome, sent.astimezone(zone).hour,
                         bool(opened) or paid is not None, seconds,
                         last in ("expired", "failed")))  # fmt: skip
    mine = [(r["purpose"], r["channel"], r["message_status"], r["hour"], r["opened"],
             r["seconds"], r["expired"]) for r in ours]  # fmt: skip
    key = lambda row: tuple("" if v is None else str(v) for v in row)  # noqa: E731
    return sorted(mine, key=key) == sorted(expected, key=key)


def best(fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(REPEAT):
        start = clock.perf_counter()
        fn()
        times.append(clock.perf_counter() - start)
    return min(times)


def main() -> None:
    call_command("migrate", verbosity=0)
    started = clock.perf_counter()
    org, owner = build()
    print(f"{LABEL}: {N_ENTRIES:,} entries, {N_PAYMENTS:,} payments, built in "
          f"{clock.perf_counter() - started:.0f} s")  # fmt: skip
    from zapys.core.report_period import Period, period_of
    from zapys.core.tenancy import org_scope, organization_zone
    from zapys.reports import funnel, selectors

    timezone.activate(organization_zone(org))
    browser = Client()
    browser.force_login(owner)
    month = period_of("last_30")
    year = Period(month.end - timedelta(days=364), month.end)
    start, end = month.bounds()

    def raw(sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    rows: list[tuple[str, float, float, float, int]] = []
    with org_scope(org):
        types = selectors.payment_types()
        cases = [
            ("money (30 days)", lambda: selectors.money_report(
                selectors.money_rows(start, end), types),
             lambda: raw(RAW_MONEY, [ZONE, org.pk, start, end] * 2), "/reports/money/?period=last_30"),
            ("money (a year)", lambda: selectors.money_report(
                selectors.money_rows(*year.bounds()), types),
             lambda: raw(RAW_MONEY, [ZONE, org.pk, *year.bounds()] * 2),
             f"/reports/money/?period=custom&date_from={year.start}&date_to={year.end}"),
            ("day by hour", lambda: selectors.money_report(selectors.money_rows(
                *period_of("today").bounds(), by_hour=True), types),
             lambda: raw(RAW_MONEY.replace("(created_at AT TIME ZONE %s)::date",
                                             "EXTRACT(HOUR FROM created_at AT TIME ZONE %s)"), [ZONE, org.pk,
                                                                 *period_of("today").bounds()] * 2),
             "/reports/day/"),
            ("payment links (30 days)", lambda: funnel.funnel_for(month),
             lambda: raw(RAW_LINKS, [org.pk, start, end]), "/reports/payment-links/?period=last_30"),
        ]  # fmt: skip
        checks = [
            lambda report, raw_rows: money_same(report.rows, raw_rows),
            lambda report, raw_rows: money_same(report.rows, raw_rows),
            lambda report, raw_rows: money_same(report.rows, raw_rows),
            lambda _funnel, raw_rows: links_same(funnel.links(month), raw_rows),
        ]
        for (name, ours, baseline, url), same in zip(cases, checks, strict=True):
            # Warm both, and check they computed the same result (every run).
            assert same(ours(), baseline()), f"{name}: the selectors and the raw SQL differ"
            ours_t, raw_t = best(ours), best(baseline)
            statements: list[str] = []
            with connection.execute_wrapper(
                lambda execute, sql, *args, seen=statements: seen.append(sql) or execute(sql, *args)
            ):
                assert browser.get(url).status_code == 200
            page_t = best(lambda url=url: browser.get(url))
            rows.append((name, ours_t, raw_t, page_t, len(statements)))
    print(
        f"{'report':26} {'selectors':>10} {'raw SQL':>10} {'ratio':>6} {'page':>10} {'queries':>8}"
    )
    for name, ours_t, raw_t, page_t, queries in rows:
        print(f"{name:26} {ours_t * 1000:8.1f}ms {raw_t * 1000:8.1f}ms {ours_t / raw_t:5.2f}x "
              f"{page_t * 1000:8.1f}ms {queries:8d}")  # fmt: skip
    print("results equal to the raw SQL's: yes (checked before timing); load average "
          + " ".join(f"{n:.2f}" for n in os.getloadavg()))  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    finally:
        # BENCH_KEEP=1 leaves the database for EXPLAIN ANALYZE by hand (drop it yourself).
        if not os.environ.get("BENCH_KEEP"):
            CLEANUP()
