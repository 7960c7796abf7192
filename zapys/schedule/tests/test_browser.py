"""The calendar and the public booking page in a real browser."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser import PHONE, login, make_driver, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, make_service, make_specialist
from zapys.core.tenancy import org_scope
from zapys.schedule import services
from zapys.schedule.models import Visit

pytestmark = [pytest.mark.browser]
ALL_DAY = [(d, time(8), time(20)) for d in range(7)]


@pytest.fixture
def salon(transactional_db):
    org = make_org("Calendar Lab")
    with org_scope(org):
        branch = make_branch(org, "Center")
        owner = make_staff(org, "owner", username="cal-owner", branches=[branch])
        spec = make_specialist(org, branch, first_name="Iryna", last_name="Bondar", hours=ALL_DAY)
        svc = make_service(org, "Manicure", duration_minutes=60, branches=[branch])
        client = make_client(org, "Koval Olena")
        services.schedule_settings_update(
            organization=org, actor=SYSTEM, slot_step_minutes=60, online_min_lead_minutes=0
        )
    return org, owner, spec, svc, client


def test_create_visit_from_empty_slot(browser, live_server, salon):
    org, owner, spec, svc, client = salon
    login(browser, live_server, owner.username, PASSWORD)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    browser.get(f"{live_server.url}/calendar/?date={tomorrow}")
    wait_for(browser, "[data-testid=cal-slot]")
    slot = browser.find_element(
        By.CSS_SELECTOR, f"[data-testid=cal-slot][data-at='{tomorrow}T10:00']"
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", slot)
    slot.click()
    wait_for(browser, "[data-testid=visit-form]")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "visitModal").is_displayed())
    Select(browser.find_element(By.NAME, "client")).select_by_visible_text(client.name)
    Select(browser.find_element(By.NAME, "service")).select_by_visible_text("Manicure")
    save = browser.find_element(By.CSS_SELECTOR, "[data-testid=visit-save]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", save)
    WebDriverWait(browser, 10).until(EC.element_to_be_clickable(save)).click()
    WebDriverWait(browser, 10).until(
        lambda d: "Koval Olena" in d.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text
    )
    with org_scope(org):
        visit = Visit.objects.get()
        assert visit.staff == spec and visit.service == svc
    # the card opens from the calendar
    browser.find_element(By.CSS_SELECTOR, f"[data-visit='{visit.pk}']").click()
    wait_for(browser, "[data-testid=visit-card]")


def test_public_booking_on_a_phone_then_calendar(live_server, salon, browser):
    org, owner, _spec, _svc, _client = salon
    phone = make_driver(PHONE)
    try:
        phone.get(f"{live_server.url}/book/{org.slug}/")
        wait_for(phone, "[data-testid=service-option]").click()
        wait_for(phone, "[data-testid=staff-any]").click()
        days = phone.find_elements(By.CSS_SELECTOR, "[data-testid=day-option]")
        days[1].click()  # tomorrow: every hour is still ahead
        wait_for(phone, "[data-testid=slot-option]").click()
        wait_for(phone, "[data-testid=booking-form]")
        phone.find_element(By.NAME, "name").send_keys("Shevchuk Anna")
        phone.find_element(By.NAME, "phone").send_keys("067 555 12 34")
        phone.find_element(By.NAME, "consent").click()
        # nothing overflows sideways on a 390px screen
        assert phone.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
        phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-submit]").click()
        wait_for(phone, "[data-testid=booking-done]")
    finally:
        phone.quit()
    with org_scope(org):
        visit = Visit.objects.get()
        assert visit.source == "online" and visit.client.phone == "+380675551234"
    login(browser, live_server, owner.username, PASSWORD)
    browser.get(
        f"{live_server.url}/calendar/?date={visit.starts_at.astimezone(services.org_tz(org)).date()}"
    )
    wait_for(browser, f"[data-visit='{visit.pk}']")
    assert "Shevchuk Anna" in browser.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text
