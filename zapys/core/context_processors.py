"""Everything the staff shell (base.html) needs on every page."""

from __future__ import annotations

from django.http import HttpRequest

from zapys.accounts.selectors import accessible_branches, current_branch
from zapys.core.navigation import navigation_for, section_tabs
from zapys.core.settings_tabs import settings_menu, settings_section
from zapys.core.vocabulary import words_for


def shell(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organization_id is None:
        return {}

    branches = accessible_branches(user)
    nav_items = navigation_for(user.role, request.path)
    return {
        "organization": user.organization,
        "nav_items": nav_items,
        "section_tabs": section_tabs(nav_items),
        # The settings are the owner's: their pages show the settings menu beside the page.
        "settings_menu": settings_menu(request.path) if user.role == "owner" else [],
        # A settings page's heading and title: its section's name («Передоплата»).
        "settings_section": settings_section(request.path),
        "shell_branches": branches,
        "current_branch": current_branch(request, branches),
        # The kind of business's nouns (core/vocabulary.py): the organization is loaded.
        "words": words_for(user.organization),
    }
