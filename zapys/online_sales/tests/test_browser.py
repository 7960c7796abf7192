"""Online membership sales in headless Chromium. The buyer, on a 390px phone in Ukrainian:
the button's snippet pasted into a plain HTML file → the plan's page → e-mail and phone →
the shared checkout → the sandbox's card and 3-D Secure → the page with the activation code
(and the same code in the outbox). The staff, on a desktop: the button's live preview
follows the settings, the code typed into the header box opens the attach dialog, saved.
Screenshots go to $ZAPYS_SCREENSHOTS (default /tmp/shots) as o_*.png."""

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
from zapys.accounts.models import User
from zapys.clients.services import client_create
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message
from zapys.online_sales import selectors
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import plan_online_get
from zapys.online_sales.tests.factories import make_sale, make_shop
from zapys.payments.providers.sandbox import SUCCESS_CARD, THREE_DS_CODE

pytestmark = [pytest.mark.browser]


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія Танцю")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        from tests.factories_messaging import make_transport_account

        make_transport_account(org, "email")
        plan = make_shop(org, name="Танці 8 занять", price=120_000)
    return org, plan, branch


def test_a_buyer_pays_from_the_businesss_site_on_a_phone_in_ukrainian(
    live_server, studio, tmp_path
):
    org, plan, _branch = studio
    with org_scope(org):
        row = plan_online_get(plan)
        snippet = selectors.embed_html(row, selectors.plan_url(org, plan.pk))
    site = tmp_path / "site.html"
    site.write_text(
        f"<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<h1>Студія Танцю</h1><p>Абонементи онлайн:</p>{snippet}",
        encoding="utf-8",
    )
    phone = make_driver(PHONE)
    try:
        as_phone(phone)
        phone.get(site.as_uri())
        screenshot(phone, "o_site_with_button")
        phone.find_element(By.CSS_SELECTOR, "a").click()  # target=_blank: a new tab
        phone.switch_to.window(phone.window_handles[-1])
        as_phone(phone)
        wait_for(phone, "[data-testid=buy-form]")
        lines = phone.find_element(By.CSS_SELECTOR, "[data-testid=price-lines]").text
        assert "Комісія платіжного сервісу" in lines and "30,00" in lines and "1 230,00" in lines
        assert_fits_the_width(phone)
        screenshot(phone, "o_plan_phone_uk")

        phone.find_element(By.NAME, "email").send_keys("not-an-email")
        click_and_load(phone, "[data-testid=continue]")
        wait_for(phone, ".is-invalid")
        email = phone.find_element(By.NAME, "email")
        email.clear()
        email.send_keys("olena@example.com")
        phone.find_element(By.NAME, "phone").send_keys("067 765 43 21")
        click_and_load(phone, "[data-testid=continue]")
        wait_for(phone, "[data-testid=checkout-form]")
        assert phone.find_element(By.CSS_SELECTOR, "[data-testid=checkout-label]").text == (
            "Онлайн-продаж абонемента"
        )
        assert_fits_the_width(phone)
        screenshot(phone, "o_checkout_phone_uk")

        click_and_load(phone, "[data-testid=pay-button]")
        wait_for(phone, "[data-testid=sandbox-pay]")
        phone.find_element(By.NAME, "card_number").send_keys(SUCCESS_CARD)
        click_and_load(phone, "[data-testid=sandbox-pay]")
        wait_for(phone, "[data-testid=sandbox-confirm]")
        phone.find_element(By.NAME, "code").send_keys(THREE_DS_CODE)
        click_and_load(phone, "[data-testid=sandbox-confirm]")
        code = wait_for(phone, "[data-testid=activation-code]", timeout=30).text
        assert (
            "Танці 8 занять"
            in phone.find_element(By.CSS_SELECTOR, "[data-testid=membership-details]").text
        )
        assert_fits_the_width(phone)
        screenshot(phone, "o_code_phone_uk")
        phone.refresh()  # reloaded: the same code
        assert wait_for(phone, "[data-testid=activation-code]").text == code
    finally:
        phone.quit()
    with org_scope(org):
        sale = OnlineSale.objects.get()
        assert (sale.status, sale.activation_code, sale.phone) == ("paid", code, "+380677654321")
        mail = Message.objects.get(related_id=str(sale.pk))
        assert mail.recipient == "olena@example.com" and code in mail.text


def test_staff_style_a_button_and_attach_a_code_from_the_header_box(live_server, studio):
    org, plan, branch = studio
    with org_scope(org):
        owner = make_staff(org, User.Role.OWNER, username="owner-o", branches=[branch])
        sale = make_sale(org, plan)
        client_create(organization=org, name="Мельник Олена", phone="+380501234500", actor=SYSTEM)
    desktop = make_driver(DESKTOP)
    try:
        login(desktop, live_server, "owner-o", PASSWORD)
        desktop.get(f"{live_server.url}/online-sales/plans/")
        row = wait_for(desktop, f"[data-plan='{plan.pk}']")
        assert row.find_element(By.CSS_SELECTOR, f"[data-testid=sell-{plan.pk}]").is_selected()
        screenshot(desktop, "o_plans_desktop")
        click_and_load(desktop, f"[data-testid=design-{plan.pk}]")
        wait_for(desktop, "[data-testid=preview]")
        width = desktop.find_element(By.NAME, "width")
        width.clear()
        width.send_keys("333")
        text = desktop.find_element(By.NAME, "button_text")
        text.clear()
        text.send_keys("Купити зараз")
        preview = desktop.find_element(By.CSS_SELECTOR, "[data-testid=preview]")
        assert preview.text == "Купити зараз" and preview.size["width"] == 333
        snippet = desktop.find_element(By.CSS_SELECTOR, "[data-testid=snippet]")
        value = snippet.get_attribute("value")
        assert (
            "min-width:min(333px,100%)" in value
            and "Купити зараз" in value
            and "<script" not in value
        )
        screenshot(desktop, "o_button_preview_desktop")

        box = desktop.find_element(By.CSS_SELECTOR, "[data-testid=header-search] input[name=q]")
        box.send_keys(sale.activation_code.lower())
        box.send_keys(Keys.ENTER)  # what a barcode scanner does
        wait_for(desktop, "[data-testid=attach-dialog]")
        search = desktop.find_element(By.CSS_SELECTOR, "[data-testid=client-search]")
        search.send_keys("Мельник")
        click_and_load(desktop, "[data-testid=client-search-go]")
        wait_for(desktop, "[data-testid=pick-client]").click()
        screenshot(desktop, "o_attach_desktop")
        click_and_load(desktop, "[data-testid=attach]")
        wait_for(desktop, "[data-testid=attached-note]")
        screenshot(desktop, "o_attached_desktop")
    finally:
        desktop.quit()
    with org_scope(org):
        sale.refresh_from_db()
        assert sale.status == "attached" and sale.client.name == "Мельник Олена"
        assert owner.pk == sale.attached_by_id
