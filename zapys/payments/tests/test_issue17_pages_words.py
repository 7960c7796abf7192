"""Issue 17 on the online payments' pages: a filter bar that fits at 1366, a settled payment
without provider events that does not read as if something were missing, and the payment
accounts' settings in the tab's words with an empty merchant shown as a plain dash."""

from __future__ import annotations

import re

import pytest

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from tests.pages import staff_page
from zapys.payments import services

pytestmark = pytest.mark.django_db


def test_the_filter_bar_puts_four_fields_to_a_row(staff_client, owner, org):
    page = staff_page(staff_client, owner, "uk", "payments:list")
    # seven equal columns clipped "Будь-які" and wrapped "held for review" at 1366
    assert page.count('<div class="col-6 col-md-4 col-xl-3">') == 7
    assert 'class="col-6 col-md-3 col-xl"' not in page


@pytest.mark.parametrize(
    ("provider", "en_text", "uk_text"),
    [
        # the demo's sandbox payments are marked paid by the system: no service took part
        (
            "sandbox",
            "A test payment: its status was set by the system, so there are no messages from "
            "a payment service.",
            "Тестовий платіж: його статус встановила система, тож повідомлень від платіжного "
            "сервісу немає.",
        ),
        (
            "liqpay",
            "No messages from the payment service were recorded: the status was set by the system.",
            "Повідомлень від платіжного сервісу не записано: статус встановила система.",
        ),
    ],
)
def test_a_settled_payment_without_events_says_so(
    staff_client, owner, org, branch, provider, en_text, uk_text
):
    payment = make_topup(org, account=make_account(org, provider))
    pending = staff_page(staff_client, owner, "en", "payments:detail", payment.pk)
    assert re.search(r'data-testid="no-events">Nothing yet\.<', pending)
    services.payment_succeed(payment=payment, actor=SYSTEM)
    en = staff_page(staff_client, owner, "en", "payments:detail", payment.pk)
    # it did not say "sent nothing" as if a message were missing
    assert en_text in en and "sent nothing" not in en
    assert "Nothing yet." not in en
    uk = staff_page(staff_client, owner, "uk", "payments:detail", payment.pk)
    assert uk_text in uk


def test_payment_accounts_in_the_tabs_words(staff_client, owner, org):
    make_account(org, "sandbox")
    uk = staff_page(staff_client, owner, "uk", "payments:accounts")
    assert re.search(r"<h1[^>]*>Платіжні сервіси</h1>", uk)  # the section's name
    assert "Додати платіжний сервіс" in uk and "Додати обліковий запис" not in uk
    # the sandbox has no merchant: a muted dash, not a red code-styled one
    assert "<code>—</code>" not in uk and '<span class="text-muted">—</span>' in uk
    en = staff_page(staff_client, owner, "en", "payments:accounts")
    assert re.search(r"<h1[^>]*>Payment services</h1>", en) and "Add a payment service" in en


def test_the_payment_apps_say_typovyi_not_za_zamovchuvanniam():
    """«за замовчуванням» is a calque of "by default": the payment service everyone uses unless
    told otherwise is «типовий» («Типовий платіжний сервіс», the badge «Типовий»)."""
    from pathlib import Path

    import polib
    from django.conf import settings
    from django.utils import translation

    for app in ("payments", "topups", "online_sales", "fiscal", "reports"):
        path = Path(settings.BASE_DIR) / "zapys" / app / "locale/uk/LC_MESSAGES/django.po"
        said = [e.msgid for e in polib.pofile(str(path)) if "замовчуванням" in e.msgstr]
        assert not said, (app, said)
    with translation.override("uk"):
        assert translation.gettext("Default payment service") == "Типовий платіжний сервіс"
        # its own context: "default" alone is another app's word («основний», «типово»)
        assert translation.pgettext("payment service", "Default") == "Типовий"
