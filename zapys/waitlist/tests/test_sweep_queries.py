"""The sweep's cost: a batch of lapsed offers (each passed on to the next waiting client,
with its message) costs the same number of queries whatever its size, and a sweep of three
batches costs three times one batch."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_payments import make_client
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_statuses_ensure
from zapys.waitlist import sweeps
from zapys.waitlist.models import Entry, Offer


def lapsed_offers(org, branch, specialist, service, n, now):
    """`n` cancelled appointments, each offered (and lapsed) to one client while another
    waits behind them."""
    cancelled = visit_statuses_ensure(organization=org)["cancelled"]
    start = (now + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    base = Visit.objects.count()
    visits = Visit.objects.bulk_create(
        [
            Visit(
                organization=org,
                branch=branch,
                staff=specialist,
                service=service,
                starts_at=start + timedelta(hours=base + i),
                ends_at=start + timedelta(hours=base + i, minutes=50),
                price=service.price,
                status=cancelled,
                blocks_time=False,
            )
            for i in range(n)
        ]
    )
    day_to = (start + timedelta(days=60)).date()
    entries = Entry.objects.bulk_create(
        [
            Entry(
                organization=org,
                client=make_client(org),
                service=service,
                date_from=start.date(),
                date_to=day_to,
                status=Entry.Status.OFFERED if i < n else Entry.Status.WAITING,
            )
            for i in range(2 * n)
        ]
    )
    Offer.objects.bulk_create(
        [
            Offer(
                organization=org,
                entry=entries[i],
                client_id=entries[i].client_id,
                source=v,
                staff=specialist,
                service=service,
                branch=branch,
                starts_at=v.starts_at,
                ends_at=v.ends_at,
                amount=v.price,
                expires_at=now - timedelta(minutes=1),
            )
            for i, v in enumerate(visits)
        ]
    )


def test_queries_per_batch_do_not_depend_on_its_size(org, branch, salon, monkeypatch):
    specialist, service = salon
    now = timezone.now()
    counts = []
    for n in (2, 12):
        lapsed_offers(org, branch, specialist, service, n, now)
        with CaptureQueriesContext(connection) as ctx:
            assert sweeps.expire_batch(now) == (n, n)
        counts.append(len(ctx.captured_queries))
        assert Offer.objects.filter(status="open").count() == n
        Offer.objects.filter(status="open").update(status="withdrawn")
    assert counts[0] == counts[1], counts


def test_three_batches_cost_three_times_one(org, branch, salon, monkeypatch):
    specialist, service = salon
    monkeypatch.setattr(sweeps, "BATCH_SIZE", 4)
    now = timezone.now()
    lapsed_offers(org, branch, specialist, service, 4, now)
    with CaptureQueriesContext(connection) as one:
        result = sweeps.sweep(now)
    assert (result.expired, result.offered) == (4, 4)
    Offer.objects.filter(status="open").update(status="withdrawn")
    lapsed_offers(org, branch, specialist, service, 12, now)
    with CaptureQueriesContext(connection) as three:
        result = sweeps.sweep(now)
    assert (result.expired, result.offered) == (12, 12)
    Offer.objects.filter(status="open").update(status="withdrawn")
    with CaptureQueriesContext(connection) as idle:  # the empty claim, closing past entries
        assert sweeps.sweep(now).expired == 0
    per_batch = len(one.captured_queries) - len(idle.captured_queries)
    assert per_batch > 0
    assert len(three.captured_queries) - len(idle.captured_queries) == 3 * per_batch, (
        len(idle.captured_queries),
        len(one.captured_queries),
        len(three.captured_queries),
    )


def test_the_sweep_reads_the_next_entry_per_slot_not_every_waiting_one(
    org, branch, salon, monkeypatch
):
    """Three lapsed offers with 3 + 40 clients waiting behind (all fitting): the pairing
    reads one chunk of four entries (one per slot and one spare), the three oldest get the
    slots, and nobody whose offer just lapsed is offered that same time again."""
    from zapys.waitlist import services

    specialist, service = salon
    now = timezone.now()
    lapsed_offers(org, branch, specialist, service, 3, now)
    day = (now + timedelta(days=5)).date()
    for _i in range(40):
        Entry.objects.create(
            organization=org,
            client=make_client(org),
            service=service,
            date_from=day,
            date_to=day + timedelta(days=60),
        )
    reads: list[int] = []
    real = services._next_entries

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        rows = real(*args, **kwargs)
        reads.append(len(rows))
        return rows

    monkeypatch.setattr(services, "_next_entries", spy)
    lapsed = set(Offer.objects.values_list("entry_id", flat=True))
    assert sweeps.expire_batch(now) == (3, 3)
    assert reads == [4]
    waiting = list(
        Entry.objects.filter(pk__gt=max(lapsed))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    offered = set(Offer.objects.filter(status="open").values_list("entry_id", flat=True))
    assert offered == set(waiting[:3]) and not offered & lapsed
    assert set(Entry.objects.filter(pk__in=lapsed).values_list("status", flat=True)) == {"waiting"}
