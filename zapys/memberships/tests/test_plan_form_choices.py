"""The plan form's "what it covers" lists (services, groups, subjects) are checkbox lists
like every multiple choice in the product, not a raw <select multiple>; ticking them saves
the plan's coverage. Markup in uk and en, and a Chromium run at 1366 px with a screenshot."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_schedule import make_service
from zapys.catalog.models import Group, Subject
from zapys.core.tenancy import org_scope
from zapys.memberships.models import MembershipPlan

# subjects are named by the kind of business (core/vocabulary.py): the neutral words here
LISTS = {"services": "Services", "groups": "Groups", "subjects": "Areas"}
LISTS_UK = {"services": "Послуги", "groups": "Групи", "subjects": "Напрями"}


def _catalog(org):
    services = [make_service(org, name) for name in ("Манікюр", "Стрижка")]
    subject = Subject.objects.create(organization=org, name="Танці")
    groups = [
        Group.objects.create(organization=org, name=name, subject=subject)
        for name in ("Сальса, початківці", "Бачата")
    ]
    return services, groups, subject


@pytest.mark.django_db
@pytest.mark.parametrize("language,labels", [("en", LISTS), ("uk", LISTS_UK)])
def test_the_lists_are_checkboxes(org, owner, staff_client, language, labels):
    services, groups, subject = _catalog(org)
    staff_client.cookies["django_language"] = language
    page = staff_client.get(reverse("memberships:plan_new")).content.decode()
    assert "<select multiple" not in page and 'multiple=""' not in page
    for name, label in labels.items():
        start = page.index(f'data-testid="choices-{name}"')
        fieldset = page[start : page.index("</fieldset>", start)]
        assert f'<legend class="form-label fs-6 mb-1">{label}</legend>' in fieldset
        assert 'type="checkbox"' in fieldset and "form-check-input" in fieldset
    for row in (*services, *groups, subject):
        assert f'name="{_field_of(row)}" value="{row.pk}"' in page


def _field_of(row) -> str:
    return {"Service": "services", "Group": "groups", "Subject": "subjects"}[type(row).__name__]


@pytest.mark.django_db
def test_ticked_boxes_are_what_the_plan_covers(org, owner, staff_client):
    services, groups, _subject = _catalog(org)
    response = staff_client.post(
        reverse("memberships:plan_new"),
        {
            "name": "Сальса 8",
            "price": "800",
            "validity_value": 1,
            "validity_unit": "months",
            "visits": 8,
            "kind": "permanent",
            "services": [services[1].pk],
            "groups": [groups[0].pk, groups[1].pk],
        },
    )
    assert response.status_code == 302
    plan = MembershipPlan.objects.get()
    assert list(plan.services.all()) == [services[1]]
    assert set(plan.groups.all()) == set(groups) and not plan.subjects.exists()
    # Editing shows what is covered ticked, and nothing else.
    page = staff_client.get(reverse("memberships:plan_edit", args=[plan.pk])).content.decode()
    assert f'value="{services[1].pk}" class="form-check-input" id="id_services_1" checked' in page
    assert f'value="{services[0].pk}" class="form-check-input" id="id_services_0">' in page


@pytest.fixture
def studio(transactional_db):
    org = make_org("Dance Studio")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="studio-owner", branches=[branch])
        catalog = _catalog(org)
    return user, catalog


@pytest.mark.browser
@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_plan_form_in_a_browser(browser, live_server, studio, language):
    user, (_services, groups, _subject) = studio
    user.language = language
    user.save(update_fields=["language"])
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}{reverse('memberships:plan_new')}")
    wait_for(browser, "[data-testid=plan-form]")
    assert not browser.find_elements(By.CSS_SELECTOR, "select[multiple]")
    browser.find_element(By.NAME, "name").send_keys("Bachata 4")
    browser.find_element(By.NAME, "price").send_keys("400")
    box = browser.find_element(By.CSS_SELECTOR, f"input[name=groups][value='{groups[1].pk}']")
    # "covers everything" is ticked by default: the lists are moot, greyed out
    assert not box.is_enabled()
    browser.find_element(By.NAME, "covers_everything").click()  # untick
    assert box.is_enabled()
    label = browser.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    assert label.text == "Бачата"
    label.click()  # the label ticks its box
    assert box.is_selected()
    screenshot(browser, f"membership-plan-form-{language}")
    click_and_load(browser, "[data-testid=save-plan]")
    wait_for(browser, "[data-testid=nav]")
    with org_scope(user.organization):
        plan = MembershipPlan.objects.get(name="Bachata 4")
        assert list(plan.groups.all()) == [groups[1]] and not plan.services.exists()
