"""The client moves a prepaid visit from the link, in headless Chromium at phone width
(X3): the prepayment page's «Перенести запис», another day, a free time, confirm; the
visit is moved and its history says the client did it. The English page at desktop width.
Screenshots uk/en, 390 and 1366 px."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import (
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_load,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.payments.sandbox import sandbox_charge
from zapys.payments.services import payment_succeed
from zapys.prepayments import services
from zapys.schedule.models import Visit
from zapys.schedule.services.hours import staff_hours_set

pytestmark = [pytest.mark.browser]

ZONE = ZoneInfo(django_settings.TIME_ZONE)


def _at(days: int, hour: int) -> datetime:
    day = timezone.now().astimezone(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def _paid(org, branch, specialist, starts_at):
    visit = make_visit(org, branch, staff=specialist, starts_at=starts_at)
    booking = make_booking(org, branch, visit=visit)
    payment = booking.payment
    sandbox_charge(
        account=payment.account,
        payload={"order_id": payment.order_id, "amount": payment.amount, "currency": "UAH"},
        success=True,
    )
    payment_succeed(payment=payment, actor=SYSTEM)
    booking.refresh_from_db()
    return booking


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        branch.address = "вул. Сагайдачного, 10"
        branch.phone = "+380441234567"
        branch.save(update_fields=["address", "phone"])
        specialist = make_staff(
            org, "specialist", branches=[branch], first_name="Ірина", last_name="Коваль"
        )
        staff_hours_set(
            staff=specialist,
            branch=branch,
            intervals=[(day, time(9), time(19)) for day in range(7)],
            actor=SYSTEM,
        )
        enable_prepayment(org, account=make_account(org, "sandbox"))
        services.policy_presets_ensure(org)  # Moderate: free up to 24 hours before
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        first = _paid(org, branch, specialist, _at(3, 10))
        second = _paid(org, branch, specialist, _at(3, 12))
    return org, first, second


def test_the_client_moves_a_prepaid_visit_on_a_phone(browser, live_server, salon):
    org, first, second = salon
    phone = make_driver(PHONE, language="uk")
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/p/{first.token}/")
        click_and_load(phone, "[data-testid=client-move-link]")
        rules = wait_for(phone, "[data-testid=move-rules]")
        assert "один раз" in rules.text and "300,00" in rules.text
        assert (
            "Сагайдачного" in phone.find_element(By.CSS_SELECTOR, "[data-testid=move-place]").text
        )
        assert_fits_the_width(phone)
        screenshot(phone, "move-client-390-uk")
        day = _at(4, 15).date()
        click_and_load(phone, f"[data-testid=day-option][href*='date={day.isoformat()}']")
        slot = next(
            s
            for s in phone.find_elements(By.CSS_SELECTOR, "[data-testid=slot-option]")
            if s.text == "15:00"
        )
        click_and_load(phone, slot)
        summary = wait_for(phone, "[data-testid=move-summary]")
        assert "о 15:00" in summary.text
        assert_fits_the_width(phone)
        screenshot(phone, "move-client-confirm-390-uk")
        click_and_load(phone, "[data-testid=move-confirm]")
        done = wait_for(phone, "[data-testid=move-done]")
        assert "Запис перенесено:" in done.text and "о 15:00" in done.text
        assert_fits_the_width(phone)
        screenshot(phone, "move-client-done-390-uk")
    finally:
        phone.quit()
    with org_scope(org):
        assert Visit.objects.get(pk=first.visit_id).starts_at == _at(4, 15)
        row = AuditLog.objects.get(action="visit.reschedule", object_id=str(first.visit_id))
        assert row.actor_kind == AuditLog.ActorKind.CLIENT_LINK
    # the English page at desktop width
    browser.get(f"{live_server.url}/p/{second.token}/move/?lang=en")
    rules = wait_for(browser, "[data-testid=move-rules]")
    assert "can be moved online once" in rules.text and "UAH 300.00" in rules.text
    assert_fits_the_width(browser)
    screenshot(browser, "move-client-1366-en")
    browser.get(f"{live_server.url}/p/{second.token}/move/?lang=uk")
    assert "один раз" in wait_for(browser, "[data-testid=move-rules]").text
    screenshot(browser, "move-client-1366-uk")
    # the moved visit again: once per visit, said with whom to call (English, a phone)
    phone = make_driver(PHONE, language="en")
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/p/{first.token}/move/?lang=en")
        closed = wait_for(phone, "[data-testid=move-closed]")
        assert "already been moved online once" in closed.text
        assert (
            "+380 44 123 45 67"
            in phone.find_element(By.CSS_SELECTOR, "[data-testid=move-phone]").text
        )
        assert_fits_the_width(phone)
        screenshot(phone, "move-client-closed-390-en")
    finally:
        phone.quit()
