"""Issue 14's acceptance in headless Chromium, the parts the sandbox walks do not cover:

- the snippet exactly as the button settings page gives it, pasted into a plain HTML file
  opened from disk (file://): it looks like the page's preview, and clicking it opens the
  plan's public page on the running server;
- the purchase through the LiqPay and WayForPay simulators' own payment pages on a phone
  (storefront → plan page → e-mail → the provider's page → the success page with the
  activation code), then the code typed into the staff header search and attached.

LiqPay is walked in Ukrainian, WayForPay in English. Screenshots go to $ZAPYS_SCREENSHOTS
(default /tmp/shots) as os_*.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser import (
    DESKTOP,
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from zapys.accounts.models import User
from zapys.clients.services import client_create
from zapys.core.tenancy import org_scope
from zapys.ledger.models import FinancialOperation
from zapys.memberships.models import ClientMembership
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import online_settings_update
from zapys.online_sales.tests.factories import make_shop
from zapys.payments.tests.conftest import liqpay_sim, wayforpay_sim  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]

#: provider → (its simulator fixture, the buyer's language, the simulator's "Pay" button)
WALKS = {
    "liqpay": ("liqpay_sim", "uk", "#sim-success"),
    "wayforpay": ("wayforpay_sim", "en", "#sim-approved"),
}


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія Танцю")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        from tests.factories_messaging import make_transport_account

        make_transport_account(org, "email")
        plan = make_shop(org, name="Танці 8 занять", price=120_000, visits=8)
        make_staff(org, User.Role.OWNER, username="owner-walks", branches=[branch])
        client_create(organization=org, name="Мельник Олена", phone="+380501234500", actor=SYSTEM)
    return org, plan


def test_the_snippet_from_the_settings_page_works_from_a_plain_html_file(
    live_server, studio, tmp_path
):
    org, plan = studio
    desktop = make_driver(DESKTOP)
    try:
        login(desktop, live_server, "owner-walks", PASSWORD)
        desktop.get(f"{live_server.url}/online-sales/plans/{plan.pk}/button/")
        preview = wait_for(desktop, "[data-testid=preview]")
        look = {
            name: preview.value_of_css_property(name)
            for name in ("background-color", "color", "border-radius", "font-size")
        }
        size = preview.size
        screenshot(desktop, "os_button_preview")
        snippet = desktop.find_element(By.CSS_SELECTOR, "[data-testid=snippet]").get_attribute(
            "value"
        )
    finally:
        desktop.quit()
    assert snippet and snippet.startswith("<a ") and "<script" not in snippet
    site = tmp_path / "site.html"
    site.write_text(
        "<!doctype html><html><head><meta charset=utf-8><title>Студія Танцю</title></head>"
        f"<body><h1>Студія Танцю</h1><p>Абонементи онлайн:</p>\n{snippet}\n</body></html>",
        encoding="utf-8",
    )
    browser = make_driver(DESKTOP)
    try:
        browser.get(site.as_uri())
        button = wait_for(browser, "a")
        # the pasted button looks like the page's preview
        assert {n: button.value_of_css_property(n) for n in look} == look
        assert button.size == size
        screenshot(browser, "os_snippet_in_a_file")
        button.click()  # target=_blank: a new tab on the running server
        browser.switch_to.window(browser.window_handles[-1])
        wait_for(browser, "[data-testid=buy-form]")
        assert browser.current_url.startswith(f"{live_server.url}/shop/{org.slug}/{plan.pk}/")
        assert "Танці 8 занять" in browser.find_element(By.TAG_NAME, "body").text
        screenshot(browser, "os_snippet_opened_the_plan")
    finally:
        browser.quit()


@pytest.mark.parametrize("provider", sorted(WALKS))
def test_a_purchase_through_the_provider_simulator_then_attached_from_the_header(
    request, live_server, studio, provider
):
    fixture, language, pay_button = WALKS[provider]
    sim = request.getfixturevalue(fixture)
    org, _plan = studio
    with org_scope(org):
        online_settings_update(
            organization=org, actor=SYSTEM, payment_account=make_account(org, provider)
        )
    phone = make_driver(PHONE, language=language)
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/shop/{org.slug}/?lang={language}")
        wait_for(phone, "[data-testid=storefront-plan]")
        assert_fits_the_width(phone)
        screenshot(phone, f"os_{provider}_1_storefront")
        click_and_load(phone, "[data-testid=buy-button]")
        wait_for(phone, "[data-testid=buy-form]")
        phone.find_element(By.NAME, "email").send_keys("olena@example.com")
        assert_fits_the_width(phone)
        screenshot(phone, f"os_{provider}_2_plan")
        click_and_load(phone, "[data-testid=continue]")
        wait_for(phone, "[data-testid=pay-button]")
        assert_fits_the_width(phone)
        screenshot(phone, f"os_{provider}_3_checkout")
        click_and_load(phone, "[data-testid=pay-button]")
        wait_for(phone, pay_button)  # the provider's own page, off our site
        assert phone.current_url.startswith(sim.base_url)
        screenshot(phone, f"os_{provider}_4_provider_page")
        click_and_load(phone, pay_button)
        code = wait_for(phone, "[data-testid=activation-code]", timeout=30).text
        details = phone.find_element(By.CSS_SELECTOR, "[data-testid=membership-details]").text
        assert "Танці 8 занять" in details
        assert_fits_the_width(phone)
        screenshot(phone, f"os_{provider}_5_code")
    except Exception:
        screenshot(phone, f"os_{provider}_failed")
        raise
    finally:
        phone.quit()

    staff = make_driver(DESKTOP)
    try:
        login(staff, live_server, "owner-walks", PASSWORD)
        box = wait_for(staff, "[data-testid=header-search] input[name=q]")
        box.send_keys(code)
        box.send_keys(Keys.ENTER)
        wait_for(staff, "[data-testid=attach-dialog]")
        staff.find_element(By.CSS_SELECTOR, "[data-testid=client-search]").send_keys("Мельник")
        click_and_load(staff, "[data-testid=client-search-go]")
        wait_for(staff, "[data-testid=pick-client]").click()
        screenshot(staff, f"os_{provider}_6_attach")
        click_and_load(staff, "[data-testid=attach]")
        wait_for(staff, "[data-testid=attached-note]")
        screenshot(staff, f"os_{provider}_7_attached")
    finally:
        staff.quit()
    with org_scope(org):
        sale = OnlineSale.objects.get()
        assert (sale.status, sale.activation_code) == ("attached", code)
        assert sale.client is not None and sale.client.name == "Мельник Олена"
        membership = ClientMembership.objects.get(pk=sale.membership_id)
        assert membership.status == "active"
        # the money once: the provider's income, nothing more at the attach
        assert list(FinancialOperation.objects.values_list("kind", "amount")) == [
            ("income", 123_000)
        ]
    assert len(sim.orders) == 1
