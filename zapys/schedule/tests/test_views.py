import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from tests.pages import staff_page
from zapys.memberships import services as membership_services
from zapys.schedule import services
from zapys.schedule.models import Visit


def _bulk_week(org, branch, n_staff=30, per_staff=100):
    """30 specialists × 100 visits in one week (3,000), written in bulk for speed."""
    svc = make_service(org, duration_minutes=10, branches=[branch])
    clients = [make_client(org) for _ in range(20)]
    status = services.visit_statuses_ensure(organization=org)["booked"]
    specs = [make_specialist(org, branch) for _ in range(n_staff)]
    rows = []
    start = local(org, 2030, 3, 4, 8)
    for s in specs:
        for i in range(per_staff):
            at = start + timedelta(days=i % 7, minutes=15 * (i // 7))
            rows.append(
                Visit(
                    organization=org,
                    branch=branch,
                    staff=s,
                    client=clients[i % 20],
                    service=svc,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=10),
                    price=100,
                    status=status,
                )
            )
    Visit.objects.bulk_create(rows)
    return specs


def test_calendar_constant_queries(staff_client, org, branch):
    _bulk_week(org, branch)
    staff_client.get("/calendar/?date=2030-03-04")  # warm up: settings rows, sessions
    for view in ("day", "week"):
        with CaptureQueriesContext(connection) as ctx:
            r = staff_client.get(
                f"/calendar/?date=2030-03-04&view={view}", headers={"HX-Request": "true"}
            )
        assert r.status_code == 200
        assert len(ctx.captured_queries) <= 12, [q["sql"][:90] for q in ctx.captured_queries]
    body = r.content.decode()
    assert body.count('data-testid="cal-visit"') == 3000


def test_system_cancelled_visits_leave_calendar_but_stay_in_history(
    staff_client, org, branch, spec, service, client_a
):
    from zapys.core.audit import Actor

    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    r = staff_client.get("/calendar/?date=2030-03-04")
    assert f'data-visit="{v.pk}"' in r.content.decode()
    unpaid = services.visit_statuses_ensure(organization=org)["cancelled_unpaid"]
    services.visit_cancel(visit=v, status=unpaid, actor=Actor.system("prepayments"))
    r = staff_client.get("/calendar/?date=2030-03-04")
    assert f'data-visit="{v.pk}"' not in r.content.decode()
    r = staff_client.get(f"/clients/{client_a.pk}/visits/", headers={"HX-Request": "true"})
    assert unpaid.name in r.content.decode()


def test_quick_create_modal(staff_client, org, branch, spec, service, client_a):
    r = staff_client.get(
        f"/calendar/visits/new/?staff={spec.pk}&at=2030-03-04T10:00", headers={"HX-Request": "true"}
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="visit-form"' in page
    # the client is searched for, not chosen from a list of every client
    assert 'data-testid="client-search"' in page and client_a.name not in page
    assert '<input type="hidden" name="client" id="id_client" value=""' in page
    data = {
        "client": client_a.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Trigger"] == "calendarChanged"
    v = Visit.objects.get()
    assert v.starts_at == local(org, 2030, 3, 4, 10)
    # the same slot again → the form shows the conflict, nothing created
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert Visit.objects.count() == 1


def test_visit_card_actions(staff_client, org, spec, service, client_a, monkeypatch):
    monkeypatch.setattr(membership_services, "membership_consume_visit", lambda **kw: None)
    services.schedule_settings_update(
        organization=org,
        actor=__import__("tests.factories_schedule", fromlist=["SYSTEM"]).SYSTEM,
        charge_without_membership=False,
    )
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    r = staff_client.get(f"/visits/{v.pk}/", headers={"HX-Request": "true"})
    assert 'data-testid="visit-card"' in r.content.decode()
    came = services.visit_statuses_ensure(organization=org)["came"]
    r = staff_client.post(
        f"/visits/{v.pk}/status/", {"status_id": came.pk}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    v.refresh_from_db()
    assert v.status == came and v.attendances.get().state == "attended"
    r = staff_client.post(f"/visits/{v.pk}/reschedule/", {"starts_at": "2030-03-05T12:00"})
    v.refresh_from_db()
    assert v.starts_at == local(org, 2030, 3, 5, 12)
    r = staff_client.post(f"/visits/{v.pk}/cancel/")
    v.refresh_from_db()
    assert v.status.is_cancellation


def test_specialist_sees_only_own_visit(client, org, branch, spec, service, client_a):
    other = make_specialist(org, branch)
    v = make_visit(
        org, client=client_a, staff=other, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    client.force_login(spec)
    assert client.get(f"/visits/{v.pk}/").status_code == 404


def test_staff_hours_page_saves_week(staff_client, org, branch, spec):
    r = staff_client.post(
        f"/staff-hours/{spec.pk}/",
        {"form": "week", "day0": "09:00-13:00, 14:00-18:00", "day1": "10:00-16:00"},
    )
    assert r.status_code == 302
    assert spec.working_hours.count() == 3
    r = staff_client.post(f"/staff-hours/{spec.pk}/", {"form": "week", "day0": "13:00-09:00"})
    assert r.status_code == 200 and spec.working_hours.count() == 3


def test_settings_page(staff_client, org):
    r = staff_client.get("/settings/schedule/")
    assert r.status_code == 200 and "VIP came" not in r.content.decode()
    r = staff_client.post(
        "/settings/schedule/",
        {"form": "status", "name": "VIP came", "color": "#112233", "meaning": "came", "order": 5},
    )
    assert r.status_code == 302
    page = staff_client.get("/settings/schedule/").content.decode()
    assert "VIP came" in page and "#112233" in page


@pytest.mark.parametrize(
    ("language", "heading", "rate_limit", "unpaid"),
    [
        (
            "en",
            "Schedule",
            "Protection from automated bookings",
            "Cancelled: booking unpaid",
        ),
        (
            "uk",
            "Розклад",
            "Захист від автоматичних записів",
            "Скасовано: передоплату не сплачено",
        ),
    ],
)
def test_settings_page_words_and_the_full_booking_address(
    staff_client, org, owner, settings, language, heading, rate_limit, unpaid
):
    # headed by its section, as every settings page (was "Organization settings", then
    # «Налаштування» on every page); the rate limit
    # is a protection in an administrator's words (was "per minute from one IP address",
    # issue 17 review); the unpaid status says «передоплату», as the app does (was
    # "бронь", then "бронювання"); the booking page as the full address to copy (was "/book/<slug>/")
    settings.ZAPYS_PUBLIC_URL = "https://zapys.example/"
    page = staff_page(staff_client, owner, language, "schedule:settings")
    assert f'<h1 class="h4">{heading}</h1>' in page
    assert rate_limit in page
    assert unpaid in page and "бронь" not in page
    url = f"https://zapys.example/book/{org.slug}/"
    assert f'href="{url}" target="_blank" data-testid="booking-page-url">{url}</a>' in page


def test_the_migration_renames_only_an_unrenamed_unpaid_status(staff_client, org, owner):
    import importlib

    from django.apps import apps

    from zapys.schedule.models import VisitStatus

    migration = importlib.import_module(
        "zapys.schedule.migrations.0010_unpaid_status_says_bronyuvannya"
    )
    unpaid = services.visit_statuses_ensure(organization=org)["cancelled_unpaid"]
    unpaid.name = "Скасовано: бронь не оплачена"
    unpaid.save(update_fields=["name"])
    # an old row not yet renamed still reads as the default, in the page's language
    assert "Cancelled: booking unpaid" in staff_page(staff_client, owner, "en", "schedule:settings")
    renamed = VisitStatus.objects.create(organization=org, code="unpaid_x", name="Бронь моя")
    migration.rename(apps, None)
    unpaid.refresh_from_db()
    renamed.refresh_from_db()
    assert unpaid.name == "Скасовано: бронювання не оплачено"
    assert renamed.name == "Бронь моя"
    # the name that migration wrote is a former default too: shown in today's words
    with translation.override("uk"):
        assert unpaid.display_name == "Скасовано: передоплату не сплачено"


# --- the new-visit dialog's client picker ------------------------------------------------


def _picker(staff_client, q):
    r = staff_client.get("/calendar/clients/", {"client_q": q}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    return r.content.decode()


def test_client_search_by_name_phone_email_within_the_organization(staff_client, org, other_org):
    from zapys.core.tenancy import org_scope

    olena = make_client(org, "Koval Olena", phone="+380671112233", email="olena@example.com")
    make_client(org, "Shevchuk Anna")
    with org_scope(other_org):
        make_client(other_org, "Koval Outsider", phone="+380671112244")
    page = _picker(staff_client, "koval")
    assert page.count('data-testid="client-option"') == 1
    assert f'data-pick-client="{olena.pk}"' in page and "Outsider" not in page
    assert 'data-label="Koval Olena" data-detail="+380 67 111 22 33"' in page
    for q in ("067 111 22 33", "olena@example"):
        page = _picker(staff_client, q)
        assert page.count('data-testid="client-option"') == 1, q
        assert f'data-pick-client="{olena.pk}"' in page
    # nothing typed: nothing listed
    assert _picker(staff_client, "  ").strip() == ""
    # no match: say so, and offer the text as a new client (a phone goes to the phone)
    page = _picker(staff_client, "Melnyk Taras")
    assert 'data-testid="client-none"' in page
    assert 'data-name="Melnyk Taras" data-phone=""' in page
    assert 'data-name="" data-phone="050 123 4567"' in _picker(staff_client, "050 123 4567")


def test_client_search_is_capped_and_costs_the_same_queries_at_any_size(staff_client, org):
    from zapys.schedule.selectors import CLIENT_PICKER_LIMIT

    for i in range(3):
        make_client(org, f"Bondar {i:02d}")
    _picker(staff_client, "bondar")  # warm up: session, user, organization
    with CaptureQueriesContext(connection) as few:
        page = _picker(staff_client, "bondar")
    assert page.count('data-testid="client-option"') == 3
    assert 'data-testid="client-more"' not in page
    for i in range(3, 45):
        make_client(org, f"Bondar {i:02d}")
    with CaptureQueriesContext(connection) as many:
        page = _picker(staff_client, "bondar")
    assert page.count('data-testid="client-option"') == CLIENT_PICKER_LIMIT == 20
    assert 'data-testid="client-more"' in page
    assert "Bondar 00" in page and "Bondar 19" in page and "Bondar 20" not in page
    assert len(many.captured_queries) == len(few.captured_queries)
    client_queries = [q for q in many.captured_queries if "clients_client" in q["sql"]]
    assert len(client_queries) == 1, [q["sql"][:120] for q in many.captured_queries]


def test_client_search_is_for_staff_only(client, org):
    make_client(org, "Koval Olena")
    r = client.get("/calendar/clients/", {"client_q": "koval"})
    assert r.status_code == 302 and "/login/" in r.url


def test_visit_form_refuses_another_organizations_client(
    staff_client, org, other_org, spec, service
):
    from zapys.core.tenancy import org_scope

    with org_scope(other_org):
        foreign = make_client(other_org, "Koval Outsider")
    data = {
        "client": foreign.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    page = r.content.decode()
    assert r.status_code == 200
    error = page.split('data-testid="client-picker"')[1].split("</fieldset>")[0]
    assert "invalid-feedback" in error and "Koval Outsider" not in page
    assert Visit.objects.count() == 0
    with org_scope(other_org):
        assert Visit.objects.count() == 0
    # not a number at all: the same field error
    r = staff_client.post(
        "/calendar/visits/new/", {**data, "client": "1 OR 1=1"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert Visit.objects.count() == 0


def test_visit_form_keeps_the_chosen_client_after_an_error(
    staff_client, org, spec, service, client_a
):
    data = {"client": client_a.pk, "staff": spec.pk, "service": service.pk, "starts_at": "x"}
    page = staff_client.post(
        "/calendar/visits/new/", data, headers={"HX-Request": "true"}
    ).content.decode()
    assert f'name="client" id="id_client" value="{client_a.pk}"' in page
    assert f'data-testid="client-chosen">{client_a.name}' in page
    assert Visit.objects.count() == 0


def test_visit_form_creates_a_new_client_quickly(staff_client, org, spec, service):
    from zapys.clients.models import Client

    data = {
        "client": "",
        "new_client_name": "Melnyk Taras",
        "new_client_phone": "050 123 45 67",
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 204
    visit = Visit.objects.get()
    assert visit.client.name == "Melnyk Taras" and visit.client.phone == "+380501234567"
    assert Client.objects.count() == 1
    # neither a client nor a new name: an error on the picker, nothing created
    r = staff_client.post(
        "/calendar/visits/new/",
        {**data, "new_client_name": "", "new_client_phone": "", "starts_at": "2030-03-04T12:00"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert Visit.objects.count() == 1 and Client.objects.count() == 1


def test_visit_form_shows_the_clients_refusal_on_the_new_client_field(
    staff_client, org, spec, service
):
    """The clients service refuses on `name`; the dialog's field is `new_client_name`."""
    from zapys.clients.models import Client

    data = {
        "client": "",
        "new_client_name": "\x01\x02",  # control characters only: no name once cleaned
        "new_client_phone": "",
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert list(errors) == ["new_client_name"], errors
    assert not Visit.objects.exists() and not Client.objects.exists()


# --- visits in the past ------------------------------------------------------------------


def test_visit_card_warns_when_the_visit_is_in_the_past(staff_client, org, spec, service, client_a):
    past = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2020, 3, 4, 10)
    )
    future = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    for headers in ({"HX-Request": "true"}, {}):
        page = staff_client.get(f"/visits/{past.pk}/", headers=headers).content.decode()
        assert 'data-testid="visit-in-past"' in page
        page = staff_client.get(f"/visits/{future.pk}/", headers=headers).content.decode()
        assert 'data-testid="visit-card"' in page and 'data-testid="visit-in-past"' not in page


def test_creating_a_visit_in_the_past_warns_in_the_dialog(
    staff_client, org, spec, service, client_a
):
    data = {
        "client": client_a.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2020-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    page = r.content.decode()
    # the dialog becomes the new visit's card, with the warning, and the calendar reloads
    assert r.status_code == 200 and r["HX-Trigger-After-Swap"] == "calendarChanged"
    visit = Visit.objects.get()
    assert 'data-testid="visit-card"' in page and f"/visits/{visit.pk}/status/" in page
    assert 'data-testid="visit-message"' in page and "04.03.2020 10:00" in page
    assert 'data-testid="visit-in-past"' in page
    # the warning was shown here, not left over for the next page
    assert "04.03.2020 10:00" not in staff_client.get("/calendar/").content.decode()


def test_creating_a_visit_in_the_past_without_htmx_warns_on_the_calendar(
    staff_client, org, spec, service, client_a
):
    data = {
        "client": client_a.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2020-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, follow=True)
    page = r.content.decode()
    assert r.redirect_chain[-1][0] == "/calendar/?date=2020-03-04"
    assert "alert-warning" in page and "04.03.2020 10:00" in page


def test_creating_a_future_visit_has_no_past_warning(staff_client, org, spec, service, client_a):
    data = {
        "client": client_a.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Trigger"] == "calendarChanged"
    page = staff_client.get("/calendar/?date=2030-03-04").content.decode()
    assert "alert-warning" not in page


# --- Ukrainian wording ------------------------------------------------------------------


def test_prepayment_clock_tooltips_say_peredoplata(staff_client, org, spec, service, client_a):
    from tests.factories_schedule import SYSTEM

    staff_client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    expected = {
        "pending": "Очікує передоплату",
        "paid": "Передоплачено",
        "expired": "Передоплату прострочено",
    }
    for hour, (state, title) in enumerate(expected.items(), start=10):
        v = make_visit(
            org,
            client=client_a,
            staff=spec,
            service=service,
            starts_at=local(org, 2030, 3, 4, hour),
        )
        services.visit_booking_state_set(visit=v, state=state, actor=SYSTEM)
    page = staff_client.get("/calendar/?date=2030-03-04").content.decode()
    for title in expected.values():
        assert f'data-testid="booking-clock" title="{title}"' in page, title
    assert "передплат" not in page.lower()


def test_no_translation_says_peredplata():
    """«Передплата» is a subscription; a prepayment is «передоплата» — in every app."""
    from pathlib import Path

    from django.conf import settings

    files = sorted(Path(settings.BASE_DIR, "zapys").glob("*/locale/uk/LC_MESSAGES/django.po"))
    assert len(files) >= 8
    wrong = [
        f"{path.relative_to(settings.BASE_DIR)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "передплат" in line.lower()
    ]
    assert wrong == []


# --- calendar cards ------------------------------------------------------------------------


def _card(page: str, visit_id: int) -> str:
    """The markup of one visit's card in the day view."""
    start = page.index(f'data-visit="{visit_id}"')
    start = page.rindex('<div class="zapys-cal-visit', 0, start)
    end = page.find('<div class="zapys-cal-visit', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_short_visits_keep_the_client_name_on_the_time_line(
    staff_client, org, branch, spec, client_a
):
    import re

    brows = make_service(org, "Brows", duration_minutes=30, branches=[branch])
    colour = make_service(org, "Colour", duration_minutes=120, branches=[branch])
    cut = make_service(org, "Cut", duration_minutes=45, branches=[branch])
    other = make_client(org, "Shevchuk Anna")
    short = make_visit(
        org, client=client_a, staff=spec, service=brows, starts_at=local(org, 2030, 3, 4, 10)
    )
    long = make_visit(
        org, client=other, staff=spec, service=colour, starts_at=local(org, 2030, 3, 4, 12)
    )
    medium = make_visit(
        org, client=other, staff=spec, service=cut, starts_at=local(org, 2030, 3, 4, 15)
    )
    page = staff_client.get("/calendar/?date=2030-03-04").content.decode()
    card = _card(page, short.pk)
    assert "zapys-cal-visit-xs" in card
    line = re.search(r'<div class="zapys-cal-line">(.*?)</div>', card, re.S)
    assert line and "10:00" in line.group(1) and "Koval Olena" in line.group(1)
    assert "Brows" in line.group(1)
    assert 'title="10:00–10:30 Koval Olena · Brows' in card  # the whole of it on hover
    # 45 minutes: two lines, the client with the service on the second
    card = _card(page, medium.pk)
    assert "zapys-cal-visit-sm" in card and "zapys-cal-line" not in card
    assert 'Shevchuk Anna</span><span class="text-muted"> · Cut' in card
    # two hours: time, client and service on their own lines, as before
    card = _card(page, long.pk)
    assert "zapys-cal-visit-xs" not in card and "zapys-cal-visit-sm" not in card
    assert (
        '<div class="small text-truncate" data-testid="cal-visit-who">Shevchuk Anna</div>' in card
    )


def test_week_view_cards_are_compact_and_the_table_fits(
    staff_client, org, branch, spec, client_a, service
):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 5, 9)
    )
    page = staff_client.get("/calendar/?date=2030-03-04&view=week").content.decode()
    assert '<colgroup><col class="zapys-week-staff-col">' in page
    start = page.rindex('<div class="zapys-week-visit"', 0, page.index(f'data-visit="{v.pk}"'))
    card = page[start : page.index("zapys-week-add", start)]
    assert "09:00–10:00</span></div>" in card
    assert 'data-testid="cal-visit-who">Koval Olena</div>' in card


# --- the visit card's dead ends (issue 17) -------------------------------------------------


def test_visit_card_links_the_client_and_offers_a_prepayment_only_ahead(
    staff_client, org, spec, service, client_a
):
    """The client's name opens their card; "Request prepayment" only on a visit still ahead
    (not past, not arrived); a client's own visit has no attendance buttons beside the
    status buttons (they did the same thing twice)."""
    past = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2020, 3, 4, 10)
    )
    ahead = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    arrived = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 5, 10)
    )
    came = services.visit_statuses_ensure(organization=org)["came"]
    Visit.objects.filter(pk=arrived.pk).update(status=came)
    visits = {"past": past, "ahead": ahead, "arrived": arrived}
    pages = {
        name: staff_client.get(f"/visits/{v.pk}/", headers={"HX-Request": "true"}).content.decode()
        for name, v in visits.items()
    }
    link = f'href="/clients/{client_a.pk}/" data-testid="visit-client-link"'
    assert all(link in page for page in pages.values())
    assert "visit-booking-link" in pages["ahead"]
    assert "visit-booking-link" not in pages["past"]
    assert "visit-booking-link" not in pages["arrived"]
    assert all('data-testid="mark-' not in page for page in pages.values())


# --- working hours: weekday names, styled week inputs --------------------------------------


def test_staff_hours_list_names_the_weekdays_and_groups_a_days_intervals(
    staff_client, org, branch, spec
):
    staff_client.post(
        f"/staff-hours/{spec.pk}/",
        {"form": "week", "day0": "14:00-18:00, 09:00-13:00", "day6": "10:00-12:00"},
    )
    for language, monday, sunday in (("en", "Mon", "Sun"), ("uk", "Пн", "Нд")):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get("/staff-hours/").content.decode()
        days = re.findall(r'data-testid="hours-day">(.*?)</span>', page)
        assert days == [
            f"<b>{monday}</b> 09:00–13:00, 14:00–18:00",
            f"<b>{sunday}</b> 10:00–12:00",
        ], language


def test_staff_hours_week_inputs_are_styled_and_an_empty_day_reads_as_a_day_off(
    staff_client, org, branch, spec
):
    for language, day_off in (("en", "Day off"), ("uk", "Вихідний")):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get(f"/staff-hours/{spec.pk}/").content.decode()
        inputs = re.findall(r'<input type="text" name="day\d"[^>]*>', page)
        assert len(inputs) == 7, language
        for tag in inputs:
            assert 'class="form-control"' in tag and f'placeholder="{day_off}"' in tag, tag


# --- the prepayment app's dedicated cancellation status --------------------------------------


def test_the_dedicated_unpaid_status_speaks_the_pages_language_and_differs_from_the_seeded(
    staff_client, org
):
    from tests.factories_schedule import SYSTEM
    from zapys.prepayments.services import cancel_status_create

    assert org.language == "uk"
    status = cancel_status_create(organization=org, actor=SYSTEM)
    assert status.name == "Скасовано: передоплату не отримано (окремий статус)"
    staff_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = staff_client.get("/settings/schedule/").content.decode()
    assert "Cancelled: prepayment not received (dedicated)" in page
    assert "Cancelled: booking unpaid" in page and "Скасовано" not in page
    staff_client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    page = staff_client.get("/settings/schedule/").content.decode()
    assert "Скасовано: передоплату не отримано (окремий статус)" in page
    assert "Скасовано: передоплату не сплачено" in page


def test_the_migration_renames_only_unrenamed_dedicated_statuses(org):
    import importlib

    from django.apps import apps

    from zapys.schedule.models import VisitStatus

    migration = importlib.import_module(
        "zapys.schedule.migrations.0006_dedicated_unpaid_status_name"
    )
    services.visit_statuses_ensure(organization=org)
    old = VisitStatus.objects.create(
        organization=org, code="prepayment_unpaid", name="Скасовано: передоплату не отримано"
    )
    renamed = VisitStatus.objects.create(organization=org, code="prepayment_x", name="Мій статус")
    migration.rename(apps, None)
    old.refresh_from_db()
    renamed.refresh_from_db()
    assert old.name == "Скасовано: передоплату не отримано (окремий статус)"
    assert renamed.name == "Мій статус"


# --- the visit card's prepayment line; the new lesson's way back ------------------------------


def test_the_visit_cards_prepayment_line_does_not_say_the_word_twice(
    staff_client, org, spec, service, client_a
):
    from tests.factories_schedule import SYSTEM

    expected = {
        "paid": ("Prepayment: received", "Передоплата: отримано"),
        "pending": ("Prepayment: awaited", "Передоплата: очікується"),
        "expired": ("Prepayment: not received in time", "Передоплата: не отримано вчасно"),
    }
    for hour, (state, (en, uk)) in enumerate(expected.items(), start=10):
        v = make_visit(
            org,
            client=client_a,
            staff=spec,
            service=service,
            starts_at=local(org, 2030, 3, 4, hour),
        )
        services.visit_booking_state_set(visit=v, state=state, actor=SYSTEM)
        for language, text in (("en", en), ("uk", uk)):
            staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
            page = staff_client.get(f"/visits/{v.pk}/", headers={"HX-Request": "true"})
            line = re.search(
                r'data-testid="visit-prepayment-state">(.*?)</span>', page.content.decode()
            )
            assert line, (state, language)
            assert re.sub(r"<[^>]+>", "", line.group(1)).split() == text.split(), line.group(1)


def test_the_new_lesson_form_has_a_way_back_to_the_calendar(staff_client, org):
    for language, cancel in (("en", "Cancel"), ("uk", "Скасувати")):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get("/calendar/lessons/new/").content.decode()
        assert f'href="/calendar/" data-testid="lesson-cancel">{cancel}</a>' in page, language


def test_visit_card_says_the_day_in_words(staff_client, org, spec, service, client_a):
    # «понеділок, 4 березня 2030, 09:00–10:00» as a person says it (was «Пн 04.03.2030
    # 09:00–10:00», the move form's format); the weekday lowercase after the "When" label
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 9)
    )
    for language, expected in (
        ("uk", "понеділок, 4 березня 2030, 09:00–10:00"),
        ("en", "Monday, 4 March 2030, 09:00–10:00"),
    ):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get(f"/visits/{v.pk}/", headers={"HX-Request": "true"})
        when = re.search(r'data-testid="visit-when">([^<]*)<', page.content.decode())
        assert when is not None
        assert when.group(1).strip() == expected, language
