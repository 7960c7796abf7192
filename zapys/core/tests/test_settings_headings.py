"""Each settings page is headed by its section's name, «Передоплата» / "Prepayment" (every
page said «Налаштування», and the browser's tabs could not be told apart): the menu beside it
marks the same section, the browser title names it too."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import translation

from tests.pages import staff_page
from zapys.core.settings_tabs import settings_section, settings_tabs

pytestmark = pytest.mark.django_db


def _h1(page: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert found, "no h1"
    # the working hours name their branch after the section: «Робочі години · Main»
    return html.unescape(re.sub(r"<small.*?</small>|<[^>]+>", "", found.group(1))).strip()


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, re.S)
    assert found
    return html.unescape(found.group(1)).strip()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_every_settings_page_is_headed_and_titled_by_its_section(staff_client, owner, language):
    with translation.override(language):
        tabs = [(t["key"], t["url"], str(t["label"])) for t in settings_tabs()]
    assert len(tabs) >= 10
    owner.language = language
    owner.save(update_fields=["language"])
    for key, url, label in tabs:
        page = staff_client.get(url).content.decode()
        assert _h1(page) == label, (url, _h1(page))
        assert _title(page).startswith(f"{label} · "), (url, _title(page))
        active = re.findall(
            r'class="nav-link text-nowrap active"[^>]*data-testid="settings-tab-(\w+)"', page
        )
        assert active == [key], url
        assert ">Налаштування</h1>" not in page and ">Settings</h1>" not in page


def test_a_page_under_a_section_is_headed_by_it_too(staff_client, owner, branch):
    # a branch's page is one of the staff and branches' pages (the tab's `also_under`)
    for language, label in (("uk", "Персонал і філії"), ("en", "Staff and branches")):
        page = staff_page(staff_client, owner, language, "accounts:branch_edit", branch.pk)
        assert _h1(page) == label


def test_no_section_off_the_settings():
    assert settings_section("/clients/") is None
    with translation.override("uk"):
        assert str(settings_section("/settings/branches/3/")) == "Персонал і філії"
