"""The unpaid visits page is a real list: a period (today by default; yesterday, this
week, chosen dd.mm.yyyy dates), a branch and a specialist, the totals of what is due; bad
filters are field errors; the queries do not grow with the rows."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_branch, make_staff
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.core.tenancy import org_scope, organization_zone

pytestmark = pytest.mark.usefixtures("midday")


def _visit(org, branch, *, hours_ago: float, price: int = 45_000, staff=None, service=None):
    # each its own specialist unless named: visits at the same time must not clash
    return make_visit(
        org,
        branch,
        staff=staff or make_staff(org, "specialist", branches=[branch]),
        client=make_client(org),
        service=service or make_service(org, price=price),
        starts_at=timezone.now() - timedelta(hours=hours_ago),
    )


def _rows(html: str) -> int:
    return html.count('data-testid="unpaid-row"')


def _today(org):
    return timezone.now().astimezone(organization_zone(org)).date()


def test_today_by_default_then_yesterday_week_and_chosen_dates(staff_client, org, branch):
    today = _today(org)
    todays = _visit(org, branch, hours_ago=0.1)
    yesterdays = _visit(org, branch, hours_ago=24, price=30_000)
    old = _visit(org, branch, hours_ago=24 * 20, price=10_000)

    html = staff_client.get("/checkout/unpaid/").content.decode()
    assert _rows(html) == 1 and todays.client.name in html
    assert 'data-testid="unpaid-filters"' in html and "450,00" in html

    html = staff_client.get("/checkout/unpaid/?period=yesterday").content.decode()
    assert _rows(html) == 1 and yesterdays.client.name in html
    assert "300,00" in html.split('data-testid="unpaid-total-due"')[1][:120]

    html = staff_client.get("/checkout/unpaid/?period=week").content.decode()
    monday = today - timedelta(days=today.weekday())
    expected = 1 + (yesterdays.starts_at.astimezone(organization_zone(org)).date() >= monday)
    assert _rows(html) == expected

    first = (today - timedelta(days=25)).strftime("%d.%m.%Y")
    last = today.strftime("%d.%m.%Y")
    html = staff_client.get(
        f"/checkout/unpaid/?period=custom&date_from={first}&date_to={last}"
    ).content.decode()
    assert _rows(html) == 3 and old.client.name in html
    assert "850,00" in html.split('data-testid="unpaid-total-due"')[1][:120]  # 450+300+100
    assert html.split('data-testid="unpaid-count"')[1][:20].count("3") == 1
    assert "85000" not in html  # money as money, never kopecks


def test_branch_and_specialist_filters(staff_client, org, branch, owner):
    other = make_branch(org, "Other")
    anna = make_staff(org, "specialist", username="anna", branches=[branch, other])
    here = _visit(org, branch, hours_ago=0.2, staff=anna)
    there = _visit(org, other, hours_ago=1.3, staff=anna)
    mine = _visit(org, branch, hours_ago=0.1, staff=owner)

    html = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}").content.decode()
    assert _rows(html) == 2 and there.client.name not in html
    html = staff_client.get("/checkout/unpaid/?period=today&branch=").content.decode()
    assert _rows(html) == 3  # all my branches
    html = staff_client.get(f"/checkout/unpaid/?period=today&branch=&staff={anna.pk}").content
    assert _rows(html.decode()) == 2 and mine.client.name not in html.decode()

    # A specialist sees their own visits only, whatever the filter says.
    as_anna = HttpClient()
    as_anna.force_login(anna)
    html = as_anna.get(f"/checkout/unpaid/?period=today&branch=&staff={owner.pk}").content
    html_text = html.decode()
    assert mine.client.name not in html_text
    html = as_anna.get("/checkout/unpaid/?period=today&branch=").content.decode()
    assert _rows(html) == 2 and here.client.name in html and there.client.name in html


def test_bad_filters_are_field_errors(staff_client, org, branch, other_org):
    _visit(org, branch, hours_ago=0.2)
    with org_scope(other_org):
        foreign = make_branch(other_org, "Elsewhere")
    cases = {
        "period=custom&date_from=31.02.2026&date_to=01.03.2026": "date_from",
        "period=custom&date_from=05.12.2026&date_to=01.12.2026": "date_to",
        "period=custom&date_from=01.01.2026&date_to=01.12.2026": "date_to",  # too long
        "period=custom": "date_from",
        "period=never": "period",
        f"branch={foreign.pk}": "branch",
        "staff=abc": "staff",
    }
    for query, field in cases.items():
        response = staff_client.get(f"/checkout/unpaid/?{query}")
        assert response.status_code == 200, query
        html = response.content.decode()
        assert f'name="{field}"' in html
        tag = re.search(rf'<(?:input|select)[^>]*name="{field}"[^>]*>', html)
        assert tag is not None and "is-invalid" in tag.group(0), (query, html)
        assert "Elsewhere" not in html.split('data-testid="unpaid-list"')[1]


def test_queries_do_not_grow_with_the_rows(staff_client, org, branch):
    """Three days of visits of one service: the same queries for 3 rows and for 9."""
    service = make_service(org, price=45_000)
    today = _today(org)
    query = (
        "/checkout/unpaid/?period=custom"
        f"&date_from={(today - timedelta(days=3)).strftime('%d.%m.%Y')}"
        f"&date_to={today.strftime('%d.%m.%Y')}&branch={branch.pk}"
    )
    counts = []
    for per_day in (1, 3):
        for days in (1, 2, 3):
            while sum(1 for _ in range(per_day)) > _per_day(org, days):
                _visit(org, branch, hours_ago=24 * days, service=service)
        with CaptureQueriesContext(connection) as ctx:
            html = staff_client.get(query).content.decode()
        assert _rows(html) == 3 * per_day
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def _per_day(org, days: int) -> int:
    from zapys.schedule.models import Visit

    day = _today(org) - timedelta(days=days)
    zone = organization_zone(org)
    return sum(1 for v in Visit.objects.all() if v.starts_at.astimezone(zone).date() == day)


def test_the_dashboard_card_links_to_todays_list(staff_client, org, branch):
    _visit(org, branch, hours_ago=0.2)
    dashboard = staff_client.get(f"/?branch={branch.pk}").content.decode()
    assert 'href="/checkout/unpaid/"' in dashboard


def test_memberships_are_read_once_whatever_the_services_and_days(staff_client, org, branch):
    """Each (service, day) asks which clients a membership covers; the asks go in one
    UNION query, so three services on three days cost what one does, and a membership of
    one service still covers that service's visit only."""
    from tests.factories_ledger import make_membership, make_plan

    today = _today(org)
    query = (
        "/checkout/unpaid/?period=custom"
        f"&date_from={(today - timedelta(days=3)).strftime('%d.%m.%Y')}"
        f"&date_to={today.strftime('%d.%m.%Y')}&branch={branch.pk}"
    )
    first = _visit(org, branch, hours_ago=24, price=30_000)
    plan = make_plan(org, covers_everything=False)
    plan.services.add(first.service)
    make_membership(first.client, plan=plan, starts_on=today - timedelta(days=10))
    with CaptureQueriesContext(connection) as one:
        html = staff_client.get(query).content.decode()
    # covered: nothing due, so not unpaid; listed apart, still to be closed
    assert _rows(html) == 0 and html.count('data-testid="covered-row"') == 1
    assert "0,00" in html.split('data-testid="unpaid-total-due"')[1][:120]

    for days in (1, 2, 3):  # another service each day, the same client: not covered
        _visit_of = make_visit(
            org,
            branch,
            staff=make_staff(org, "specialist", branches=[branch]),
            client=first.client,
            service=make_service(org, price=10_000),
            starts_at=timezone.now() - timedelta(hours=24 * days + 3),
        )
        assert _visit_of.service_id != first.service_id
    with CaptureQueriesContext(connection) as many:
        html = staff_client.get(query).content.decode()
    assert _rows(html) == 3 and html.count('data-testid="covered-row"') == 1
    assert "300,00" in html.split('data-testid="unpaid-total-due"')[1][:120]
    assert len(one.captured_queries) == len(many.captured_queries)


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Nothing due, still to be closed"), ("uk", "До сплати нічого, ще не закрито")],
)
def test_a_visit_covered_whole_is_not_unpaid_but_still_to_be_closed(
    staff_client, org, owner, branch, language, heading
):
    """A membership covers the 600 of a visit: 0 due. It is not an unpaid visit (not in the
    list, its total or the dashboard's count) but it waits for its checkout, and the page
    says so; a visit with money due next to it is counted alone."""
    from tests.factories_ledger import make_membership, make_plan
    from tests.pages import staff_page

    covered = _visit(org, branch, hours_ago=0.5, price=60_000)
    plan = make_plan(org, covers_everything=False)
    plan.services.add(covered.service)
    make_membership(covered.client, plan=plan, starts_on=_today(org) - timedelta(days=1))
    owner.language = language
    owner.save(update_fields=["language"])
    dashboard = staff_client.get(f"/?branch={branch.pk}").content.decode()
    assert 'href="/checkout/unpaid/"' not in dashboard  # nothing unpaid today
    html = staff_page(staff_client, owner, language, "checkout:unpaid")
    assert _rows(html) == 0 and 'data-testid="unpaid-empty"' in html
    assert re.search(r'data-testid="unpaid-count">0<', html)
    section = html.split('data-testid="covered"')[1]
    assert heading in section and covered.client.name in section
    assert section.count('data-testid="covered-row"') == 1

    owing = _visit(org, branch, hours_ago=0.2, price=45_000)
    html = staff_page(staff_client, owner, language, "checkout:unpaid")
    assert _rows(html) == 1 and owing.client.name in html.split('data-testid="unpaid-list"')[1]
    assert re.search(r'data-testid="unpaid-count">1<', html)
    assert "450" in html.split('data-testid="unpaid-total-price"')[1][:60]
    dashboard = staff_client.get(f"/?branch={branch.pk}").content.decode()
    assert 'href="/checkout/unpaid/"' in dashboard


@pytest.mark.parametrize(("language", "home"), [("uk", "Головна"), ("en", "Dashboard")])
def test_the_list_leads_back_to_the_dashboard_it_is_reached_from(staff_client, language, home):
    """Not in the menu (the dashboard's card opens it): a breadcrumb is the way back."""
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = staff_client.get("/checkout/unpaid/").content.decode()
    trail = html.split('data-testid="breadcrumb">')[1].split("</ol>")[0]
    assert f'<a href="/">{home}</a>' in trail
