"""A client's status has no gender on the pages («Відвідує», «Не відвідує», «Потенційний
клієнт»: the badge stands next to a woman's name as well as a man's, issue 17; not the
jargon «Лід», fifth tour), and an import file may say the status the way the pages do, in
either language, as well as the older words."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.clients.import_plan import STATUS_WORDS
from zapys.clients.models import Client


@pytest.mark.parametrize("language", ["uk", "en"])
def test_an_import_accepts_the_status_as_the_pages_say_it(language):
    with translation.override(language):
        for value, label in Client.Status.choices:
            assert STATUS_WORDS[str(label).lower()] == value


def test_the_ukrainian_statuses_are_not_masculine_adjectives():
    with translation.override("uk"):
        labels = {str(label) for _value, label in Client.Status.choices}
    assert labels == {"Відвідує", "Не відвідує", "Потенційний клієнт"}
    assert STATUS_WORDS["неактивний"] == Client.Status.INACTIVE  # files made before
    assert STATUS_WORDS["лід"] == Client.Status.LEAD


@pytest.mark.parametrize(
    ("language", "none_deleted", "none_found"),
    [
        ("uk", "Видалених клієнтів немає.", "Клієнтів не знайдено."),
        ("en", "No deleted clients.", "No clients found."),
    ],
)
def test_the_deleted_list_says_there_are_none_unless_a_search_found_none(
    staff_client, owner, org, language, none_deleted, none_found
):
    """An untouched page of deleted clients said «Клієнтів не знайдено.», as if a search
    had failed; a search that finds nothing still says so."""
    from django.urls import reverse

    from tests.factories_messaging import make_client
    from tests.pages import staff_page

    make_client(org, "Марченко Оксана")  # alive: not on the deleted list
    page = staff_page(staff_client, owner, language, "clients:deleted")
    assert f'data-testid="clients-empty">{none_deleted}<' in page
    searched = staff_client.get(reverse("clients:deleted"), {"q": "Марченко"}).content.decode()
    assert f'data-testid="clients-empty">{none_found}<' in searched
