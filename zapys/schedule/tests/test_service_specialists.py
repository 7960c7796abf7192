"""Who performs a service, on the schedule's side (`Service.specialists`).

- Online, a chosen service offers only its specialists ("any specialist" is any of them), the
  slot search looks only at them, and a forged request naming someone else is refused in
  words with nothing created.
- Staff and the API may book anyone (a stand-in, a front desk's override): the visit is
  saved and its card warns «Ольга Ткачук не виконує «Стрижка жіноча».», like the hours.
"""

from __future__ import annotations

from datetime import date, time
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, local, make_service, make_specialist
from zapys.catalog.services import service_update
from zapys.clients.models import Client
from zapys.core.exceptions import DomainError
from zapys.schedule import selectors, services
from zapys.schedule.models import Visit
from zapys.schedule.services.online import online_booking_create

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv
MORNING = [(0, time(9), time(12))]


@pytest.fixture
def salon(org, branch, actor):
    maria = make_specialist(org, branch, first_name="Марія", last_name="Шевченко", hours=MORNING)
    iryna = make_specialist(org, branch, first_name="Ірина", last_name="Бондар", hours=MORNING)
    olha = make_specialist(org, branch, first_name="Ольга", last_name="Ткачук", hours=MORNING)
    haircut = make_service(
        org,
        "Стрижка жіноча",
        duration_minutes=120,
        branches=[branch],
        specialist_ids=[maria.pk, iryna.pk],
    )
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=0
    )
    return maria, iryna, olha, haircut


def _staff_of(slots) -> set[int]:
    return {s.staff_id for s in slots}


def _slots(org, service, **kwargs):
    return selectors.free_slots(
        organization=org,
        service=service,
        date_from=date(2030, 3, 4),
        date_to=date(2030, 3, 4),
        now=local(org, 2030, 3, 1),
        **kwargs,
    )


# --- the slot search --------------------------------------------------------------------------


def test_any_specialist_means_any_who_performs_the_service(org, salon):
    maria, iryna, olha, haircut = salon
    assert _staff_of(_slots(org, haircut)) == {maria.pk, iryna.pk}
    assert _staff_of(_slots(org, haircut, online=True)) == {maria.pk, iryna.pk}
    # online, someone else named has no time at all; staff and the API may still ask for her
    assert _slots(org, haircut, staff_ids=[olha.pk], online=True) == []
    assert _staff_of(_slots(org, haircut, staff_ids=[olha.pk])) == {olha.pk}
    # a service with no one listed is anyone's, as before the list existed
    service_update(service=haircut, actor=SYSTEM, specialist_ids=[])
    assert _staff_of(_slots(org, haircut, online=True)) == {maria.pk, iryna.pk, olha.pk}


def test_the_search_keeps_its_statement_count(org, salon):
    _maria, _iryna, _olha, haircut = salon
    selectors.schedule_settings_for(org)
    with CaptureQueriesContext(connection) as queries:
        assert _slots(org, haircut)
    # settings, the service's branches and specialists (one), hours, exceptions, visits
    assert len(queries) == 5


# --- the public page --------------------------------------------------------------------------


def _page(client, org, **params) -> tuple[int, str]:
    r = client.get(f"/book/{org.slug}/?{urlencode(params)}")
    return r.status_code, r.content.decode()


def _offered(page: str) -> list[str]:
    return [
        part.split(">", 1)[1].split("</a>", 1)[0]
        for part in page.split('data-testid="staff-option"')[1:]
    ]


@time_machine.travel(NOW, tick=False)
def test_the_page_offers_only_the_services_specialists(client, org, salon):
    _maria, _iryna, _olha, haircut = salon
    status, page = _page(client, org, service=haircut.pk)
    assert status == 200
    assert _offered(page) == ["Ірина Бондар", "Марія Шевченко"]  # Ukrainian order
    assert "Ольга Ткачук" not in page
    # "any": the morning's times are the two specialists' (a 2-hour service: 9:00 and 10:00)
    status, page = _page(client, org, service=haircut.pk, staff="any", date="2030-03-04")
    assert page.count('data-testid="slot-option"') == 2
    # durations in words on the page
    status, page = _page(client, org)
    assert "2 год" in page and "120 хв" not in page


