"""Issue 17 (walk of the catalogue at 1366 px): every catalogue page starts with the same
heading and tabs, a page's own "New …" button below them; the service and group forms have
the way back above them, as a subject's or a room's page has; the add forms say what they
add; a group's row offers "Edit" like every other row of the catalogue."""

from __future__ import annotations

import re

import pytest

from tests.pages import staff_page
from zapys.catalog.models import Group

pytestmark = pytest.mark.django_db

TABS = '<nav class="zapys-tabs mb-3"'


@pytest.mark.parametrize(
    "url", ["catalog:services", "catalog:subjects", "catalog:rooms", "catalog:groups"]
)
def test_every_catalogue_page_starts_with_the_heading_then_the_tabs(org, owner, staff_client, url):
    page = staff_page(staff_client, owner, "uk", url)
    # the heading alone on its row, the tabs right under it: a "New …" button in the
    # heading's row made it taller and put the tabs lower on those pages
    assert re.search(r'<h1 class="h4 mb-3">Послуги</h1>\s*' + re.escape(TABS), page), url
    assert page.count("<h1") == 1


def test_the_new_buttons_sit_below_the_tabs(org, owner, staff_client):
    for url, testid in (("catalog:services", "service-new"), ("catalog:groups", "group-new")):
        page = staff_page(staff_client, owner, "en", url)
        assert page.index(TABS) < page.index(f'data-testid="{testid}"'), url


@pytest.mark.parametrize(
    ("language", "url", "back", "here"),
    [
        ("uk", "catalog:service_new", ("/services/", "Послуги"), "Нова послуга"),
        ("en", "catalog:service_new", ("/services/", "Services"), "New service"),
        ("uk", "catalog:group_new", ("/catalog/groups/", "Групи"), "Нова група"),
        ("en", "catalog:group_new", ("/catalog/groups/", "Groups"), "New group"),
    ],
)
def test_the_forms_have_the_way_back_above_them(
    org, owner, staff_client, language, url, back, here
):
    page = staff_page(staff_client, owner, language, url)
    crumbs = page.split('data-testid="catalog-breadcrumb">', 1)[1].split("</ol>", 1)[0]
    assert f'<a href="{back[0]}">{back[1]}</a>' in crumbs
    assert f'<li class="breadcrumb-item active">{here}</li>' in crumbs


@pytest.mark.parametrize(
    ("language", "rooms", "subjects"),
    [
        ("uk", "Нова аудиторія", "Новий предмет або тип заняття"),
        ("en", "New classroom", "New subject or lesson type"),
    ],
)
def test_the_add_forms_say_what_they_add(org, owner, staff_client, language, rooms, subjects):
    # a school's words (each kind's are in test_vocabulary.py)
    org.business_kind = "school"
    org.save(update_fields=["business_kind"])
    page = staff_page(staff_client, owner, language, "catalog:rooms")
    assert 'data-testid="room-add"><div class="card-body">' in page
    assert f'<h2 class="h6 mb-3">{rooms}</h2>' in page
    page = staff_page(staff_client, owner, language, "catalog:subjects")
    assert f'<h2 class="h6 mb-3">{subjects}</h2>' in page


def test_a_groups_row_offers_edit(org, owner, branch, staff_client):
    group = Group.objects.for_org(org).create(organization=org, name="Йога", capacity=8)
    page = staff_page(staff_client, owner, "uk", "catalog:groups")
    row = page.split(f'href="/catalog/groups/{group.pk}/"', 1)[1].split("</a>", 1)[0]
    assert row == ">Редагувати"
