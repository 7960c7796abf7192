"""'Add to the waiting list' from the calendar's visit card: the entry form filled from the
visit (a taken appointment's service, specialist and day; a full lesson's seat)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zapys.waitlist.models import Entry


def test_the_visit_card_links_to_the_prefilled_form(staff_client, org, booked_slot, salon):
    specialist, service = salon
    card = staff_client.get(f"/visits/{booked_slot.pk}/").content.decode()
    assert f'href="/visits/{booked_slot.pk}/waitlist/"' in card
    assert 'data-testid="visit-waitlist"' in card

    page = staff_client.get(f"/visits/{booked_slot.pk}/waitlist/")
    assert page.status_code == 200
    form = page.context["form"]
    day = timezone.localtime(booked_slot.starts_at).date()
    assert form.initial == {
        "service": service.pk,
        "staff": specialist.pk,
        "date_from": day,
        "date_to": day,
    }
    assert 'data-testid="from-visit"' in page.content.decode()


def test_posting_the_prefilled_form_adds_the_entry(
    staff_client, org, booked_slot, salon, make_client
):
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date().isoformat()
    client = make_client("Wanting Vira")
    response = staff_client.post(
        f"/visits/{booked_slot.pk}/waitlist/",
        {
            "client": client.pk,
            "service": service.pk,
            "staff": specialist.pk,
            "date_from": day,
            "date_to": day,
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.client_id, entry.service_id, entry.staff_id) == (
        client.pk,
        service.pk,
        specialist.pk,
    )


def test_an_unknown_or_another_organizations_visit_is_404(staff_client, org):
    from tests.factories import make_branch, make_org
    from tests.factories_payments import make_client
    from tests.factories_schedule import make_service, make_specialist, make_visit
    from zapys.core.tenancy import org_scope

    other = make_org("Other salon")
    with org_scope(other):
        branch = make_branch(other, "Elsewhere")
        visit = make_visit(
            other,
            client=make_client(other, "Foreign Fiona"),
            staff=make_specialist(other, branch),
            service=make_service(other, "Pedicure", branches=[branch]),
            starts_at=timezone.now() + timedelta(days=2),
        )
    assert staff_client.get(f"/visits/{visit.pk}/waitlist/").status_code == 404
    assert staff_client.get("/visits/999999/waitlist/").status_code == 404
    assert not Entry.objects.exists()
