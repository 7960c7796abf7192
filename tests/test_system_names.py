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
        assert shown_name("Записаний", "Booked") == "Booked"
        assert shown_name("Booked", "Booked") == "Booked"
        assert shown_name("Записаний на манікюр", "Booked") == "Записаний на манікюр"
        assert shown_name("Записаний", None) == "Записаний"
    with translation.override("uk"):
        assert shown_name("Booked", "Booked") == "Записаний"
        assert shown_name("Записаний", "Booked") == "Записаний"
        assert shown_name("VIP", "Booked") == "VIP"


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
    assert statuses["booked"].name == "Записаний"
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
        assert statuses["booked"].display_name == "Записаний"
        assert article.display_name == "Послуги"


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
        ("en", ["Booked", "No-show", "Cancelled: booking unpaid"], ["Записаний", "Не прийшов"]),
        ("uk", ["Записаний"], [">Booked<"]),
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
