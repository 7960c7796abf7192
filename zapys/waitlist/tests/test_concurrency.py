"""Two clients' payments for one slot arriving at the same moment (PostgreSQL, two
connections): exactly one gets the visit; the other's money stays on their balance, their
offer is 'taken' and they are told."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account, make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.payments.models import Payment
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.waitlist import services
from zapys.waitlist.models import Offer
from zapys.waitlist.sweeps import sweep


@pytest.mark.postgres_only
def test_two_payments_for_one_slot_at_once_book_it_once(transactional_db, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    org = make_org("Race")
    with org_scope(org):
        branch = make_branch(org, "Main")
        make_account(org, "sandbox")
        make_transport_account(org)
        specialist = make_specialist(org, branch)
        service = make_service(org, "Manicure", price=45000, branches=[branch])
        start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        taken = make_visit(
            org, client=make_client(org), staff=specialist, service=service, starts_at=start
        )
        day = start.date()
        a, b = (
            services.entry_create(
                organization=org,
                client=make_client(org, name),
                service=service,
                date_from=day,
                date_to=day,
                actor=SYSTEM,
            )
            for name in ("Anna", "Bohdan")
        )
        schedule.visit_cancel(visit=taken, actor=SYSTEM)  # committed: the hook offers it to A
        payment_a = services.offer_payment(offer=Offer.objects.get(entry=a), actor=SYSTEM)
    sweep(timezone.now() + timedelta(minutes=16))  # A's time is up: B's turn
    with org_scope(org):
        payment_b = services.offer_payment(offer=Offer.objects.get(entry=b), actor=SYSTEM)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def pay(payment_id: int) -> None:
        try:
            with org_scope(org):
                payment = Payment.objects.get(pk=payment_id)
                barrier.wait()
                payment_succeed(payment=payment, actor=SYSTEM)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=pay, args=(p.pk,)) for p in (payment_a, payment_b)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    with org_scope(org):
        live = list(
            Visit.objects.filter(starts_at=start, blocks_time=True).values_list(
                "client_id", flat=True
            )
        )
        assert len(live) == 1
        winner = a if live[0] == a.client_id else b
        loser = b if winner is a else a
        statuses = {o.entry_id: o.status for o in Offer.objects.all()}
        assert (statuses[winner.pk], statuses[loser.pk]) == ("booked", "taken")
        assert client_balance(winner.client) == client_balance(loser.client) == 45000
        assert Message.objects.filter(client=loser.client, event="waitlist.slot_taken").exists()
        assert Message.objects.filter(client=winner.client, event="waitlist.booked").exists()
