"""Structured client names (issue 17): parts, the display name kept from them, greetings,
search by the parts in any order, and the Ukrainian sort order of lists."""

import pytest
from django.db import connection
from django.utils import translation

from tests.factories_clients import make_client
from zapys.clients import selectors
from zapys.clients.models import Client
from zapys.clients.names import display_name, split_name
from zapys.clients.services import client_create, client_update
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.messaging.rendering import render_template


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Олена Тест", ("Тест", "Олена", "")),  # a first name written first, as clients do
        ("Тестова Клієнтка", ("Тестова", "Клієнтка", "")),  # the staff order otherwise
        ("Кравець Андрій", ("Кравець", "Андрій", "")),
        ("Кравець Андрій Петрович", ("Кравець", "Андрій", "Петрович")),
        ("Олена Петрівна Коваль", ("Коваль", "Олена", "Петрівна")),
        ("Мадонна", ("", "Мадонна", "")),
        ("", ("", "", "")),
    ],
)
def test_a_name_on_one_line_is_split_into_parts(typed, parts):
    assert tuple(split_name(typed)) == parts


def test_parts_make_the_display_name_in_ukrainian_order(org, actor):
    client = client_create(
        organization=org,
        actor=actor,
        first_name=" Андрій ",
        last_name="Кравець",
        middle_name="Петрович",
        phone="0671234567",
    )
    client.refresh_from_db()
    assert client.name == display_name("Кравець", "Андрій", "Петрович")
    assert client.name == "Кравець Андрій Петрович"
    assert client.first_name == "Андрій"
    assert "андрій" in client.search_text


def test_a_one_line_name_from_the_api_or_an_import_gets_parts(org, actor):
    client = client_create(organization=org, actor=actor, name="Олена Тест", phone="0671234567")
    assert (client.last_name, client.first_name, client.name) == ("Тест", "Олена", "Олена Тест")


def test_changing_a_part_changes_the_display_name_and_is_audited(org, actor):
    client = make_client(org, "Кравець Андрій")
    client_update(client=client, actor=actor, first_name="Ірина")
    client.refresh_from_db()
    assert (client.name, client.last_name, client.first_name) == (
        "Кравець Ірина",
        "Кравець",
        "Ірина",
    )
    changes = AuditLog.objects.filter(action="client.update").latest("id").changes
    assert changes["first_name"] == ["Андрій", "Ірина"]
    assert changes["name"] == ["Кравець Андрій", "Кравець Ірина"]


def test_a_person_without_first_or_last_name_is_refused_and_nothing_changes(org, actor):
    client = make_client(org, "Кравець Андрій")
    before = list(Client.objects.values())
    with pytest.raises(DomainError) as caught:
        client_update(client=client, actor=actor, first_name="", last_name="")
    assert caught.value.errors[0]["field"] == "first_name"
    assert list(Client.objects.values()) == before


def test_a_legal_entity_has_only_its_name(org, actor):
    client = client_create(
        organization=org, actor=actor, name="ТОВ Ромашка", client_type="legal_entity"
    )
    assert (client.name, client.first_name, client.last_name) == ("ТОВ Ромашка", "", "")
    # a company is not greeted by its name («ТОВ Ромашка, добрий день» read like a form
    # letter): the greeting is neutral, in the message's language (messaging.rendering)
    with translation.override("uk"):
        assert render_template("{first_name}, ваш візит завтра", {"client": client}) == (
            "Вітаємо! Ваш візит завтра"
        )


def test_messages_greet_by_the_first_name(org, actor):
    client = make_client(org, "Олена Тест")
    allowed = ["client.first_name"]
    assert render_template("{first_name}, чекаємо", {"client": client}, allowed=allowed) == (
        "Олена, чекаємо"
    )
    assert render_template("{client.first_name}!", {"client": client}, allowed=allowed) == (
        "Олена!"
    )
    # Not allowed where client.first_name is not: the placeholder stays as written.
    assert render_template("{first_name}", {"client": client}, allowed=[]) == "{first_name}"
    # A flat variable of that name (an event's own) wins over the alias.
    assert render_template("{first_name}", {"first_name": "X"}) == "X"


def test_search_finds_the_parts_in_any_order(org):
    make_client(org, "Кравець Андрій")
    make_client(org, "Кравець Ірина")
    make_client(org, "Андрієнко Олег")
    found = [c.name for c in selectors.client_list(search="Андрій Кравець")]
    assert found == ["Кравець Андрій"]
    assert [c.name for c in selectors.client_list(search="кравець")] == [
        "Кравець Андрій",
        "Кравець Ірина",
    ]


def test_lists_sort_the_ukrainian_way(org):
    for name in [
        "Яковенко Іванна",
        "Кравець Ірина",
        "Кравець Андрій",
        "Яблунська Єва",
        "Ґава Юрій",
        "Аврамчук Олег",
        "Єрмак Іра",
    ]:
        make_client(org, name)
    names = [c.name for c in selectors.client_list()]
    assert names == [
        "Аврамчук Олег",
        "Ґава Юрій",
        "Єрмак Іра",
        "Кравець Андрій",
        "Кравець Ірина",
        "Яблунська Єва",
        "Яковенко Іванна",
    ], connection.vendor


def test_a_long_one_word_name_keeps_its_parts_within_their_columns(org, actor):
    client = client_create(organization=org, actor=actor, name="Я" * 150, phone="0671234567")
    client.refresh_from_db()
    assert client.name == "Я" * 150 and client.first_name == "Я" * 100
