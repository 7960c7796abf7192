"""Lists that overflowed a 1366 px screen (issue 17 review) fit it now, in both languages:
the invoice list (Status was cut off) and the online-sales list (the Attach button was
pushed past the right edge). Checked in Chromium: the last column's right edge is inside
the table's scroll box, and the box does not scroll sideways."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser import login, make_driver, screenshot, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope
from zapys.invoices import services as invoices
from zapys.online_sales.tests.factories import make_sale, make_shop

pytestmark = [pytest.mark.browser]

FITS = """
const table = document.querySelector(arguments[0]);
const box = table.closest('.table-responsive');
const right = Math.max(...[...table.querySelectorAll('tr')].map(
  r => r.lastElementChild.getBoundingClientRect().right));
return [right <= box.getBoundingClientRect().right + 0.5, box.scrollWidth <= box.clientWidth];
"""


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія краси «Зоряна»")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        make_staff(org, User.Role.OWNER, username="owner-w", branches=[branch])
        for name in ("ТОВ «Зелений сад»", "Марченко Оксана", "Бондаренко Олександра"):
            invoices.invoice_create(
                client=make_client(org, name=name),
                calculation="manual",
                amount=150_000,
                actor=SYSTEM,
                period_start=date(2026, 12, 4),
                period_end=date(2027, 1, 3),
                pay_until=date(2026, 12, 11),
            )
        plan = make_shop(org, name="Манікюр ×4 на місяць", price=164_000)
        make_sale(org, plan, email="olena.buyer.with.a.long.name@example.com")
    return org


@pytest.mark.parametrize("language", ["uk", "en"])
def test_invoice_and_online_sale_lists_fit_1366(live_server, salon, language):
    # staff pages speak the staff member's own language, whatever the browser sends
    User.objects.filter(username="owner-w").update(language=language)
    driver = make_driver((1366, 900), language=language)
    try:
        login(driver, live_server, "owner-w", PASSWORD)
        for url, table, name in (
            ("/finance/invoices/", "[data-testid=invoices-table]", "finance_invoices"),
            ("/online-sales/", ".table-responsive table", "online_sales"),
        ):
            driver.get(f"{live_server.url}{url}")
            wait_for(driver, table)
            screenshot(driver, f"{language}-1366-{name}")
            inside, no_scroll = driver.execute_script(FITS, table)
            assert inside and no_scroll, (language, url)
    finally:
        driver.quit()
