"""A staff page read in a language: the staff member's own setting decides it (as it does
for a signed-in user), so a test reads the same page as each reader would."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def staff_page(staff_client: Any, owner: Any, language: str, name: str, *args: Any) -> str:
    owner.language = language
    owner.save(update_fields=["language"])
    response = staff_client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()
