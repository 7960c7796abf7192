"""Staff pages (the list with filters, add, remove; the client card's page) and the client's
offer page, with bad input and constant queries per page."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer

SYSTEM = Actor.system("tests")


def test_list_page_adds_filters_and_removes(staff_client, org, salon, make_client):
    specialist, service = salon
    client = make_client("Page Polina")
    response = staff_client.post(
        "/waitlist/", {"client": client.pk, "service": service.pk, "staff": specialist.pk}
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.client_id, entry.service_id, entry.staff_id) == (
        client.pk,
        service.pk,
        specialist.pk,
    )
    page = staff_client.get("/waitlist/")
    text = page.content.decode()
    assert "Page Polina" in text and "Manicure" in text
    assert "waiting" not in text.split('data-testid="entry-status">')[1][:20]  # a word, not a key
    assert text.count('data-testid="entry-row"') == 1
    booked = staff_client.get("/waitlist/?status=booked").content.decode()
    assert 'data-testid="entry-row"' not in booked

    removed = staff_client.post(f"/waitlist/{entry.pk}/remove/")
    assert removed.status_code == 302
    assert Entry.objects.get().status == "removed"


def test_bad_add_shows_field_errors_and_writes_nothing(staff_client, org, salon, make_client):
    _specialist, service = salon
    today = timezone.localdate()
    response = staff_client.post(
        "/waitlist/",
        {
            "client": make_client().pk,
            "service": service.pk,
            "date_from": (today + timedelta(days=3)).isoformat(),
            "date_to": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    nothing = staff_client.post("/waitlist/", {"client": make_client().pk})
    assert nothing.context["form"].errors
    assert not Entry.objects.exists()


def test_list_page_queries_do_not_grow(staff_client, org, salon, make_client):
    _specialist, service = salon
    services.entry_create(organization=org, client=make_client(), service=service, actor=SYSTEM)
    with CaptureQueriesContext(connection) as one:
        staff_client.get("/waitlist/")
    for _i in range(6):
        services.entry_create(organization=org, client=make_client(), service=service, actor=SYSTEM)
    with CaptureQueriesContext(connection) as many:
        staff_client.get("/waitlist/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_client_card_page(staff_client, org, salon, make_client):
    _specialist, service = salon
    client = make_client("Card Kateryna")
    response = staff_client.post(
        f"/clients/{client.pk}/waitlist/", {"client": client.pk, "service": service.pk}
    )
    assert response.status_code == 302
    assert Entry.objects.get().client_id == client.pk
    page = staff_client.get(f"/clients/{client.pk}/waitlist/")
    assert "Manicure" in page.content.decode()


def test_offer_page_states(
    client, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org,
        client=make_client(),
        service=service,
        date_from=day,
        date_to=day,
        actor=SYSTEM,
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    offer = Offer.objects.get()
    page = client.get(f"/w/{offer.token}/")
    assert page.status_code == 200
    assert 'data-testid="offer-pay"' in page.content.decode()
    paying = client.post(f"/w/{offer.token}/")
    assert paying.status_code == 302 and "/pay/" in paying["Location"]
    offer.refresh_from_db()
    assert offer.payment_id is not None

    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    lapsed = client.get(f"/w/{offer.token}/")
    assert 'data-testid="offer-pay"' not in lapsed.content.decode()
    refused = client.post(f"/w/{offer.token}/")
    assert refused.status_code == 200
    assert client.get("/w/not-a-token/").status_code == 404
