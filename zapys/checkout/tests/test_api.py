"""The checkout API (API.md): GET/POST /visits/{id}/checkout, with bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_prepayments import make_client
from zapys.catalog.services import subject_create
from zapys.ledger.models import Entry, SalesReceipt
from zapys.ledger.selectors import client_balance
from zapys.schedule.models import Attendance
from zapys.schedule.services import lesson_create


def test_get_then_pay_by_card(api, visit):
    got = api.get(f"/visits/{visit.pk}/checkout")
    assert got.status == 200, got.body
    assert got.body == {
        "visit_id": visit.pk,
        "client_id": visit.client_id,
        "price": 45_000,
        "covered": [],
        "due": 45_000,
        "currency": "UAH",
        "paid": False,
        "payment_url": None,
        "receipt_id": None,
    }
    paid = api.post(
        f"/visits/{visit.pk}/checkout", {"payments": [{"method": "card", "amount": 45_000}]}
    )
    assert paid.status == 200, paid.body
    assert paid.body["paid"] is True and paid.body["receipt_id"] == SalesReceipt.objects.get().pk
    assert api.get(f"/visits/{visit.pk}/checkout").body["paid"] is True


def test_paying_a_settled_visit_is_409(api, visit):
    body = {"payments": [{"method": "cash", "amount": 45_000}]}
    assert api.post(f"/visits/{visit.pk}/checkout", body).status == 200
    entries = Entry.objects.count()
    again = api.post(f"/visits/{visit.pk}/checkout", body)
    assert again.status == 409
    assert Entry.objects.count() == entries


@pytest.mark.parametrize(
    "payments",
    [
        [{"method": "card", "amount": -100}],
        [{"method": "card", "amount": 0}],
        [{"method": "card", "amount": 450.5}],
        [{"method": "card", "amount": "45000"}],
        [{"method": "cheque", "amount": 45_000}],
        [{"method": "card"}],
        [{"method": "card", "amount": 10_000}],  # does not add up
        [{"method": "online_link", "amount": 45_000}, {"method": "cash", "amount": 100}],
    ],
)
def test_bad_payments_are_422_with_fields_and_change_nothing(api, visit, payments):
    response = api.post(f"/visits/{visit.pk}/checkout", {"payments": payments})
    assert response.status == 422, response.body
    assert response.body["errors"] and all(e["field"] for e in response.body["errors"])
    assert not Entry.objects.exists()
    assert Attendance.objects.get(visit=visit).state == Attendance.State.PLANNED


def test_online_link(api, visit):
    response = api.post(
        f"/visits/{visit.pk}/checkout", {"payments": [{"method": "online_link", "amount": 45_000}]}
    )
    assert response.status == 200, response.body
    assert response.body["paid"] is False
    assert response.body["payment_url"].startswith("http://testserver/pay/")
    assert (
        api.get(f"/visits/{visit.pk}/checkout").body["payment_url"] == response.body["payment_url"]
    )


def test_unknown_visit_is_404(api, org):
    assert api.get("/visits/999999/checkout").status == 404
    assert api.post("/visits/999999/checkout", {"payments": []}).status == 404


def test_group_lesson_per_participant(api, org, branch):
    staff = make_staff(org, "specialist", branches=[branch])
    ann, bob = make_client(org), make_client(org)
    subject = subject_create(organization=org, name="Yoga", actor=SYSTEM)
    (lesson,) = lesson_create(
        subject=subject,
        organization=org,
        branch=branch,
        staff=staff,
        starts_at=timezone.now() - timedelta(minutes=20),
        duration_minutes=60,
        capacity=5,
        price=20_000,
        client_ids=[ann.pk, bob.pk],
        actor=SYSTEM,
    )
    missing = api.get(f"/visits/{lesson.pk}/checkout")
    assert missing.status == 400 and missing.body["errors"][0]["field"] == "client_id"
    paid = api.post(
        f"/visits/{lesson.pk}/checkout",
        {"client_id": ann.pk, "payments": [{"method": "cash", "amount": 20_000}]},
    )
    assert paid.status == 200 and paid.body["client_id"] == ann.pk and paid.body["paid"]
    other = api.get(f"/visits/{lesson.pk}/checkout", client_id=bob.pk)
    assert other.body["paid"] is False and other.body["due"] == 20_000
    assert client_balance(ann) == 0 and client_balance(bob) == 0
    stranger = api.get(f"/visits/{lesson.pk}/checkout", client_id=make_client(org).pk)
    assert stranger.status == 400
