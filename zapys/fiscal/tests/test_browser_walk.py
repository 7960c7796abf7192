"""Issue 16's fiscal acceptance, walked in a real browser as a new owner would, in Ukrainian
and in English, against the local Checkbox simulator: the branch's register set up with a
PIN (never shown back) and its connection checked; a prepayment and a top-up paid online;
the shift opening by itself before the first receipt; both receipts DONE with fiscal codes;
a refund's return receipt linked to its sale; a receipt Checkbox refused, listed with its
reason and retried; the register working offline, reported; the shift closed at its time
with the Z-report shown; the receipt link in the client's message and in the cabinet.

Screenshots go to $ZAPYS_SCREENSHOTS (default /tmp/shots) as fiscal-walk-<lang>-*.png."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    screenshot,
    wait_htmx_idle,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_messaging import make_console_accounts
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from tests.simulators.checkbox import CheckboxSimulator
from zapys.core.tenancy import org_scope, organization_zone
from zapys.fiscal.models import CashRegister, FiscalReceipt, Shift
from zapys.fiscal.sending import receipts_send, shifts_close
from zapys.fiscal.tests.factories import paid_topup
from zapys.messaging.models import Message
from zapys.payments.services import payment_succeed
from zapys.topups.services import top_up_refunded

pytestmark = [pytest.mark.browser]

WORDS = {
    "uk": {
        "saved": "ПРРО збережено",
        "opening": "Відкривається",
        "open": "Відкрита",
        "done": "Готовий",
        "return_of": "до чека продажу від ",
        "offline": "офлайн",
        "closed": "Закрита",
        "z": "Продажів: ",
    },
    "en": {
        "saved": "Cash register saved",
        "opening": "Opening",
        "open": "Open",
        "done": "Done",
        "return_of": "for the sale receipt of ",
        "offline": "offline",
        "closed": "Closed",
        "z": "Sales: ",
    },
}


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        make_console_accounts(org)
        enable_prepayment(org)
        make_booking_type(org, "fixed", 40_000)
    return org, branch, user


def _tick(now: datetime, times: int = 1) -> datetime:
    for _ in range(times):
        receipts_send(now)
        now += timedelta(minutes=10)  # past the backoff of the first tries
    return now


def _text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


@pytest.mark.parametrize("language", ["uk", "en"])
def test_fiscal_acceptance_walk(browser, live_server, salon, language):
    org, branch, user = salon
    words = WORDS[language]
    shot = f"fiscal-walk-{language}"
    with CheckboxSimulator(licenses=("LIC-7731-SECRET",), pins={"5521": "cashier"}) as sim:
        sim.open_after_polls = 2  # Checkbox opens a shift asynchronously
        login(browser, live_server, user.username, PASSWORD)
        browser.add_cookie({"name": "django_language", "value": language})

        # 1. Settings → Cash registers: the licence key and the cashier's PIN.
        browser.get(f"{live_server.url}/settings/cash-registers/")
        browser.find_element(By.NAME, "license_key").send_keys("LIC-7731-SECRET")
        browser.find_element(By.NAME, "cashier_pin").send_keys("5521")
        browser.find_element(By.NAME, "base_url").send_keys(f"{sim.base_url}/api/v1")
        close_at = browser.find_element(By.NAME, "close_shift_at")
        close_at.clear()
        close_at.send_keys("21:30")
        click_and_load(browser, "[data-testid=save-register]")
        assert words["saved"] in _text(browser)
        page = browser.page_source
        assert "LIC-7731-SECRET" not in page and "5521" not in page  # never shown back
        click_and_load(browser, "[data-testid=check-connection]")
        assert "4000000001" in _text(browser)
        screenshot(browser, f"{shot}-1-register")
        with org_scope(org):
            register = CashRegister.objects.get()
            assert register.credentials.get("pin") == "5521"

            # 2. Money comes in online: a prepayment and a top-up.
            booking = make_booking(org, branch)
            assert booking.payment is not None
            payment_succeed(payment=booking.payment, actor=SYSTEM)
            topup = paid_topup(org, 25_050)
            assert FiscalReceipt.objects.filter(status="pending").count() == 2
            now = _tick(timezone.now())  # the shift is asked for; Checkbox is opening it
            assert Shift.objects.get().status == "opening"
        browser.get(f"{live_server.url}/fiscal-receipts/")
        assert (
            words["opening"] in browser.find_element(By.CSS_SELECTOR, "[data-testid=shifts]").text
        )
        with org_scope(org):
            now = _tick(now, 3)
            sale = FiscalReceipt.objects.get(payment=topup)
            assert sale.status == "done" and sale.fiscal_code.startswith("TEST-")
            assert FiscalReceipt.objects.filter(status="done").count() == 2
            assert Shift.objects.get().status == "opened"

            # 3. The top-up refunded: a return receipt linked to its sale.
            top_up_refunded(topup, 10_050, SYSTEM)
            now = _tick(now, 3)
            ret = FiscalReceipt.objects.get(kind="return")
            assert ret.original_id == sale.pk and ret.status == "done"

            # 4. Checkbox refuses one: listed with its reason, retried with the same id.
            sim.error_next = "ДПС: помилка підпису"
            refused = paid_topup(org, 12_000)
            now = _tick(now, 3)
            failed = FiscalReceipt.objects.get(payment=refused)
            assert failed.status == "error"
        browser.get(f"{live_server.url}/fiscal-receipts/")
        screenshot(browser, f"{shot}-2-receipts")
        body = _text(browser)
        assert words["open"] in browser.find_element(By.CSS_SELECTOR, "[data-testid=shifts]").text
        assert sale.fiscal_code in body and ret.fiscal_code in body and words["done"] in body
        assert words["return_of"] in body and f"№{sale.pk}" not in body
        assert "ДПС: помилка підпису" in body
        screenshot(browser, f"{shot}-2-receipts")
        click_and_load(browser, "[data-testid=retry]")
        with org_scope(org):
            failed.refresh_from_db()
            assert (
                failed.status == "pending"
                and failed.uuid == sale.__class__.objects.get(pk=failed.pk).uuid
            )

            # 5. The register goes offline: the receipt is made offline and staff are told.
            sim.offline = True
            paid_topup(org, 7_000)
            now = _tick(now, 3)
            register.refresh_from_db()
            assert register.offline_since is not None
        browser.get(f"{live_server.url}/fiscal-receipts/")
        assert words["offline"] in _text(browser).lower()
        screenshot(browser, f"{shot}-3-offline")

        # 6. The shift closes by itself at 21:30 (not before), with its Z-report.
        with org_scope(org):
            sim.offline = False
            shift = Shift.objects.get()
            zone = organization_zone(org)
            opened = shift.opened_at.astimezone(zone)
            closing = datetime.combine(opened.date(), register.close_shift_at, tzinfo=zone)
            if closing > opened:  # opened before 21:30: closed at 21:30
                before, due = closing - timedelta(minutes=1), closing + timedelta(minutes=1)
            else:  # opened after it (the test ran late): closed when its day is over
                midnight = datetime.combine(opened.date() + timedelta(days=1), time(0), zone)
                before, due = opened, midnight + timedelta(minutes=1)
            shifts_close(before)
            assert Shift.objects.get().status == "opened"
            shifts_close(due)
            shifts_close(due + timedelta(minutes=1))
            shift.refresh_from_db()
            assert shift.status == "closed" and shift.z_summary is not None
            assert shift.z_summary["sells"] >= 3 and shift.z_summary["returns"] == 1
        browser.get(f"{live_server.url}/fiscal-receipts/")
        shifts = browser.find_element(By.CSS_SELECTOR, "[data-testid=shift-list]").text
        assert words["closed"] in shifts and words["z"] in shifts
        browser.execute_script(
            "arguments[0].scrollIntoView()",
            browser.find_element(By.CSS_SELECTOR, "[data-testid=shift-list]"),
        )
        screenshot(browser, f"{shot}-4-z-report")

        # 7. The client's message carries the receipt's link, and so does the cabinet.
        with org_scope(org):
            [message] = Message.objects.filter(
                idempotency_key__endswith=f"fiscal_receipt:{sale.uuid}"
            )
            assert sale.check_url in message.text
            [returned] = Message.objects.filter(
                idempotency_key__endswith=f"fiscal_receipt:{ret.uuid}"
            )
            assert (
                ret.check_url in returned.text and returned.event == "fiscal.return_receipt_ready"
            )
            client = topup.client
            cabinet = client.cabinet_url.replace("http://testserver", live_server.url)
        # The client card's messages tab (the card loads it with htmx; the fragment's own
        # address opened as a page goes to the card on that tab).
        browser.get(f"{live_server.url}/clients/{client.pk}/messages/")
        assert browser.current_url.endswith(f"/clients/{client.pk}/?tab=messages")
        wait_htmx_idle(browser)
        assert sale.check_url in browser.page_source and ret.check_url in browser.page_source
        screenshot(browser, f"{shot}-5-client-messages")
        browser.delete_all_cookies()
        as_phone(browser)
        browser.get(f"{cabinet}?lang={language}")
        assert sale.check_url in browser.page_source
        section = browser.find_element(By.CSS_SELECTOR, "[data-testid=receipts]")
        browser.execute_script("arguments[0].scrollIntoView()", section)
        assert_fits_the_width(browser)
        screenshot(browser, f"{shot}-6-cabinet-phone")
