"""Rows the system seeds per organization (visit statuses, finance categories, payment
types, cancellation-policy presets) speak the page's language until the organization
renames them; a renamed row shows what the organization typed (issue 17)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from zapys.core.system_names import shown_name
from zapys.ledger.models import FinanceArticle, PaymentType
from zapys.ledger.services import finance_article_for, payment_type_for
from zapys.prepayments.models import CancellationPolicy
from zapys.prepayments.services.policies import policy_presets_ensure
from zapys.schedule.models import VisitStatus
from zapys.schedule.services import visit_statuses_ensure


def _page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_shown_name_follows_the_page_language_only_for_a_default() -> None:
    with translation.override("en"):
        assert shown_name("Записано", "Booked") == "Booked"
        assert shown_name("Booked", "Booked") == "Booked"
        assert shown_name("Записано на манікюр", "Booked") == "Записано на манікюр"
        assert shown_name("Записано", None) == "Записано"
    with translation.override("uk"):
        assert shown_name("Booked", "Booked") == "Записано"
        assert shown_name("Записано", "Booked") == "Записано"
        assert shown_name("VIP", "Booked") == "VIP"


def test_an_old_wording_passed_as_also_is_still_a_default() -> None:
    """The Ukrainian default was "Записаний" before the gender-neutral "Записано": a row
    stored with it is unrenamed, but only where the seeding code names it as an old one."""
    with translation.override("en"):
        assert shown_name("Записаний", "Booked", ("Записаний",)) == "Booked"
        assert shown_name("Записаний", "Booked") == "Записаний"  # no alias: data as typed
    with translation.override("uk"):
        assert shown_name("Записаний", "Booked", ("Записаний",)) == "Записано"


@pytest.fixture
def seeded(org, branch):
    """An organization created in Ukrainian: its seeded names are stored in Ukrainian."""
    org.language = "uk"
    org.save(update_fields=["language"])
    statuses = visit_statuses_ensure(organization=org)
    article = finance_article_for(organization=org, code="services")
    cash = payment_type_for(organization=org, branch=branch, method="cash")
    policy_presets_ensure(org)
    return statuses, article, cash


def test_seeded_rows_are_stored_in_the_organization_language(seeded) -> None:
    statuses, article, cash = seeded
    assert statuses["booked"].name == "Записано"
    assert statuses["came"].name == "Відвідано"
    assert statuses["no_show"].name == "Неявка"
    assert article.name == "Послуги"
    assert cash.name == "Готівка"
    with translation.override("en"):
        assert statuses["booked"].display_name == "Booked"
        assert str(statuses["no_show"]) == "No-show"
        assert article.display_name == "Services"
        assert cash.display_name == "Cash"
        policy = CancellationPolicy.objects.get(preset="moderate")
        assert policy.name != "Moderate" and policy.display_name == "Moderate"
    with translation.override("uk"):
        assert statuses["booked"].display_name == "Записано"
        assert article.display_name == "Послуги"


#: The Ukrainian defaults before and after they became gender-neutral, by status code.
_OLD_AND_NEW = {
    "booked": ("Записаний", "Записано", "Booked"),
    "came": ("Прийшов", "Відвідано", "Attended"),
    "no_show": ("Не прийшов", "Неявка", "No-show"),
}


def test_rows_stored_with_the_old_gendered_names_are_still_defaults(seeded) -> None:
    """Organizations seeded before the rewording keep "Записаний" in the database: the
    rows are unrenamed, so they show today's words in both languages."""
    statuses, _article, _cash = seeded
    for code, (old, _new, _en) in _OLD_AND_NEW.items():
        VisitStatus.objects.filter(pk=statuses[code].pk).update(name=old)
    for code, (old, new, en) in _OLD_AND_NEW.items():
        row = VisitStatus.objects.get(pk=statuses[code].pk)
        assert row.name == old
        with translation.override("uk"):
            assert row.display_name == new
        with translation.override("en"):
            assert row.display_name == en


def test_the_migration_rewords_only_unrenamed_ukrainian_defaults(seeded, org) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "zapys.schedule.migrations.0007_gender_neutral_status_names"
    )
    statuses, _article, _cash = seeded
    for code, (old, _new, _en) in _OLD_AND_NEW.items():
        VisitStatus.objects.filter(pk=statuses[code].pk).update(name=old)
    # A row named by the organization, and a default stored in English: both stay.
    own = VisitStatus.objects.create(organization=org, code="own", name="Прийшов")
    VisitStatus.objects.filter(pk=statuses["confirmed"].pk).update(name="Confirmed")
    migration.rename(apps, None)
    for code, (_old, new, _en) in _OLD_AND_NEW.items():
        assert VisitStatus.objects.get(pk=statuses[code].pk).name == new
    assert VisitStatus.objects.get(pk=own.pk).name == "Прийшов"
    assert VisitStatus.objects.get(pk=statuses["confirmed"].pk).name == "Confirmed"
    migration.rename_back(apps, None)
    for code, (old, _new, _en) in _OLD_AND_NEW.items():
        assert VisitStatus.objects.get(pk=statuses[code].pk).name == old


