"""Issue 17 leftover: a beauty salon read school words («Предмети та типи занять»,
«Викладач», «Зали»). The organization says what kind of business it is and the catalogue,
the group and lesson forms, memberships and invoice rules name things accordingly
(core/vocabulary.py); model fields and the API keep their names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.pages import staff_page
from zapys.accounts.models import Organization
from zapys.catalog.forms import GroupForm
from zapys.catalog.models import Group, Subject
from zapys.core.vocabulary import WORDS, BusinessKind, words_for
from zapys.invoices.forms import RuleForm
from zapys.invoices.rules import filters_text
from zapys.memberships.forms import PlanForm
from zapys.schedule.forms import LessonForm

pytestmark = pytest.mark.django_db

# What each kind's administrator reads: (subjects tab, subjects heading, teacher, rooms tab)
UK = {
    "salon": ("Напрями та формати", "Напрями", "Майстер", "Кабінети"),
    "clinic": ("Напрями та формати", "Напрями", "Лікар", "Кабінети"),
    "school": ("Предмети та типи занять", "Предмети", "Викладач", "Аудиторії"),
    "studio": ("Напрями та типи занять", "Напрями", "Тренер", "Зали"),
    "other": ("Напрями та формати", "Напрями", "Спеціаліст", "Приміщення"),
}
EN = {
    "salon": ("Areas and formats", "Areas", "Specialist", "Rooms"),
    "clinic": ("Specialties and formats", "Specialties", "Doctor", "Rooms"),
    "school": ("Subjects and lesson types", "Subjects", "Teacher", "Classrooms"),
    "studio": ("Disciplines and class types", "Disciplines", "Instructor", "Rooms"),
    "other": ("Areas and formats", "Areas", "Specialist", "Rooms"),
}
SCHOOL_WORDS_UK = ("Предмет", "Викладач", "Аудиторі")


def _kind(org: Organization, kind: str) -> None:
    org.business_kind = kind
    org.save(update_fields=["business_kind"])


def test_every_kind_has_every_word():
    assert set(WORDS) == set(BusinessKind.values)


@pytest.mark.parametrize("kind", BusinessKind.values)
@pytest.mark.parametrize(("language", "expected"), [("uk", UK), ("en", EN)])
def test_the_catalogue_speaks_the_kinds_words(org, owner, staff_client, kind, language, expected):
    _kind(org, kind)
    tab, heading, teacher, rooms = expected[kind]
    page = staff_page(staff_client, owner, language, "catalog:subjects")
    assert f'href="/catalog/subjects/">{tab}</a>' in page
    assert f'<h2 class="h6">{heading}</h2>' in page
    assert f'href="/catalog/rooms/">{rooms}</a>' in page
    page = staff_page(staff_client, owner, language, "catalog:groups")
    assert f"<th>{teacher}</th>" in page
    page = staff_page(staff_client, owner, language, "catalog:group_new")
    assert f'for="id_teacher">{teacher}' in page


@pytest.mark.parametrize("kind", ["salon", "clinic", "studio", "other"])
def test_a_salon_reads_no_school_word(org, owner, staff_client, kind):
    _kind(org, kind)
    for url in ("catalog:subjects", "catalog:groups", "catalog:group_new", "catalog:rooms"):
        page = staff_page(staff_client, owner, "uk", url)
        for word in SCHOOL_WORDS_UK:
            assert word not in page, (kind, url, word)


def test_the_item_pages_name_the_kind(org, owner, branch, staff_client):
    _kind(org, "salon")
    subject = Subject.objects.create(organization=org, name="Нігті")
    page = staff_page(staff_client, owner, "uk", "catalog:subject_edit", subject.pk)
    assert '<div class="small text-muted">Напрям</div>' in page
    assert '<a href="/catalog/subjects/">Напрями та формати</a>' in page
    page = staff_page(staff_client, owner, "uk", "catalog:subjects")
    assert '<option value="subject">Напрям</option>' in page
    assert '<option value="lesson_type">Формат</option>' in page


def test_the_words_cost_no_query(org, owner, staff_client):
    """The organization is loaded once per request (the user's); every kind's page makes
    the same queries, and none more reads the organization."""
    counts = {}
    for kind in ("school", "salon"):
        _kind(org, kind)
        staff_page(staff_client, owner, "uk", "catalog:subjects")  # the language is saved
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("catalog:subjects")).status_code == 200
        reads = [q["sql"] for q in queries if 'FROM "accounts_organization"' in q["sql"]]
        assert len(reads) <= 1, reads
        counts[kind] = len(queries)
    assert counts["school"] == counts["salon"]
    with CaptureQueriesContext(connection) as queries:
        words_for(org).subjects_tab.__str__()
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("kind", "teacher", "subject", "subjects", "room", "left"),
    [
        ("salon", "Майстер", "Напрям", "Напрями", "Кабінет", "Залишок візитів від"),
        ("school", "Викладач", "Предмет", "Предмети", "Аудиторія", "Залишок занять від"),
        ("studio", "Тренер", "Напрям", "Напрями", "Зал", "Залишок занять від"),
    ],
)
def test_the_forms_of_other_apps_use_the_words(
    org, branch, kind, teacher, subject, subjects, room, left
):
    _kind(org, kind)
    with translation.override("uk"):
        group = GroupForm(organization=org)
        assert [str(group[name].label) for name in ("teacher", "subject")] == [teacher, subject]
        lesson = LessonForm(organization=org, branch=branch)
        labels = [str(lesson[name].label) for name in ("staff", "subject", "room")]
        assert labels == [teacher, subject, room]
        # memberships and invoice rules have no organization at hand: the one in scope
        assert str(PlanForm()["subjects"].label) == subjects
        rule = RuleForm()
        assert [str(rule[name].label) for name in ("subject", "lessons_min")] == [subject, left]
        assert filters_text({"lessons_min": 2}) == f"{left}: 2"


def test_the_settings_save_the_kind(org, owner, staff_client):
    url = reverse("accounts:settings")
    staff_page(staff_client, owner, "uk", "accounts:settings")
    page = staff_client.get(url).content.decode()
    assert "Вид діяльності" in page
    assert '<option value="salon">Салон краси або барбершоп</option>' in page
    data = {
        "name": org.name,
        "business_kind": "salon",
        "language": "uk",
        "time_zone": "Europe/Kyiv",
        "currency": "UAH",
    }
    assert staff_client.post(url, data).status_code == 302
    org.refresh_from_db()
    assert org.business_kind == "salon"
    page = staff_page(staff_client, owner, "uk", "catalog:subjects")
    assert "Напрями та формати" in page


def test_the_settings_refuse_an_unknown_kind(org, owner, staff_client):
    url = reverse("accounts:settings")
    data = {
        "name": org.name,
        "business_kind": "spaceport",
        "language": "uk",
        "time_zone": "Europe/Kyiv",
        "currency": "UAH",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.business_kind == "other"


def test_the_api_keeps_its_names(org, owner, branch, api):
    """The words are labels only: a salon's group still has `subject_id` and `teacher_id`."""
    _kind(org, "salon")
    Group.objects.create(organization=org, name="Майстер-клас", capacity=5, teacher=owner)
    response = api.get("/groups")
    assert response.status == 200
    body = response.json
    item = body["items"][0] if isinstance(body, dict) else body[0]
    assert {"subject_id", "teacher_id"} <= set(item)
