"""The waiting list as people use it, in a real browser: staff put a client on the list
from the client card; a visit is cancelled; the offer message is in the outbox; the client
opens the offer link on a phone, pays on the sandbox card form, and the time is theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import as_phone, assert_fits_the_width, click_and_load, screenshot, wait_for
from tests.factories_payments import make_client
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.waitlist.models import Entry, Offer

pytestmark = [pytest.mark.browser]


def test_waiting_client_gets_the_freed_slot_and_pays(live_server, live_salon, signed_in):
    org, service, taken = live_salon.org, live_salon.service, live_salon.taken
    with org_scope(org):
        client = make_client(org, "Шевчук Марія")
    browser = signed_in()
    browser.get(f"{live_server.url}/clients/{client.pk}/waitlist/")
    Select(browser.find_element(By.NAME, "service")).select_by_visible_text(service.name)
    day = timezone.localtime(taken.starts_at).date()
    for name, value in (("date_from", day), ("date_to", day + timedelta(days=1))):
        field = browser.find_element(By.NAME, name)
        browser.execute_script("arguments[0].value = arguments[1]", field, value.isoformat())
    click_and_load(browser, "[data-testid=add-entry]")
    wait_for(browser, "[data-testid=entry-row][data-status=waiting]")
    screenshot(browser, "waitlist-client-card")

    with org_scope(org):  # the booked client cancels: the time is freed
        schedule.visit_cancel(visit=taken, actor=Actor.system("tests"))
        offer = Offer.objects.get()
        message = Message.objects.get(client=client, event="waitlist.offer")
    browser.get(f"{live_server.url}/messages/")
    row = wait_for(browser, f"[data-message-id='{message.pk}'] [data-testid=message-text]")
    assert offer.offer_url in row.text
    browser.get(f"{live_server.url}/waitlist/")
    wait_for(browser, "[data-testid=entry-row][data-status=offered]")
    screenshot(browser, "waitlist-list-offered")

    as_phone(browser)
    browser.get(offer.offer_url)  # the client opens the link from the message
    page = wait_for(browser, "[data-testid=offer-page][data-status=open]")
    assert "450" in page.find_element(By.CSS_SELECTOR, "[data-testid=offer-amount]").text
    assert_fits_the_width(browser)
    screenshot(browser, "waitlist-offer-phone")
    click_and_load(browser, "[data-testid=offer-pay]")
    click_and_load(browser, "[data-testid=pay-button]")
    wait_for(browser, "[data-testid=sandbox-pay]")
    browser.find_element(By.NAME, "card_number").send_keys("4242 4242 4242 4242")
    click_and_load(browser, "[data-testid=sandbox-pay]")
    wait_for(browser, "[data-testid=sandbox-confirm]")
    browser.find_element(By.NAME, "code").send_keys("1234")
    click_and_load(browser, "[data-testid=sandbox-confirm]")
    wait_for(browser, "[data-testid=offer-page][data-status=booked]", timeout=30)
    assert_fits_the_width(browser)
    screenshot(browser, "waitlist-offer-booked")

    with org_scope(org):
        offer.refresh_from_db()
        visit = Visit.objects.get(pk=offer.visit_id)
        assert (visit.client_id, visit.starts_at, visit.blocks_time) == (
            client.pk,
            taken.starts_at,
            True,
        )
        assert Entry.objects.get().status == "booked"
        assert client_balance(client) == service.price
        assert Message.objects.filter(client=client, event="waitlist.booked").exists()
