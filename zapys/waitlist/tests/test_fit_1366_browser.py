"""The waiting-list tables fit a 1366 px screen in both languages (issue 17 review: the
table was wider than its card, the offer cut at "оплатити до 18:3" and the remove buttons
cut in half): the list, the client card's part and the busy-time page. Checked in Chromium:
the last column's right edge is inside the table's box, the box does not scroll sideways,
no filter select cuts its chosen words ("Усі спеціаліст…") and no status badge wraps
(«Запропоновано / час»), with the offer's deadline in words under it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import screenshot, wait_for
from tests.factories import SYSTEM
from tests.factories_payments import make_client
from tests.factories_schedule import make_visit
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


#: Status badges whose words run onto more than one line ("Запропоновано\nчас").
BADGES_WRAPPED = """
return [...document.querySelectorAll(arguments[0])].filter(b => {
  const words = document.createRange();
  words.selectNodeContents(b);
  return new Set([...words.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).map(b => b.textContent);
"""


@pytest.fixture
def waiting(live_salon):
    """Two clients wait for the salon's service; the taken visit is cancelled, so the first
    has an open offer; a later visit that day is busy. Gives (the first client, that visit)."""
    org, specialist, service = live_salon.org, live_salon.specialist, live_salon.service
    start = live_salon.taken.starts_at
    day = timezone.localtime(start).date()
    with org_scope(org):
        first = make_client(org, "Кравець Андрій")
        for customer in (first, make_client(org, "Марченко Анна")):
            services.entry_create(
                organization=org,
                client=customer,
                service=service,
                staff=specialist,
                date_from=day - timedelta(days=1),
                date_to=day + timedelta(days=6),
                actor=SYSTEM,
            )
        schedule.visit_cancel(visit=live_salon.taken, actor=SYSTEM)  # the first gets an offer
        assert Offer.objects.filter(status="open").count() == 1
        busy = make_visit(
            org,
            client=make_client(org, "Руденко Марія"),
            staff=specialist,
            service=service,
            starts_at=start + timedelta(hours=2),
        )
    return first, busy


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_waiting_list_tables_fit_1366(live_server, waiting, signed_in, language):
    first, busy = waiting
    driver = signed_in(language)
    for url, name in (
        ("/waitlist/", "waitlist"),
        (f"/clients/{first.pk}/waitlist/", "clients_id_waitlist"),
        (f"/visits/{busy.pk}/waitlist/", "visits_id_waitlist"),
    ):
        driver.get(f"{live_server.url}{url}")
        wait_for(driver, "[data-testid=entries-table]")
        screenshot(driver, f"{language}-1366-{name}")
        assert driver.find_elements("css selector", "[data-testid=offer-pay-by]"), url
        inside, no_scroll = driver.execute_script(FITS, "[data-testid=entries-table]")
        assert inside and no_scroll, (language, url)
        assert driver.execute_script(SELECTS_CUT, "form[method=get] select") == [], url
        assert driver.execute_script(BADGES_WRAPPED, "[data-testid=entry-status]") == [], url
