"""The waiting-list tables fit a 1366 px screen in both languages (issue 17 review: the
table was wider than its card, the offer cut at "оплатити до 18:3" and the remove buttons
cut in half): the list, the client card's part and the busy-time page. Checked in Chromium:
the last column's right edge is inside the table's box, the box does not scroll sideways,
and no filter select cuts its chosen words ("Усі спеціаліст…")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import login, make_driver, screenshot, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account, make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Offer

pytestmark = [pytest.mark.browser]

FITS = """
const table = document.querySelector(arguments[0]);
const box = table.closest('.table-responsive');
const right = Math.max(...[...table.querySelectorAll('tr')].map(
  r => r.lastElementChild.getBoundingClientRect().right));
const card = table.closest('.card').getBoundingClientRect().right;
return [right <= box.getBoundingClientRect().right + 0.5 && right <= card + 0.5,
        box.scrollWidth <= box.clientWidth];
"""

#: The chosen option's words, measured in the select's own font, against its text box.
SELECTS_CUT = """
const canvas = document.createElement('canvas').getContext('2d');
return [...document.querySelectorAll(arguments[0])].filter(s => {
  const style = getComputedStyle(s);
  canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = s.options[s.selectedIndex].text;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return canvas.measureText(text).width > room + 0.5;
}).map(s => s.name);
"""


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія краси «Зоряна»")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        make_staff(org, User.Role.OWNER, username="owner-w", branches=[branch])
        make_account(org, "sandbox")
        make_transport_account(org)
        specialist = make_specialist(org, branch, first_name="Тарас", last_name="Мельник")
        service = make_service(org, "Фарбування волосся", price=180_000, branches=[branch])
        start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(
            hour=15, minute=15, second=0, microsecond=0
        )
        taken = make_visit(
            org,
            client=make_client(org, "Бондаренко Олександра"),
            staff=specialist,
            service=service,
            starts_at=start,
        )
        day = start.date()
        waiting = make_client(org, "Кравець Андрій")
        for customer in (waiting, make_client(org, "Марченко Анна")):
            services.entry_create(
                organization=org,
                client=customer,
                service=service,
                staff=specialist,
                date_from=day - timedelta(days=1),
                date_to=day + timedelta(days=6),
                actor=SYSTEM,
            )
        schedule.visit_cancel(visit=taken, actor=SYSTEM)  # the first in line gets an offer
        assert Offer.objects.filter(status="open").count() == 1
        busy = make_visit(
            org,
            client=make_client(org, "Руденко Марія"),
            staff=specialist,
            service=service,
            starts_at=start + timedelta(hours=2),
        )
    return waiting, busy


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_waiting_list_tables_fit_1366(live_server, salon, language):
    waiting, busy = salon
    User.objects.filter(username="owner-w").update(language=language)
    driver = make_driver((1366, 900), language=language)
    try:
        login(driver, live_server, "owner-w", PASSWORD)
        for url, name in (
            ("/waitlist/", "waitlist"),
            (f"/clients/{waiting.pk}/waitlist/", "clients_id_waitlist"),
            (f"/visits/{busy.pk}/waitlist/", "visits_id_waitlist"),
        ):
            driver.get(f"{live_server.url}{url}")
            wait_for(driver, "[data-testid=entries-table]")
            screenshot(driver, f"{language}-1366-{name}")
            assert driver.find_elements("css selector", "[data-testid=entry-offer] div"), url
            inside, no_scroll = driver.execute_script(FITS, "[data-testid=entries-table]")
            assert inside and no_scroll, (language, url)
            assert driver.execute_script(SELECTS_CUT, "form[method=get] select") == [], url
    finally:
        driver.quit()
