"""The acceptance walk of issue 14 in headless Chromium, as a new user would: the buyer buys
on the storefront (sandbox card and 3-D Secure) and reads the code; the administrator scans
the code into the header box, attaches it to a client with a group, books two of the group's
lessons, sees the membership (with its group) and the ledger, then refunds it and sees it
reversed. Screenshots go to $ZAPYS_SCREENSHOTS (default /tmp/shots) as ow_*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import DESKTOP, click_and_load, login, make_driver, screenshot, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_schedule import local, make_specialist
from zapys.accounts.models import User
from zapys.catalog.models import Group
from zapys.clients.services import client_create
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, FinancialOperation
from zapys.memberships.models import ClientMembership
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_shop
from zapys.payments.providers.sandbox import SUCCESS_CARD, THREE_DS_CODE
from zapys.schedule.models import Attendance
from zapys.schedule.services import lesson_create

pytestmark = [pytest.mark.browser]


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія Танцю")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        from tests.factories_messaging import make_transport_account

        make_transport_account(org, "email")
        plan = make_shop(org, name="Танці 8 занять", price=120_000, visits=8)
        salsa = Group.objects.create(organization=org, name="Сальса", capacity=10)
        Group.objects.create(organization=org, name="Бачата", capacity=10)
        spec = make_specialist(org, branch)
        lessons = []
        for days in (1, 3, 5):
            day = timezone.localdate() + timedelta(days=days)
            (lesson,) = lesson_create(
                organization=org,
                branch=branch,
                staff=spec,
                group=salsa,
                starts_at=local(org, day.year, day.month, day.day, 11),
                duration_minutes=60,
                client_ids=[],
                actor=SYSTEM,
            )
            lessons.append(lesson)
        make_staff(org, User.Role.OWNER, username="owner-w", branches=[branch])
        client_create(organization=org, name="Мельник Олена", phone="+380501234500", actor=SYSTEM)
    return org, plan, salsa, lessons


def test_buy_scan_attach_with_groups_book_classes_and_refund(live_server, studio):
    org, _plan, salsa, lessons = studio
    browser = make_driver(DESKTOP)
    try:
        # The buyer: the storefront, the plan's page, the sandbox, the code.
        browser.get(f"{live_server.url}/shop/{org.slug}/")
        screenshot(browser, "ow_storefront")
        click_and_load(browser, "[data-testid=buy-button]")
        wait_for(browser, "[data-testid=buy-form]")
        browser.find_element(By.NAME, "email").send_keys("buyer@example.com")
        click_and_load(browser, "[data-testid=continue]")
        click_and_load(browser, "[data-testid=pay-button]")
        wait_for(browser, "[data-testid=sandbox-pay]")
        browser.find_element(By.NAME, "card_number").send_keys(SUCCESS_CARD)
        click_and_load(browser, "[data-testid=sandbox-pay]")
        wait_for(browser, "[data-testid=sandbox-confirm]")
        browser.find_element(By.NAME, "code").send_keys(THREE_DS_CODE)
        click_and_load(browser, "[data-testid=sandbox-confirm]")
        code = wait_for(browser, "[data-testid=activation-code]", timeout=30).text
        screenshot(browser, "ow_success_code")

        # The administrator: the code scanned into the header box opens the attach dialog.
        login(browser, live_server, "owner-w", PASSWORD)
        box = wait_for(browser, "[data-testid=header-search] input[name=q]")
        box.send_keys(code)
        box.send_keys(Keys.ENTER)
        wait_for(browser, "[data-testid=attach-dialog]")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").send_keys("Мельник")
        click_and_load(browser, "[data-testid=client-search-go]")
        wait_for(browser, "[data-testid=pick-client]").click()
        hint = browser.find_element(By.CSS_SELECTOR, "[data-testid=lessons-to-book]").text
        assert "Оберіть групи" in hint
        screenshot(browser, "ow_attach_dialog")
        group_box = browser.find_element(By.CSS_SELECTOR, f"input[name=groups][value='{salsa.pk}']")
        group_box.click()
        WebDriverWait(browser, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-testid=book-lesson]")) == 3
        )
        for lesson in lessons[:2]:
            browser.find_element(
                By.CSS_SELECTOR, f"[data-testid=book-lesson][value='{lesson.pk}']"
            ).click()
        screenshot(browser, "ow_attach_groups_lessons")
        click_and_load(browser, "[data-testid=attach]")
        wait_for(browser, "[data-testid=attached-note]")
        screenshot(browser, "ow_attached")
        with org_scope(org):
            sale = OnlineSale.objects.get()
            membership = ClientMembership.objects.get(pk=sale.membership_id)
            assert list(membership.groups.all()) == [salsa]
            booked = set(
                Attendance.objects.filter(client=sale.client).values_list("visit_id", flat=True)
            )
            assert booked == {lessons[0].pk, lessons[1].pk}

        # The client's memberships (with the group) and ledger.
        browser.get(f"{live_server.url}/clients/{sale.client_id}/memberships/")
        groups_line = wait_for(browser, "[data-testid=membership-groups]").text
        assert "Сальса" in groups_line
        screenshot(browser, "ow_client_membership")
        browser.get(f"{live_server.url}/clients/{sale.client_id}/payments/")
        wait_for(browser, "body")
        screenshot(browser, "ow_client_ledger")

        # The refund: confirmed, reversed in the same step.
        browser.get(f"{live_server.url}/online-sales/{sale.pk}/")
        browser.find_element(By.CSS_SELECTOR, "[data-testid=refund]").click()
        browser.switch_to.alert.accept()
        WebDriverWait(browser, 20).until(
            lambda d: (
                "refund" not in d.find_element(By.TAG_NAME, "body").text.lower()
                or d.find_elements(By.CSS_SELECTOR, ".alert-success")
            )
        )
        screenshot(browser, "ow_refunded")
        browser.get(f"{live_server.url}/clients/{sale.client_id}/payments/")
        wait_for(browser, "body")
        screenshot(browser, "ow_client_ledger_after_refund")
    finally:
        browser.quit()
    with org_scope(org):
        sale.refresh_from_db()
        membership.refresh_from_db()
        assert (sale.status, membership.status) == ("refunded", "cancelled")
        assert not Entry.objects.filter(client=sale.client, status="active").exists()
        assert set(FinancialOperation.objects.values_list("status", flat=True)) == {"cancelled"}
