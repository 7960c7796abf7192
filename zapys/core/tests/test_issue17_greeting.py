"""The dashboard greets the signed-in person in the vocative on a Ukrainian page
(«Вітаємо, Зоряно!», not «Вітаємо, Зоряна!»); English keeps the name (issue 17)."""

from __future__ import annotations

import pytest

from tests.pages import staff_page


@pytest.mark.parametrize(
    ("language", "first_name", "title"),
    [
        ("uk", "Зоряна", "Вітаємо, Зоряно!"),
        ("uk", "Андрій", "Вітаємо, Андрію!"),
        ("uk", "Olena", "Вітаємо, Olena!"),  # not sure of it: as written
        ("en", "Зоряна", "Hello, Зоряна!"),
    ],
)
def test_the_dashboard_greets_in_the_vocative(staff_client, owner, language, first_name, title):
    owner.first_name = first_name
    owner.save(update_fields=["first_name"])
    page = staff_page(staff_client, owner, language, "core:dashboard")
    assert f'data-testid="dashboard-title">{title}</h1>' in page
