"""The calendar and the public booking page in a real browser."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.browser import (
    DESKTOP,
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    make_driver,
    patient,
    screenshot,
    wait_for,
    wait_text,
)
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, make_service, make_specialist
from zapys.catalog.services import service_update
from zapys.clients.models import Client
from zapys.core.tenancy import org_scope, organization_zone
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
        for i in range(30):  # the picker must find her among others, not list them all
            make_client(org, f"Other Client {i:02d}")
        services.schedule_settings_update(
            organization=org, actor=SYSTEM, slot_step_minutes=60, online_min_lead_minutes=0
        )
    return org, owner, spec, svc, client


def _click(browser, element) -> None:
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    patient(browser).until(EC.element_to_be_clickable(element)).click()


def _open_new_visit(browser, day: str, at: str) -> None:
    slot = browser.find_element(By.CSS_SELECTOR, f"[data-testid=cal-slot][data-at='{day}T{at}']")
    _click(browser, slot)
    wait_for(browser, "[data-testid=visit-form]")
    patient(browser).until(lambda d: d.find_element(By.ID, "visitModal").is_displayed())
    patient(browser).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").is_displayed()
    )


def _save_visit(browser) -> None:
    _click(browser, browser.find_element(By.CSS_SELECTOR, "[data-testid=visit-save]"))


def test_create_visit_from_empty_slot(browser, live_server, salon):
    org, owner, spec, svc, client = salon
    login(browser, live_server, owner.username, PASSWORD)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    browser.get(f"{live_server.url}/calendar/?date={tomorrow}")
    wait_for(browser, "[data-testid=cal-slot]")
    _open_new_visit(browser, tomorrow, "10:00")
    # no list of every client: the picker searches as you type
    assert not browser.find_elements(By.CSS_SELECTOR, "select[name=client]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-option]")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").send_keys("koval")
    option = wait_for(browser, "[data-testid=client-option]")
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-option]")) == 1
    assert "Koval Olena" in option.text
    option.click()
    wait_text(browser, "[data-testid=client-chosen]", "Koval Olena")
    assert browser.find_element(By.NAME, "client").get_attribute("value") == str(client.pk)
    Select(browser.find_element(By.NAME, "service")).select_by_visible_text("Manicure")
    _save_visit(browser)
    patient(browser).until(
        lambda d: "Koval Olena" in d.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text
    )
    with org_scope(org):
        visit = Visit.objects.get()
        assert visit.staff == spec and visit.service == svc and visit.client == client
    # the card opens from the calendar
    _click(browser, browser.find_element(By.CSS_SELECTOR, f"[data-visit='{visit.pk}']"))
    wait_for(browser, "[data-testid=visit-card]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=visit-in-past]")
    # the card's checkout panel loads after it (htmx): close once the modal has settled
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#visitModal .btn-close"))
    patient(browser).until(lambda d: not d.find_element(By.ID, "visitModal").is_displayed())

    # a new client, right from the search: the typed name becomes the new card
    _open_new_visit(browser, tomorrow, "12:00")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").send_keys("Melnyk Taras")
    new = patient(browser).until(
        lambda d: next(
            (
                e
                for e in d.find_elements(By.CSS_SELECTOR, "[data-testid=client-new-from-search]")
                if e.get_attribute("data-name") == "Melnyk Taras"
            ),
            None,
        )
    )
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-none]")
    new.click()
    name = browser.find_element(By.NAME, "new_client_name")
    assert name.is_displayed() and name.get_attribute("value") == "Melnyk Taras"
    assert not browser.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").is_displayed()
    browser.find_element(By.NAME, "new_client_phone").send_keys("050 123 45 67")
    Select(browser.find_element(By.NAME, "service")).select_by_visible_text("Manicure")
    _save_visit(browser)
    patient(browser).until(
        lambda d: "Melnyk Taras" in d.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text
    )
    with org_scope(org):
        new = Client.objects.get(name="Melnyk Taras")
        assert new.phone == "+380501234567"
        assert Visit.objects.get(client=new).starts_at.astimezone(organization_zone(org)).hour == 12


def test_visit_in_the_past_warns_when_created_and_on_its_card(browser, live_server, salon):
    org, owner, _spec, _svc, client = salon
    login(browser, live_server, owner.username, PASSWORD)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    browser.get(f"{live_server.url}/calendar/?date={yesterday}")
    wait_for(browser, "[data-testid=cal-slot]")
    _open_new_visit(browser, yesterday, "10:00")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").send_keys("koval")
    wait_for(browser, "[data-testid=client-option]").click()
    Select(browser.find_element(By.NAME, "service")).select_by_visible_text("Manicure")
    _save_visit(browser)
    # the dialog turns into the new visit's card, saying it is in the past
    message = wait_for(browser, "#modal-content [data-testid=visit-message]")
    assert "10:00" in message.text
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=visit-in-past]").is_displayed()
    assert browser.find_element(By.ID, "visitModal").is_displayed()
    patient(browser).until(
        lambda d: "Koval Olena" in d.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text
    )
    with org_scope(org):
        assert Visit.objects.get().client == client


def test_short_visits_and_the_week_fit_a_1366_screen(browser, live_server, salon):
    org, owner, spec, _svc, client = salon
    with org_scope(org):
        tz = organization_zone(org)
        brows = make_service(org, "Brows", duration_minutes=30)
        tomorrow = timezone.now().astimezone(tz).date() + timedelta(days=1)
        monday = tomorrow - timedelta(days=tomorrow.weekday())
        long_names = ["Kovalenko-Shevchenko Oleksandra", "TOV «Sonyachna studiya krasy»"]
        for day in range(7):  # a full week of visits with long names in every cell
            for hour, name in zip((9, 11), long_names, strict=True):
                services.visit_create(
                    organization=org,
                    client=make_client(org, f"{name} {day}"),
                    staff=spec,
                    service=brows,
                    starts_at=datetime.combine(monday + timedelta(days=day), time(hour), tz),
                    actor=SYSTEM,
                )
        short = services.visit_create(
            organization=org,
            client=client,
            staff=spec,
            service=brows,
            starts_at=datetime.combine(tomorrow, time(14), tz),
            actor=SYSTEM,
        )
    login(browser, live_server, owner.username, PASSWORD)
    assert browser.execute_script("return window.innerWidth") == 1366

    # a 30-minute visit shows its client next to the time, inside the card
    browser.get(f"{live_server.url}/calendar/?date={tomorrow.isoformat()}")
    card = wait_for(browser, f"[data-visit='{short.pk}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", card)
    who = card.find_element(By.CSS_SELECTOR, "[data-testid=cal-visit-who]")
    assert who.is_displayed() and who.text == "Koval Olena"
    inside = browser.execute_script(
        "var c = arguments[0].getBoundingClientRect(), w = arguments[1].getBoundingClientRect();"
        "return w.top >= c.top - 1 && w.bottom <= c.bottom + 1 && w.width > 40;",
        card,
        who,
    )
    assert inside

    # the week: seven days side by side, nothing scrolls sideways
    browser.get(f"{live_server.url}/calendar/?date={tomorrow.isoformat()}&view=week")
    table = wait_for(browser, "[data-testid=cal-week]")
    fits = browser.execute_script(
        "var t = arguments[0], box = t.parentElement.getBoundingClientRect();"
        "var days = t.querySelectorAll('[data-testid=cal-week-day]');"
        "return [t.parentElement.scrollWidth <= t.parentElement.clientWidth + 1,"
        " days.length, days[6].getBoundingClientRect().right <= box.right + 1,"
        " document.documentElement.scrollWidth <= window.innerWidth + 1];",
        table,
    )
    assert fits == [True, 7, True, True]
    names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid=cal-visit-who]")]
    assert len(names) == 15 and "Koval Olena" in names
    assert all(n for n in names)  # every card shows its client


def _go(driver, target) -> None:
    """Click a link or button that loads a new page (scrolled into view), and wait for it."""
    click_and_load(driver, target)


def _book_on_phone(phone, live_server, org, *, day: int, shots: str = "") -> None:
    phone.get(f"{live_server.url}/book/{org.slug}/")
    _go(phone, "[data-testid=service-option]")
    _go(phone, "[data-testid=staff-any]")
    _go(phone, ("[data-testid=day-option]", day))
    _go(phone, "[data-testid=slot-option]")
    wait_for(phone, "[data-testid=booking-form]")
    # the branch's address is on top at this step too
    assert phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-place]").is_displayed()
    # an empty submit: every field's error at once, on its field, the form in view
    phone.find_element(By.NAME, "phone").send_keys("12")
    _go(phone, "[data-testid=booking-submit]")
    wait_for(phone, "[data-testid=booking-form]")
    invalid = [
        e.get_attribute("name")
        for e in phone.find_elements(By.CSS_SELECTOR, "[data-testid=booking-form] .is-invalid")
    ]
    assert invalid == ["first_name", "phone", "consent"]
    messages = phone.find_elements(By.CSS_SELECTOR, "[data-testid=booking-form] .invalid-feedback")
    assert len(messages) == 3 and all(m.is_displayed() for m in messages)
    # the place is repeated beside the chosen time, in view at the contacts step
    assert phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-summary-place]").is_displayed()
    styled = phone.execute_script(  # Bootstrap's inputs, not the browser's bare ones
        "return getComputedStyle(document.querySelector('[name=last_name]')).borderRadius"
    )
    assert styled not in ("", "0px")
    if shots:
        screenshot(phone, f"book-errors-phone-{shots}")
    phone.find_element(By.NAME, "phone").clear()
    phone.find_element(By.NAME, "first_name").send_keys("Anna")
    phone.find_element(By.NAME, "last_name").send_keys("Shevchuk")
    phone.find_element(By.NAME, "phone").send_keys("067 555 12 34")
    _click(phone, phone.find_element(By.NAME, "consent"))
    # nothing overflows sideways on a 390px screen
    assert phone.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1"
    )
    _go(phone, "[data-testid=booking-submit]")
    wait_for(phone, "[data-testid=booking-done]")


def test_public_booking_on_a_phone_then_calendar(live_server, salon, browser):
    org, owner, _spec, svc, _client = salon
    with org_scope(org):
        svc.name = "Manicure with gel polish and nail art"
        svc.price = 70000
        svc.save()
    phone = make_driver(PHONE, language="en")
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/book/{org.slug}/")
        assert phone.execute_script("return window.innerWidth") == PHONE[0]
        price = wait_for(phone, "[data-testid=service-price]")
        assert price.text == "UAH 700.00"
        lines = phone.execute_script(  # one line, not "UAH" over "700.00"
            "var r = document.createRange(); r.selectNodeContents(arguments[0]);"
            "return r.getClientRects().length;",
            price,
        )
        assert lines == 1
        _go(phone, "[data-testid=service-option]")
        _go(phone, "[data-testid=staff-any]")
        # a day far along the strip stays in view after the page reloads
        days = phone.find_elements(By.CSS_SELECTOR, "[data-testid=day-option]")
        days_text = [d.get_attribute("textContent").strip() for d in days]
        _go(phone, ("[data-testid=day-option]", -1))
        chosen = wait_for(phone, "[data-testid=day-option][aria-current=date]")
        assert chosen.get_attribute("textContent").strip() == days_text[-1]
        visible = phone.execute_script(
            "var d = arguments[0].getBoundingClientRect(),"
            " s = arguments[0].parentElement.getBoundingClientRect();"
            "return arguments[0].parentElement.scrollLeft > 0"
            " && d.left >= s.left - 1 && d.right <= s.right + 1;",
            chosen,
        )
        assert visible
        # tomorrow: every hour is still ahead
        _book_on_phone(phone, live_server, org, day=1, shots="en")
        assert not phone.find_elements(By.CSS_SELECTOR, "[data-testid=pay-now]")
    finally:
        phone.quit()
    with org_scope(org):
        visit = Visit.objects.get()
        assert visit.source == "online" and visit.client.phone == "+380675551234"
    login(browser, live_server, owner.username, PASSWORD)
    browser.get(
        f"{live_server.url}/calendar/?date={visit.starts_at.astimezone(organization_zone(org)).date()}"
    )
    wait_for(browser, f"[data-visit='{visit.pk}']")
    assert "Shevchuk Anna" in browser.find_element(By.CSS_SELECTOR, "[data-testid=calendar]").text


def test_public_booking_with_prepayment_asks_to_pay(live_server, salon, settings):
    from tests.factories_prepayments import enable_prepayment, make_booking_type
    from zapys.prepayments.models import Booking

    org, *_ = salon
    settings.ZAPYS_PUBLIC_URL = live_server.url
    with org_scope(org):
        enable_prepayment(org)
        make_booking_type(org, "fixed", 20_000, name="Deposit")
    phone = make_driver(PHONE, language="en")
    try:
        as_phone(phone)
        _book_on_phone(phone, live_server, org, day=1)
        done = phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-done]")
        assert done.get_attribute("data-prepayment") == "awaiting"
        assert "not confirmed" in done.text
        amount = phone.find_element(By.CSS_SELECTOR, "[data-testid=prepayment-amount]")
        assert amount.text == "UAH 200.00"
        assert (
            "Pay by"
            in phone.find_element(By.CSS_SELECTOR, "[data-testid=prepayment-deadline]").text
        )
        pay = phone.find_element(By.CSS_SELECTOR, "[data-testid=pay-now]")
        assert pay.is_displayed()
        with org_scope(org):
            booking = Booking.objects.get()
        assert booking.status == "pending"
        assert pay.get_attribute("href") == booking.payment_url
        assert phone.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"
        )
        _go(phone, "[data-testid=pay-now]")
        page = wait_for(phone, "[data-testid=prepayment-page]")
        assert page.get_attribute("data-status") == "pending"
        # (the payment page speaks its own configured language: uk by default)
        assert "200" in phone.find_element(By.CSS_SELECTOR, "[data-testid=amount]").text
    finally:
        phone.quit()


def test_public_booking_with_two_branches_on_a_phone(live_server, salon):
    """Issue 17: the branch first, its address on every step, the page kept at the step."""
    org, _owner, _spec, svc, _client = salon
    with org_scope(org):
        first = svc.branches.get()
        first.address = "вул. Хрещатик, 1"
        first.save(update_fields=["address"])
        second = make_branch(org, "Podil")
        second.address = "вул. Сагайдачного, 25"
        second.save(update_fields=["address"])
        svc.name = "Манікюр з покриттям гель-лаком і дизайном нігтів"
        svc.save(update_fields=["name"])
    phone = make_driver(PHONE, language="uk")
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/book/{org.slug}/")
        # headless Chromium does not send --lang as Accept-Language: the language switch's cookie
        phone.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": "uk"})
        phone.get(f"{live_server.url}/book/{org.slug}/")
        options = phone.find_elements(By.CSS_SELECTOR, "[data-testid=branch-option]")
        assert len(options) == 2 and not phone.find_elements(
            By.CSS_SELECTOR, "[data-testid=service-option]"
        )
        screenshot(phone, "book-branches-phone-uk")
        _go(phone, ("[data-testid=branch-option]", 0))
        assert "Хрещатик" in wait_for(phone, "[data-testid=booking-place]").text
        _go(phone, "[data-testid=service-option]")
        change = wait_for(phone, "[data-testid=service-change]")
        right = phone.execute_script("return arguments[0].getBoundingClientRect().right", change)
        assert right <= PHONE[0], "'Змінити' is not clipped"
        _go(phone, "[data-testid=staff-any]")
        assert phone.current_url.endswith("#step-slot")
        top = phone.execute_script(  # the next step is in view, wherever the page was
            "return document.getElementById('step-slot').getBoundingClientRect().top"
        )
        assert 0 <= top < phone.execute_script("return window.innerHeight")
        assert "Хрещатик" in phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-place]").text
        assert_fits_the_width(phone)
        screenshot(phone, "book-slots-phone-uk")
        _go(phone, ("[data-testid=day-option]", 1))  # tomorrow: every hour is still ahead
        _go(phone, "[data-testid=slot-option]")
        wait_for(phone, "[data-testid=booking-form]")
        assert "Хрещатик" in phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-place]").text
        _go(phone, "[data-testid=booking-submit]")
        wait_for(phone, "[data-testid=booking-form]")
        errors = phone.find_elements(
            By.CSS_SELECTOR, "[data-testid=booking-form] .invalid-feedback"
        )
        assert len(errors) == 3 and "Введіть ваше ім'я." in errors[0].text
        assert "Хрещатик" in phone.find_element(By.CSS_SELECTOR, "[data-testid=booking-place]").text
        assert_fits_the_width(phone)
        screenshot(phone, "book-errors-phone-uk")
    finally:
        phone.quit()


@pytest.mark.parametrize(
    ("size", "language", "anyone", "duration"),
    [
        (PHONE, "uk", "Будь-який спеціаліст", "1 год 30 хв"),
        (PHONE, "en", "Any specialist", "1 h 30 min"),
        (DESKTOP, "uk", "Будь-який спеціаліст", "1 год 30 хв"),
        (DESKTOP, "en", "Any specialist", "1 h 30 min"),
    ],
)
def test_public_booking_offers_only_the_services_specialists(
    live_server, salon, size, language, anyone, duration
):
    """A service performed by Iryna offers Iryna (and "any" is her), never the trainer who
    also has hours; its length reads in hours and minutes. On a phone and a 1366 screen."""
    org, _owner, spec, svc, _client = salon
    with org_scope(org):
        trainer = make_specialist(
            org, svc.branches.get(), first_name="Olha", last_name="Tkachuk", hours=ALL_DAY
        )
        svc.duration_minutes = 90
        svc.save(update_fields=["duration_minutes"])
        service_update(service=svc, actor=SYSTEM, specialist_ids=[spec.pk])
    shots = f"book-specialists-{'phone' if size == PHONE else 'desktop'}-{language}"
    driver = make_driver(size, language=language)
    try:
        if size == PHONE:
            as_phone(driver)
        driver.get(f"{live_server.url}/book/{org.slug}/")
        driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": language})
        driver.get(f"{live_server.url}/book/{org.slug}/")
        assert wait_for(driver, "[data-testid=service-duration]").text == duration
        screenshot(driver, f"{shots}-1-services")
        _go(driver, "[data-testid=service-option]")
        offered = [
            e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid=staff-option]")
        ]
        assert offered == ["Iryna Bondar"]
        assert driver.find_element(By.CSS_SELECTOR, "[data-testid=staff-any]").text == anyone
        assert "Tkachuk" not in driver.find_element(By.CSS_SELECTOR, "main, body").text
        chosen = driver.find_element(By.CSS_SELECTOR, "[data-testid=chosen-service-duration]")
        assert chosen.text == duration
        assert_fits_the_width(driver)
        screenshot(driver, f"{shots}-2-specialists")
        _go(driver, "[data-testid=staff-any]")
        _go(driver, ("[data-testid=day-option]", 1))  # tomorrow: every hour is still ahead
        assert_fits_the_width(driver)
        screenshot(driver, f"{shots}-3-slots")
        _go(driver, "[data-testid=slot-option]")
        wait_for(driver, "[data-testid=booking-form]")
        driver.find_element(By.NAME, "first_name").send_keys("Anna")
        driver.find_element(By.NAME, "last_name").send_keys("Shevchuk")
        driver.find_element(By.NAME, "phone").send_keys("067 555 12 34")
        _click(driver, driver.find_element(By.NAME, "consent"))
        screenshot(driver, f"{shots}-4-contacts")
        _go(driver, "[data-testid=booking-submit]")
        wait_for(driver, "[data-testid=booking-done]")
        screenshot(driver, f"{shots}-5-done")
        # an edited address naming the trainer is refused in words, with no times offered
        driver.get(
            f"{live_server.url}/book/{org.slug}/?service={svc.pk}&staff={trainer.pk}#step-staff"
        )
        error = wait_for(driver, "[data-testid=staff-error]")
        assert "Olha Tkachuk" in error.text
        assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid=slot-option]")
        assert_fits_the_width(driver)
        screenshot(driver, f"{shots}-6-refused")
    finally:
        driver.quit()
    with org_scope(org):
        assert Visit.objects.get().staff == spec  # "any" was one who performs the service


def test_dates_and_times_read_the_ukrainian_way_in_an_english_browser(live_server, salon):
    """Issue 17: the native date input followed the browser's locale (mm/dd/yyyy, AM/PM in an
    English Chrome). The shared widgets are text inputs in dd.mm.yyyy and hh:mm: the visit
    form opened from the calendar and the working-hours page, typed and saved."""
    _org, owner, spec, _svc, _client = salon
    browser = make_driver(language="en")
    try:
        login(browser, live_server, owner.username, PASSWORD)
        tomorrow = timezone.localdate() + timedelta(days=1)
        browser.get(f"{live_server.url}/calendar/?date={tomorrow.isoformat()}")
        wait_for(browser, "[data-testid=cal-slot]")
        _open_new_visit(browser, tomorrow.isoformat(), "10:00")
        starts = browser.find_element(By.CSS_SELECTOR, "#visitModal [name=starts_at]")
        assert starts.get_attribute("type") == "text"
        assert starts.get_attribute("value") == f"{tomorrow:%d.%m.%Y} 10:00"
        screenshot(browser, "visit-form-dates-en")

        browser.get(f"{live_server.url}/staff-hours/{spec.pk}/")
        day = wait_for(browser, "[name=date]")
        assert day.get_attribute("type") == "text"
        # (the staff pages speak the staff's language, whatever the browser's)
        assert day.get_attribute("placeholder") in ("dd.mm.yyyy", "дд.мм.рррр")
        start = browser.find_element(By.NAME, "start")
        assert start.get_attribute("placeholder") in ("hh:mm", "год:хв")
        day.send_keys(f"{tomorrow:%d.%m.%Y}")
        browser.find_element(By.NAME, "start").send_keys("09:30")
        browser.find_element(By.NAME, "end").send_keys("13:00")
        kind = browser.find_elements(By.CSS_SELECTOR, "select[name=kind]")
        if kind:
            Select(kind[0]).select_by_index(len(Select(kind[0]).options) - 1)
        _go(browser, "form:has([name=date]) button")
        patient(browser).until(
            lambda d: any(
                f"{tomorrow:%d.%m.%Y}" in e.text and "09:30" in e.text
                for e in d.find_elements(By.CSS_SELECTOR, ".list-group-item")
            )
        )
        screenshot(browser, "staff-hours-dates-en")
    finally:
        browser.quit()
