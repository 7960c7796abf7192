"""The owner and the administrators are told, in words, when the links clients get point at
this computer (a local run's `http://127.0.0.1:8000/pay/…`, which every reviewer of the demo
read as broken), and who sets the address; nobody is told once Zapys has an address on the
internet, and specialists never are."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_staff
from zapys.core.views import public_url_is_local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:9000", True),
        ("http://[::1]:8000", True),
        ("https://salon.zapys.ua", False),
        ("http://192.168.1.20:8000", False),  # a salon's own LAN: its phones reach it
    ],
)
def test_which_addresses_are_this_computer(settings, url, local):
    settings.ZAPYS_PUBLIC_URL = url
    assert public_url_is_local() is local


def _dashboard(client: Client, user, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "ведуть на http://127.0.0.1:8000, тож телефон клієнта їх не відкриє"),
        ("en", "lead to http://127.0.0.1:8000, so a client's phone cannot open them"),
    ],
)
def test_the_owner_of_a_local_run_is_told_in_words(settings, client, owner, language, words):
    settings.ZAPYS_PUBLIC_URL = "http://127.0.0.1:8000"
    html = _dashboard(client, owner, language)
    assert 'data-testid="public-url-local"' in html
    assert words in html.replace("&#x27;", "'")
    assert "ZAPYS_PUBLIC_URL" not in html  # a setting's name means nothing to a salon
    # what to do and who does it, not how Zapys runs
    who = {"uk": "попросіть того, хто встановлював Zapys", "en": "ask whoever installed Zapys"}
    assert who[language] in html
    for developer_words in ("локально", "locally", "this computer", "цього комп"):
        assert developer_words not in html.replace("&#x27;", "'")


def test_nobody_is_told_on_a_server_nor_other_roles(settings, client, owner, org, branch):
    settings.ZAPYS_PUBLIC_URL = "https://salon.zapys.ua"
    assert 'data-testid="public-url-local"' not in _dashboard(client, owner, "uk")
    settings.ZAPYS_PUBLIC_URL = "http://127.0.0.1:8000"
    specialist = make_staff(org, "specialist", branches=[branch])
    assert 'data-testid="public-url-local"' not in _dashboard(Client(), specialist, "uk")


def test_the_administrator_is_told_too(settings, client, org, branch):
    settings.ZAPYS_PUBLIC_URL = "http://127.0.0.1:8000"
    admin = make_staff(org, "administrator", branches=[branch])
    assert 'data-testid="public-url-local"' in _dashboard(client, admin, "uk")
