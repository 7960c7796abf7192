"""The client form in a real browser: the form of address sits under the first name with
the rule's suggestion, hidden for a company, and a staff correction is saved (issue 17)."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.clients.models import Client
from zapys.clients.services import client_create
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


def test_the_form_of_address_under_the_first_name(browser, live_server, transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        user = make_staff(org, "owner", username="lab-owner", branches=[make_branch(org, "Podil")])
        client = client_create(
            organization=org,
            actor=Actor.system("tests"),
            last_name="Марченко",
            first_name="Оксана",
            phone="+380671112233",
        )
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/{client.pk}/edit/")
    field = wait_for(browser, "[data-testid=client-vocative]")
    assert "Якщо не заповнено — у повідомленнях українською «Оксано»." in field.text
    first = browser.find_element(By.NAME, "first_name")
    last = browser.find_element(By.NAME, "last_name")
    vocative = browser.find_element(By.NAME, "first_name_vocative")
    # below the names, opening the next row (alone under the first name it left empty thirds)
    assert vocative.location["x"] == last.location["x"]
    assert vocative.location["y"] > first.location["y"]
    screenshot(browser, "client-form-vocative")
    vocative.send_keys("Ксано")
    save = browser.find_element(By.CSS_SELECTOR, "[data-testid=client-save]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", save)
    click_and_load(browser, "[data-testid=client-save]")
    with org_scope(org):
        assert Client.objects.get(pk=client.pk).first_name_vocative == "Ксано"
    # a company has one name and no form of address
    browser.get(f"{live_server.url}/clients/new/")
    kind = wait_for(browser, "[name=client_type]")
    browser.execute_script(
        "arguments[0].value = 'legal_entity'; arguments[0].dispatchEvent(new Event('change'));",
        kind,
    )
    assert not browser.find_element(By.NAME, "first_name_vocative").is_displayed()
