"""Attach (O4) "choose the groups the client may attend" limits the membership, and
"optionally book classes" books the client into lessons of those groups — all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SYSTEM, make_org
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.catalog.models import Group
from zapys.core.exceptions import DomainError
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.selectors import client_balance
from zapys.memberships.models import ClientMembership, MembershipUsage
from zapys.memberships.selectors import clients_with_covering_membership, memberships_covering
from zapys.memberships.services import membership_sell
from zapys.online_sales import selectors, services
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_sale
from zapys.schedule import services as schedule
from zapys.schedule.models import Attendance


@pytest.fixture
def spec(org, branch):
    return make_specialist(org, branch)


def _day(days: int = 2, hour: int = 10):
    today = timezone.localdate() + timedelta(days=days)
    return today.year, today.month, today.day, hour


def _lesson(org, branch, spec, group, days=2, hour=10, capacity=10, price=30_000):
    y, m, d, hh = _day(days, hour)
    (lesson,) = schedule.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        group=group,
        starts_at=local(org, y, m, d, hh),
        duration_minutes=60,
        capacity=capacity,
        price=price,
        client_ids=[],
        actor=SYSTEM,
    )
    return lesson


@pytest.fixture
def groups(org):
    return (
        Group.objects.create(organization=org, name="Salsa"),
        Group.objects.create(organization=org, name="Bachata"),
    )


def _attached(org, shop, actor, client, groups=(), lessons=()):
    return services.online_sale_attach(
        sale=make_sale(org, shop),
        client=client,
        actor=actor,
        groups=list(groups),
        lessons=list(lessons),
    )


def test_a_membership_limited_to_a_group_pays_only_its_lessons(
    org, branch, shop, actor, spec, groups
):
    salsa, bachata = groups
    client = make_client(org)
    sale = _attached(org, shop, actor, client, groups=[salsa])
    membership = ClientMembership.objects.get(pk=sale.membership_id)
    assert list(membership.groups.all()) == [salsa]

    other = _lesson(org, branch, spec, bachata)
    own = _lesson(org, branch, spec, salsa, days=3)
    for lesson in (other, own):
        schedule.lesson_participant_add(visit=lesson, client=client, actor=actor)
    balance = client_balance(client)
    entries = Entry.objects.for_org(org).count()

    # Bachata is not covered: nothing is taken from the membership, nothing charged.
    mark = Attendance.objects.get(visit=other, client=client)
    schedule.attendance_mark(attendance=mark, state="attended", actor=actor)
    mark.refresh_from_db()
    membership.refresh_from_db()
    assert (mark.charge, mark.membership_id) == ("", None)
    assert membership.visits_used == 0 and not MembershipUsage.objects.exists()
    assert client_balance(client) == balance and Entry.objects.for_org(org).count() == entries

    # Salsa is: one visit of eight.
    mark = Attendance.objects.get(visit=own, client=client)
    schedule.attendance_mark(attendance=mark, state="attended", actor=actor)
    mark.refresh_from_db()
    membership.refresh_from_db()
    assert (mark.charge, mark.membership_id) == ("membership", membership.pk)
    assert membership.visits_used == 1 and membership.visits_left == 7


def test_limited_membership_covers_no_individual_visit_and_the_checkout_agrees(
    org, branch, shop, actor, spec, groups
):
    salsa, bachata = groups
    client = make_client(org)
    _attached(org, shop, actor, client, groups=[salsa])
    free = make_client(org)  # a plain membership of the same plan: covers everything
    membership_sell(
        client=free, plan=shop, mode="free", starts_on=timezone.localdate(), actor=actor
    )
    day = timezone.localdate() + timedelta(days=1)
    service = make_service(org, "Haircut")
    assert not memberships_covering(client=client, on_date=day, service=service).exists()
    assert not memberships_covering(client=client, on_date=day, group=bachata).exists()
    assert memberships_covering(client=client, on_date=day, group=salsa).count() == 1
    # The checkout's question for a whole lesson gets the same answer.
    ids = [client.pk, free.pk]
    assert clients_with_covering_membership(
        organization=org, client_ids=ids, on_date=day, group=bachata
    ) == {free.pk}
    assert clients_with_covering_membership(
        organization=org, client_ids=ids, on_date=day, service=service
    ) == {free.pk}

    visit = make_visit(
        org,
        client=client,
        staff=spec,
        service=service,
        starts_at=local(org, day.year, day.month, day.day, 11),
    )
    mark = Attendance.objects.get(visit=visit, client=client)
    schedule.attendance_mark(attendance=mark, state="attended", actor=actor)
    mark.refresh_from_db()
    assert mark.charge != "membership"
    assert ClientMembership.objects.get(client=client).visits_used == 0


def test_a_group_outside_the_plan_or_of_another_org_attaches_nothing(org, branch, actor, groups):
    from zapys.online_sales.tests.factories import make_shop

    salsa, bachata = groups
    plan = make_shop(org, name="Salsa only", covers_everything=False)
    plan.groups.set([salsa])
    sale = make_sale(org, plan)
    client = make_client(org)
    with pytest.raises(DomainError, match="Bachata") as refused:
        services.online_sale_attach(sale=sale, client=client, actor=actor, groups=[bachata])
    assert refused.value.errors[0]["field"] == "group_ids"
    foreign = Group.objects.create(organization=make_org("Other"), name="Foreign")
    with pytest.raises(DomainError, match="another organization"):
        services.online_sale_attach(sale=sale, client=client, actor=actor, groups=[foreign])
    sale.refresh_from_db()
    assert sale.status == "paid" and not ClientMembership.objects.exists()
    assert FinancialOperation.objects.get().entry_id is None  # the money is still held


def test_attach_books_the_chosen_lessons(org, branch, shop, actor, spec, groups):
    salsa, _bachata = groups
    first = _lesson(org, branch, spec, salsa, days=2)
    second = _lesson(org, branch, spec, salsa, days=9)
    client = make_client(org)
    sale = _attached(org, shop, actor, client, groups=[salsa], lessons=[first, second])
    assert sale.status == "attached"
    assert set(Attendance.objects.filter(client=client).values_list("visit_id", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_one_lesson_refused_books_nothing_and_attaches_nothing(
    org, branch, shop, actor, spec, groups
):
    salsa, bachata = groups
    open_lesson = _lesson(org, branch, spec, salsa, days=2)
    full = _lesson(org, branch, spec, salsa, days=3, capacity=1)
    schedule.lesson_participant_add(visit=full, client=make_client(org), actor=actor)
    wrong_group = _lesson(org, branch, spec, bachata, days=4)
    client = make_client(org)
    sale = make_sale(org, shop)
    attendances = Attendance.objects.count()
    with pytest.raises(DomainError) as refused:
        services.online_sale_attach(
            sale=sale,
            client=client,
            actor=actor,
            groups=[salsa],
            lessons=[open_lesson, full, wrong_group],
        )
    messages = [e["message"] for e in refused.value.errors]
    assert len(messages) == 2  # one per lesson that cannot be booked
    assert "full" in messages[0] and messages[0].startswith("Salsa, ")
    assert "not a lesson of the chosen groups" in messages[1]
    assert all(e["field"] == "lesson_ids" for e in refused.value.errors)
    # Nothing half-done: no booking (not even the open lesson), no membership, money held.
    assert Attendance.objects.count() == attendances
    sale.refresh_from_db()
    assert sale.status == "paid" and not ClientMembership.objects.exists()
    assert FinancialOperation.objects.get().entry_id is None


def test_a_lesson_after_the_validity_is_refused(org, branch, actor, spec, groups):
    from zapys.online_sales.tests.factories import make_shop

    salsa, _ = groups
    plan = make_shop(org, name="Week", validity_value=7, validity_unit="days")
    late = _lesson(org, branch, spec, salsa, days=10)
    with pytest.raises(DomainError) as refused:
        services.online_sale_attach(
            sale=make_sale(org, plan),
            client=make_client(org),
            actor=actor,
            groups=[salsa],
            lessons=[late],
        )
    assert "outside the membership's validity" in refused.value.errors[0]["message"]
    assert not Attendance.objects.filter(visit=late).exists()


def test_lessons_offered_are_the_groups_upcoming_ones_in_one_query(org, branch, shop, spec, groups):
    salsa, bachata = groups
    start = timezone.localdate()
    end = start + timedelta(days=30)
    _lesson(org, branch, spec, salsa, days=2)
    _lesson(org, branch, spec, bachata, days=2, hour=12)
    _lesson(org, branch, spec, salsa, days=40)  # after the validity

    def offered():
        with CaptureQueriesContext(connection) as queries:
            rows = selectors.lessons_to_book(
                org, group_ids=[salsa.pk], starts_on=start, ends_on=end
            )
            [(r.group.name, r.branch.name, r.taken) for r in rows]
        return rows, len(queries)

    rows, small = offered()
    assert [r.group_id for r in rows] == [salsa.pk]
    for days in range(3, 8):
        _lesson(org, branch, spec, salsa, days=days)
    rows, large = offered()
    assert len(rows) == 6 and small == large == 1


def test_the_dialog_lists_lessons_of_the_chosen_groups_and_books_them(
    org, branch, shop, owner, spec, groups
):
    from django.test import Client as Browser

    salsa, bachata = groups
    lesson = _lesson(org, branch, spec, salsa, days=2)
    _lesson(org, branch, spec, bachata, days=2, hour=13)
    sale = make_sale(org, shop)
    buyer = make_client(org, name="Петренко Олена")
    browser = Browser()
    browser.force_login(owner)
    url = reverse("online_sales:sale_lessons", args=[sale.pk])
    page = browser.get(
        url,
        {"groups": [salsa.pk], "starts_on": timezone.localdate().isoformat()},
        headers={"HX-Request": "true"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and text.count('name="lesson_ids"') == 1
    assert f'value="{lesson.pk}"' in text and "Salsa" in text
    response = browser.post(
        reverse("online_sales:sale", args=[sale.pk]),
        {
            "client_id": buyer.pk,
            "groups": [salsa.pk],
            "starts_on": timezone.localdate().isoformat(),
            "lesson_ids": [lesson.pk],
        },
    )
    assert response.status_code == 302
    sale.refresh_from_db()
    assert sale.status == OnlineSale.Status.ATTACHED
    assert Attendance.objects.filter(visit=lesson, client=buyer).exists()
    card = browser.get(
        reverse("memberships:client_memberships", args=[buyer.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Salsa" in card and 'data-testid="membership-groups"' in card


def test_api_activate_with_groups_and_lessons(org, branch, shop, api, spec, groups):
    salsa, _ = groups
    full = _lesson(org, branch, spec, salsa, days=2, capacity=1)
    schedule.lesson_participant_add(visit=full, client=make_client(org), actor=SYSTEM)
    sale = make_sale(org, shop)
    client = make_client(org)
    body = {"code": sale.activation_code, "client_id": client.pk, "group_ids": [salsa.pk]}
    refused = api.post("/api/v1/online-sales/activate", {**body, "lesson_ids": [full.pk]})
    assert refused.status == 422, refused.body
    assert [e["field"] for e in refused.body["errors"]] == ["lesson_ids"]
    assert "full" in refused.body["errors"][0]["message"]
    sale.refresh_from_db()
    assert sale.status == "paid" and not ClientMembership.objects.exists()
    ok = api.post("/api/v1/online-sales/activate", body)
    assert ok.status == 200 and ok.body["group_ids"] == [salsa.pk]
    assert list(ClientMembership.objects.get().groups.all()) == [salsa]


def test_plain_plan_sale_is_unchanged(org, branch, actor):
    """A membership sold at the desk has no groups: its plan alone decides (as before)."""
    plan = make_plan(org, "Any", price=10_000, visits=4)
    client = make_client(org)
    membership_sell(
        client=client, plan=plan, mode="free", starts_on=timezone.localdate(), actor=actor
    )
    group = Group.objects.create(organization=org, name="Jazz")
    day = timezone.localdate()
    assert memberships_covering(client=client, on_date=day, group=group).count() == 1
    assert memberships_covering(client=client, on_date=day).count() == 1


def test_a_whole_refund_cancels_the_bookings_made_at_attach(
    client,
    org,
    branch,
    shop,
    actor,
    spec,
    groups,
    sandbox_in_process,
    django_capture_on_commit_callbacks,
):
    from zapys.online_sales.tests.test_flow import _buy_through_the_sandbox

    salsa, _ = groups
    first = _lesson(org, branch, spec, salsa, days=2)
    second = _lesson(org, branch, spec, salsa, days=4)
    other = _lesson(org, branch, spec, salsa, days=6)
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    person = make_client(org, name="Ткач Марія", phone="+380661112233")
    sale = services.online_sale_attach(
        sale=sale, client=person, actor=actor, groups=[salsa], lessons=[first, second]
    )
    # Booked by hand afterwards, not by the sale: the refund leaves it.
    schedule.lesson_participant_add(visit=other, client=person, actor=actor)
    sale = services.online_sale_refund(sale=sale, actor=actor)
    assert sale.status == "refunded"
    states = dict(Attendance.objects.filter(client=person).values_list("visit_id", "state"))
    assert states == {first.pk: "cancelled", second.pk: "cancelled", other.pk: "planned"}
