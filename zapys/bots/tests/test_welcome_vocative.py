"""The bot's welcome greets in the vocative in Ukrainian (issue 17): «Вітаємо, Оксано!»;
in English by the first name as it is. It answers in the organization's language
(`bots.services` overrides it around each update)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories_clients import make_client
from zapys.bots.services import _welcome


@pytest.mark.parametrize(
    ("language", "greeting"), [("uk", "Вітаємо, Оксано! "), ("en", "Hello, Оксана! ")]
)
def test_the_welcome_greets_in_the_vocative_in_ukrainian(org, language, greeting):
    client = make_client(org, "Марченко Оксана")
    with translation.override(language):
        assert _welcome(client).text.startswith(greeting)
