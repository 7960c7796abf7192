"""The payment-link funnel (X9): sent -> delivered -> opened -> paid, time to pay, by channel,
by hour of sending and by purpose, and the links that expired unpaid."""

from __future__ import annotations

import csv
import io

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_client, make_topup
from zapys.messaging.models import Message
from zapys.payments.models import Payment
from zapys.payments.services import (
    payment_create,
    payment_expire,
    payment_fail,
    payment_succeed,
)
from zapys.reports.funnel import duration_text
from zapys.reports.tests.conftest import at
from zapys.topups.services import top_up_retry


def _sent_link(org, account, *, channel: str, status: str, when) -> Payment:
    """A link about an object (here a client) and the outbox's message about that object."""
    customer = make_client(org)
    with time_machine.travel(when, tick=False):
        payment = payment_create(
            organization=org, account=account, purpose="top_up", purpose_object=customer,
            client=customer, amount=10_000, currency="UAH", description="Link", actor=SYSTEM,
        )  # fmt: skip
        Message.objects.create(
            organization=org, client=customer, recipient="+380670000000", channel=channel,
            event="test.link", text="Pay here", related_type="clients.client",
            related_id=str(customer.pk), idempotency_key=f"link:{customer.pk}", status=status,
        )  # fmt: skip
    return payment


def _open(client, payment: Payment, when) -> None:
    """The client opens the link: a browser of their own, not the staff's signed-in one
    (the staff's own opens are not counted)."""
    with time_machine.travel(when, tick=False):
        assert Client().get(f"/pay/{payment.token}/").status_code == 200


def _build(org, client) -> None:
    account = make_account(org, "sandbox")
    delivered = _sent_link(org, account, channel="sms", status="delivered", when=at(2, 10))
    _open(client, delivered, at(2, 10).replace(minute=5))
    with time_machine.travel(at(2, 10).replace(minute=30), tick=False):
        payment_succeed(payment=delivered, actor=SYSTEM)
    expired = _sent_link(org, account, channel="telegram", status="sent", when=at(3, 14))
    with time_machine.travel(at(4, 14), tick=False):
        payment_expire(payment=expired, actor=SYSTEM)
    with time_machine.travel(at(5, 9), tick=False):
        handed = make_topup(org, account=account)  # staff hand the link over: no message
    _open(client, handed, at(5, 9).replace(minute=1))
    with time_machine.travel(at(5, 10), tick=False):
        payment_fail(payment=handed, actor=SYSTEM)
        retried = top_up_retry(handed, SYSTEM)
    _open(client, retried, at(5, 10).replace(minute=2))
    with time_machine.travel(at(5, 11), tick=False):
        payment_succeed(payment=retried, actor=SYSTEM)


def test_the_first_open_is_recorded_once(client, org):
    payment = make_topup(org, account=make_account(org, "sandbox"))
    _open(client, payment, at(1, 9))
    _open(client, payment, at(1, 11))
    payment.refresh_from_db()
    assert payment.opened_at == at(1, 9)


def test_the_organizations_own_staff_opening_a_link_is_not_an_open(org, other_org, branch):
    """Staff checking a link (or showing it at the desk) is not the client opening it; staff
    of another organization may be this business's client, so their open counts."""
    from tests.factories import make_staff
    from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type

    own, stranger = Client(), Client()
    own.force_login(make_staff(org, "administrator", branches=[branch]))
    stranger.force_login(make_staff(other_org, "owner"))
    account = make_account(org, "sandbox")
    payment = make_topup(org, account=account)
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    booking = make_booking(org, branch)
    for url, opened in (
        (f"/pay/{payment.token}/", payment),
        (f"/p/{booking.token}/", booking.payment),
    ):
        assert own.get(url).status_code == 200
        opened.refresh_from_db()
        assert opened.opened_at is None, url
        assert stranger.get(url).status_code == 200
        opened.refresh_from_db()
        assert opened.opened_at is not None, url


def test_the_funnel_of_a_period(staff_client, client, org, today):
    _build(org, client)
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get("/reports/payment-links/", {"period": "this_month"})
    funnel = page.context["funnel"]
    total = funnel.total
    # The retry belongs to its link: three links, not four.
    assert (total.links, total.messaged, total.sent, total.delivered) == (3, 2, 2, 1)
    assert (total.opened, total.paid, total.expired) == (2, 2, 1)
    # 30 minutes (message -> paid) and 2 hours (link made at 9:00, retry paid at 11:00).
    assert sorted(total.seconds) == [1800, 7200]
    assert (total.p50, total.p90) == ("30 min", "2 h")
    channels = {s.label: (s.links, s.delivered, s.paid, s.expired) for s in funnel.by_channel}
    assert channels == {"SMS": (1, 1, 1, 0), "Telegram": (1, 0, 0, 1), "No message": (1, 0, 1, 0)}
    hours = {s.label: s.links for s in funnel.by_hour}
    assert hours == {"09:00–09:59": 1, "10:00–10:59": 1, "14:00–14:59": 1}
    assert [(s.label, s.expired_share) for s in funnel.by_purpose] == [("Balance top-up", 33)]
    html = page.content.decode()
    assert "No message" in html and "top_up" not in html and "2 h" in html and "2 h 00" not in html


def test_the_funnel_exports_and_reads_in_ukrainian(staff_client, client, org, today):
    _build(org, client)
    html = staff_client.get("/reports/payment-links/", {"period": "this_month"}).content.decode()
    assert "Без повідомлення" in html and "30 хв" in html
    response = staff_client.get(
        "/reports/payment-links/", {"period": "this_month", "export": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Група", "Назва", "Посилання"]
    assert rows[1][1:8] == ["Усі посилання", "3", "2", "1", "2", "2", "1"]


def test_the_funnel_is_a_fixed_number_of_queries(staff_client, client, org, today):
    _build(org, client)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            staff_client.get("/reports/payment-links/", {"period": "this_month"})
        return len(captured)

    few = count()
    account = make_account(org, "sandbox", name="Second")
    for n in range(15):
        _sent_link(org, account, channel="viber", status="delivered", when=at(6 + n % 10, 8 + n))
    assert count() == few


def test_durations_read_as_time():
    assert [duration_text(s) for s in (None, 59, 420, 3_900, 7_200, 200_000)] == [
        "—", "under 1 min", "7 min", "1 h 5 min", "2 h", "2 d 7 h",
    ]  # fmt: skip