@time_machine.travel(NOW, tick=False)
def test_a_forged_specialist_is_refused_in_words_and_nothing_is_created(client, org, salon):
    _maria, _iryna, olha, haircut = salon
    slot = local(org, 2030, 3, 4, 9).isoformat()
    client.cookies["django_language"] = "uk"
    r = client.post(
        f"/book/{org.slug}/?service={haircut.pk}&staff={olha.pk}&date=2030-03-04&slot={slot}",
        {
            "last_name": "Петренко",
            "first_name": "Анна",
            "phone": "067 123 45 67",
            "consent": "on",
            "slot": slot,
        },
        REMOTE_ADDR="10.0.0.1",
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert "Ольга Ткачук не виконує «Стрижка жіноча». Оберіть іншого спеціаліста." in page
    assert 'data-testid="slot-option"' not in page and 'data-testid="booking-form"' not in page
    assert not Visit.objects.exists() and not Client.objects.exists()
    from zapys.prepayments.models import Booking  # the paid booking would start after one

    assert not Booking.objects.exists()
    # someone of no one: the same refusal, not "any specialist" in disguise
    status, page = _page(client, org, service=haircut.pk, staff=987654, date="2030-03-04")
    assert status == 200 and 'data-testid="staff-error"' in page  # a page, as edited ids are
    assert not Visit.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_booking_service_refuses_someone_else_too(org, salon):
    _maria, _iryna, olha, haircut = salon
    with pytest.raises(DomainError) as refused:
        online_booking_create(
            organization=org,
            service=haircut,
            staff=olha,
            starts_at=local(org, 2030, 3, 4, 9),
            first_name="Анна",
            phone="067 123 45 67",
            consent=True,
            ip="10.0.0.2",
        )
    assert refused.value.errors[0]["field"] == "staff_id"
    assert "Ольга Ткачук" in refused.value.detail
    assert not Visit.objects.exists() and not Client.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_any_specialist_books_one_who_performs_the_service(client, org, salon):
    maria, iryna, _olha, haircut = salon
    slot = local(org, 2030, 3, 4, 9).isoformat()
    r = client.post(
        f"/book/{org.slug}/?service={haircut.pk}&staff=any&date=2030-03-04&slot={slot}",
        {
            "last_name": "П",
            "first_name": "Анна",
            "phone": "0671234567",
            "consent": "on",
            "slot": slot,
        },
        REMOTE_ADDR="10.0.0.3",
    )
    assert r.status_code == 302
    assert Visit.objects.get().staff_id in {maria.pk, iryna.pk}


@time_machine.travel(NOW, tick=False)
def test_every_step_of_the_page_costs_the_same_queries_for_more_specialists(
    client, org, branch, salon
):
    maria, iryna, _olha, haircut = salon
    slot = local(org, 2030, 3, 4, 9).isoformat()
    steps = [
        {},
        {"service": haircut.pk},
        {"service": haircut.pk, "staff": "any", "date": "2030-03-04"},
        {"service": haircut.pk, "staff": maria.pk, "date": "2030-03-04"},
        {"service": haircut.pk, "staff": "any", "date": "2030-03-04", "slot": slot},
    ]

    def counts() -> list[int]:
        result = []
        for params in steps:
            with CaptureQueriesContext(connection) as queries:
                status, _page_html = _page(client, org, **params)
            assert status == 200
            result.append(len(queries))
        return result

    _page(client, org)  # the settings row is made on first use
    before = counts()
    more = [make_specialist(org, branch, hours=MORNING) for _ in range(4)]
    service_update(
        service=haircut, actor=SYSTEM, specialist_ids=[maria.pk, iryna.pk, *(u.pk for u in more)]
    )
    for i in range(4):
        make_service(org, f"Послуга {i}", branches=[branch], specialist_ids=[more[i].pk])
    assert counts() == before


# --- staff and the API: allowed, and said -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "Ольга Ткачук не виконує «Стрижка жіноча»."),
        ("en", "Ольга Ткачук does not perform “Стрижка жіноча”."),
    ],
)
def test_staff_may_book_someone_else_and_the_card_says_so(
    staff_client, org, salon, language, words
):
    _maria, _iryna, olha, haircut = salon
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    r = staff_client.post(
        "/calendar/visits/new/",
        {
            "client": make_client(org).pk,
            "staff": olha.pk,
            "service": haircut.pk,
            "starts_at": "2030-03-04T09:00",
        },
        headers={"HX-Request": "true"},
    )
    visit = Visit.objects.get()  # saved: a warning, not a refusal
    assert visit.staff == olha
    page = r.content.decode()
    assert r.status_code == 200 and r["HX-Trigger-After-Swap"] == "calendarChanged"
    assert 'data-testid="visit-not-their-service"' in page and words in page
    card = staff_client.get(f"/visits/{visit.pk}/", headers={"HX-Request": "true"})
    assert words in card.content.decode()