def test_a_renamed_row_shows_what_the_organization_typed(seeded) -> None:
    statuses, article, cash = seeded
    VisitStatus.objects.filter(pk=statuses["came"].pk).update(name="Прийшла, все добре")
    FinanceArticle.objects.filter(pk=article.pk).update(name="Послуги салону")
    PaymentType.objects.filter(pk=cash.pk).update(name="Каса №1")
    with translation.override("en"):
        assert VisitStatus.objects.get(pk=statuses["came"].pk).display_name == "Прийшла, все добре"
        assert FinanceArticle.objects.get(pk=article.pk).display_name == "Послуги салону"
        assert PaymentType.objects.get(pk=cash.pk).display_name == "Каса №1"


def test_a_custom_row_with_a_default_word_stays_as_typed(seeded, org) -> None:
    """Only a row with the system code is translated: a category the business created
    itself called "Послуги" has no code and is its data."""
    own = FinanceArticle.objects.create(organization=org, kind="income", name="Послуги")
    with translation.override("en"):
        assert own.display_name == "Послуги"


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        (
            "en",
            ["Booked", "Attended", "No-show", "Cancelled: booking unpaid"],
            ["Записано", "Неявка", ">Came<"],
        ),
        (
            "uk",
            ["Записано", "Відвідано", "Неявка", "Вважається відвідуванням"],
            [">Booked<", "Записаний", "Прийшов", "прийшов"],
        ),
    ],
)
def test_the_statuses_settings_page_speaks_its_language(
    seeded, staff_client, django_assert_max_num_queries, language, shown, hidden
) -> None:
    VisitStatus.objects.filter(code="confirmed").update(name="Підтверджено SMS")
    with django_assert_max_num_queries(30):
        html = _page(staff_client, "/settings/schedule/", language)
    for text in shown:
        assert text in html
    for text in hidden:
        assert text not in html
    assert "Підтверджено SMS" in html  # the renamed one, as typed, in both languages


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_finance_settings_page_speaks_its_language(seeded, staff_client, language) -> None:
    html = _page(staff_client, "/settings/finance/", language)
    if language == "en":
        assert "Services" in html and ">Cash<" in html
        assert "Послуги" not in html and "Готівка" not in html
    else:
        assert "Послуги" in html and "Готівка" in html


def test_the_statuses_page_costs_the_same_queries_for_more_statuses(
    seeded, staff_client, org, django_assert_max_num_queries
) -> None:
    """The name needs no query: ten more statuses, the same count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        _page(staff_client, "/settings/schedule/", "en")
    VisitStatus.objects.bulk_create(
        VisitStatus(organization=org, code=f"own-{i}", name=f"Свій {i}", order=100 + i)
        for i in range(10)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        _page(staff_client, "/settings/schedule/", "en")


def test_the_booking_evidence_names_an_unrenamed_preset_in_the_page_language() -> None:
    from zapys.prepayments.models import Booking

    stored = {"policy": {"name": "Помірна", "preset": "moderate"}}
    renamed = {"policy": {"name": "Наша політика", "preset": "moderate"}}
    older = {"policy": {"name": "Помірна"}}  # snapshots taken before the preset was kept
    with translation.override("en"):
        assert Booking(terms_snapshot=stored).policy_name == "Moderate"
        assert Booking(terms_snapshot=renamed).policy_name == "Наша політика"
        assert Booking(terms_snapshot=older).policy_name == "Помірна"
    with translation.override("uk"):
        assert Booking(terms_snapshot=stored).policy_name == "Помірна"


def test_the_migration_renames_only_the_unrenamed_english_came(seeded, org) -> None:
    """An organization seeded in English before the words were unified keeps "Came": the
    migration makes it "Attended" (the attendance mark's word); an own "Came" stays."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("zapys.schedule.migrations.0008_attended_in_english")
    statuses, _article, _cash = seeded
    VisitStatus.objects.filter(pk=statuses["came"].pk).update(name="Came")
    own = VisitStatus.objects.create(organization=org, code="own", name="Came")
    untouched = {s.pk: s.name for s in VisitStatus.objects.exclude(pk__in=[statuses["came"].pk])}
    with translation.override("en"):
        assert VisitStatus.objects.get(pk=statuses["came"].pk).display_name == "Attended"
    migration.rename(apps, None)
    assert VisitStatus.objects.get(pk=statuses["came"].pk).name == "Attended"
    assert {s.pk: s.name for s in VisitStatus.objects.exclude(pk=statuses["came"].pk)} == untouched
    assert VisitStatus.objects.get(pk=own.pk).name == "Came"
    migration.rename_back(apps, None)
    assert VisitStatus.objects.get(pk=statuses["came"].pk).name == "Came"
