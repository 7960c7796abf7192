"""One rule for the placeholders of every text staff type (`placeholders_error`): the template
editor's, and since 2026-12-05 the invoices' texts and broadcasts' too. A name the renderer
would leave as written is named in words; an alias counts as the path it stands for."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.core.exceptions import DomainError
from zapys.messaging.rendering import render_template, unknown_placeholders
from zapys.messaging.services import check_placeholders, placeholders_error

ALLOWED = ["client.first_name", "visit.starts_at"]


def test_unknown_names_in_order_once_each_aliases_known():
    text = "{first_name} {{ foo }} {visit.starts_at} {bar} {foo} {client.phone}"
    assert unknown_placeholders(text, ALLOWED) == ["foo", "bar", "client.phone"]
    # what the renderer keeps as written is exactly what is refused
    rendered = render_template(text, {"client": {"first_name": "A"}}, allowed=ALLOWED)
    assert "{{ foo }}" in rendered and "{bar}" in rendered and "{client.phone}" in rendered
    assert "{first_name}" not in rendered
    assert unknown_placeholders("{first_name}", ["visit.starts_at"]) == ["first_name"]


def test_the_error_names_them_in_words_in_each_language():
    with translation.override("uk"):
        assert placeholders_error("{visit_time} {foo}", ALLOWED) == (
            "Невідомі змінні: {visit_time}, {foo}. Використовуйте змінні зі списку біля редактора."
        )
    with translation.override("en"):
        assert placeholders_error("{visit_time}", ALLOWED) == (
            "Unknown variables: {visit_time}. Use the variables listed next to the editor."
        )
    assert placeholders_error("Hi {first_name}, {visit.starts_at}", ALLOWED) is None
    assert placeholders_error("", ALLOWED) is None


def test_the_service_check_is_a_422_on_the_field():
    with pytest.raises(DomainError) as refused:
        check_placeholders("{foo}", ALLOWED, field="template")
    assert refused.value.status == 422
    assert [e["field"] for e in refused.value.errors] == ["template"]
    check_placeholders("{client.first_name}", ALLOWED, field="template")
