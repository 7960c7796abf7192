"""In a real browser: the owner changes how long an offer waits (the list shows it, the
next offer uses it); from the calendar's visit card they add a client to the waiting list
for that taken time, the form filled from the visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import click_and_load, screenshot, wait_for
from tests.factories_payments import make_client
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope
from zapys.schedule import services as schedule
from zapys.waitlist.models import Entry, Offer

pytestmark = [pytest.mark.browser]


def test_offer_length_and_add_from_the_calendar(live_server, live_salon, signed_in):
    org, service, taken = live_salon.org, live_salon.service, live_salon.taken
    with org_scope(org):
        client = make_client(org, "Шевчук Марія")
    browser = signed_in()

    browser.get(f"{live_server.url}/waitlist/")
    shown = wait_for(browser, "[data-testid=offer-minutes]")
    assert "15" in shown.text
    click_and_load(browser, "[data-testid=waitlist-settings-link]")
    field = wait_for(browser, "[name=offer_minutes]")
    field.clear()
    field.send_keys("2")
    click_and_load(browser, "[data-testid=save-settings]")
    error = wait_for(browser, "[data-testid=waitlist-settings] .invalid-feedback")
    assert error.text
    screenshot(browser, "waitlist-settings-error")
    field = browser.find_element(By.NAME, "offer_minutes")
    field.clear()
    field.send_keys("30")
    click_and_load(browser, "[data-testid=save-settings]")
    shown = wait_for(browser, "[data-testid=offer-minutes]")
    assert "30" in shown.text
    screenshot(browser, "waitlist-list-offer-minutes")

    day = timezone.localtime(taken.starts_at).date()
    browser.get(f"{live_server.url}/calendar/?date={day.isoformat()}")
    card_link = wait_for(browser, f"[data-visit='{taken.pk}']")
    browser.execute_script("arguments[0].click()", card_link)
    wait_for(browser, "[data-testid=visit-card] [data-testid=visit-waitlist]")
    screenshot(browser, "waitlist-visit-card-entry-point")
    click_and_load(browser, "[data-testid=visit-card] [data-testid=visit-waitlist]")
    wait_for(browser, "[data-testid=from-visit]")
    form = browser.find_element(By.CSS_SELECTOR, "[data-testid=entry-form]")

    def field(name: str):  # type: ignore[no-untyped-def]
        return form.find_element(By.NAME, name)

    assert Select(field("service")).first_selected_option.text == service.name
    assert "Мельник" in Select(field("staff")).first_selected_option.text
    assert field("date_from").get_attribute("value") == day.strftime("%d.%m.%Y")  # core.forms
    Select(field("client")).select_by_visible_text(client.name)
    screenshot(browser, "waitlist-prefilled-from-visit")
    click_and_load(browser, "[data-testid=add-entry]")
    wait_for(browser, "[data-testid=entry-row][data-status=waiting]")
    screenshot(browser, "waitlist-added-from-visit")

    with org_scope(org):
        entry = Entry.objects.get()
        assert (entry.client_id, entry.service_id, entry.staff_id) == (
            client.pk,
            service.pk,
            taken.staff_id,
        )
        schedule.visit_cancel(visit=taken, actor=Actor.system("tests"))
        offer = Offer.objects.get()
        assert offer.entry_id == entry.pk
        assert abs(offer.expires_at - offer.created_at - timedelta(minutes=30)) < timedelta(
            seconds=5
        )