def test_a_specialist_of_the_service_gets_no_warning(staff_client, org, salon):
    maria, _iryna, _olha, haircut = salon
    r = staff_client.post(
        "/calendar/visits/new/",
        {
            "client": make_client(org).pk,
            "staff": maria.pk,
            "service": haircut.pk,
            "starts_at": "2030-03-04T09:00",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 204  # the dialog just closes
    visit = Visit.objects.get()
    assert selectors.visit_service_warning(visit) == ""


def test_the_api_books_anyone_as_staff_do(org, salon, api):
    _maria, _iryna, olha, haircut = salon
    r = api.post(
        "/visits",
        {
            "client_id": make_client(org).pk,
            "staff_id": olha.pk,
            "service_id": haircut.pk,
            "starts_at": "2030-03-04T10:00:00+02:00",
        },
    )
    assert r.status == 201, r.body
    assert Visit.objects.get().staff == olha


# --- said before saving: the new-visit and move forms -----------------------------------------

CHECK = "/calendar/visits/service-check/"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "Ольга Ткачук не виконує «Стрижка жіноча»."),
        ("en", "Ольга Ткачук does not perform “Стрижка жіноча”."),
    ],
)
def test_the_form_says_it_as_the_specialist_is_chosen(staff_client, org, salon, language, words):
    maria, _iryna, olha, haircut = salon
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    htmx = {"HX-Request": "true"}
    # the new-visit form asks as its specialist or service changes
    form = staff_client.get("/calendar/visits/new/", headers=htmx).content.decode()
    assert f'hx-get="{CHECK}"' in form and 'hx-params="staff,service"' in form
    said = staff_client.get(CHECK, {"staff": olha.pk, "service": haircut.pk}, headers=htmx)
    assert 'data-testid="form-not-their-service"' in said.content.decode()
    assert words in said.content.decode()
    fine = staff_client.get(CHECK, {"staff": maria.pk, "service": haircut.pk}, headers=htmx)
    assert fine.status_code == 200 and fine.content.decode().strip() == ""
    assert not Visit.objects.exists()  # asking books nothing


def test_the_form_shown_again_says_it_too(staff_client, org, salon):
    _maria, _iryna, olha, haircut = salon
    # no client: refused, and the form shown again already names the mismatch
    r = staff_client.post(
        "/calendar/visits/new/",
        {"staff": olha.pk, "service": haircut.pk, "starts_at": "2030-03-04T09:00"},
        headers={"HX-Request": "true"},
    )
    page = r.content.decode()
    assert 'data-testid="form-not-their-service"' in page
    assert "Ольга Ткачук не виконує «Стрижка жіноча»." in page
    assert not Visit.objects.exists()


def test_the_move_form_asks_for_the_visits_own_service(staff_client, org, branch, salon):
    maria, _iryna, _olha, haircut = salon
    visit = services.visit_create(
        organization=org,
        client=make_client(org),
        staff=maria,
        service=haircut,
        branch=branch,
        starts_at=local(org, 2030, 3, 4, 9),
        actor=SYSTEM,
    )
    card = staff_client.get(f"/visits/{visit.pk}/", headers={"HX-Request": "true"})
    page = card.content.decode()
    # the move form sends its specialist with the visit's service; nothing said yet
    assert f'hx-vals=\'{{"service": "{haircut.pk}"}}\'' in page
    assert 'data-testid="form-not-their-service"' not in page


@pytest.mark.parametrize("query", ["foreign", "empty", "typed"])
def test_the_check_says_nothing_of_what_is_not_this_organizations(
    staff_client, org, other_org, salon, query
):
    _maria, _iryna, olha, haircut = salon
    other_branch = make_branch(other_org, "Other")
    stranger = make_specialist(other_org, other_branch, first_name="Чужа", last_name="Майстриня")
    their_service = make_service(other_org, "Чужа послуга", specialist_ids=[stranger.pk])
    params = {
        "foreign": [
            {"staff": stranger.pk, "service": haircut.pk},
            {"staff": olha.pk, "service": their_service.pk},
        ],
        "empty": [{"staff": "", "service": haircut.pk}, {}],
        "typed": [{"staff": "²", "service": haircut.pk}, {"staff": "9" * 30, "service": "x"}],
    }[query]
    for p in params:
        r = staff_client.get(CHECK, p, headers={"HX-Request": "true"})
        assert r.status_code == 200 and r.content.decode().strip() == "", p
