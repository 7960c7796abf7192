"""Online sales words (issue 17): the shop says the commission is added at payment; the
settings page's h1 is "Settings" like every settings tab; the report's empty list says what
is empty (not "None."); a plan that cannot be sold reads as a note, not an error; the button
designer's unit is "пкс" in Ukrainian; a sale's status badges are capitalised and singular;
the purchase e-mail does not decline the business's name."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories_ledger import make_plan
from tests.pages import staff_page
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import events
from zapys.online_sales.models import ButtonStyle, OnlineSale


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "Prices do not include the payment service commission of 2.50%"),
        ("uk", "Ціни без комісії платіжного сервісу 2,50%"),
    ],
)
def test_the_shop_says_the_commission_is_added(client, org, shop, language, note):
    client.cookies["django_language"] = language
    html = client.get(f"/shop/{org.slug}/").content.decode()
    assert 'data-testid="commission-note"' in html and note in html


@pytest.mark.parametrize(
    ("language", "h1", "empty"),
    [
        ("en", "Online sales", "No purchases left unattached that long."),
        ("uk", "Онлайн-продажі", "Немає покупок, не закріплених так довго."),
    ],
)
def test_settings_h1_and_the_reports_empty_list(
    staff_client, owner, org, shop, language, h1, empty
):
    settings_html = staff_page(staff_client, owner, language, "online_sales:settings")
    assert f'<h1 class="h4 mb-3">{h1}</h1>' in settings_html
    report = staff_page(staff_client, owner, language, "online_sales:report")
    assert empty in report and "None." not in report and ">Немає.<" not in report


def test_a_plan_that_cannot_be_sold_is_a_note_not_an_error(staff_client, owner, org, shop):
    plan = make_plan(org, "Trial", price=10_000, visits=1)
    MembershipPlan.objects.filter(pk=plan.pk).update(kind=MembershipPlan.Kind.ONE_OFF)
    html = staff_page(staff_client, owner, "uk", "online_sales:plans")
    reason = html.split('data-testid="plan-reason"')[0].rsplit("<div", 1)[1]
    assert "text-danger" not in reason


def test_ukrainian_words_of_the_button_the_badges_and_the_email():
    with translation.override("uk"):
        radius = str(ButtonStyle._meta.get_field("radius").verbose_name)
        assert radius.endswith(", пкс") and "px" not in radius
        assert str(OnlineSale.Status.ATTACHED.label) == "Закріплено"
        assert translation.gettext("Attached automatically") == "Закріплено автоматично"
        email = str(events._TEXT)
        assert email.startswith("{organization.name}: дякуємо за покупку!")
        assert "в {organization.name}" not in email


@pytest.mark.parametrize(
    ("language", "shown", "typed"), [("uk", "2,50", "3,75"), ("en", "2.50", "3.75")]
)
def test_the_commission_is_shown_and_typed_the_pages_way(org, shop, language, shown, typed):
    from decimal import Decimal

    from zapys.core.tenancy import org_scope
    from zapys.online_sales.forms import SettingsForm
    from zapys.online_sales.services import online_settings_get

    with org_scope(org), translation.override(language):
        settings = online_settings_get(org)
        form = SettingsForm(instance=settings, organization=org)
        assert f'value="{shown}"' in str(form["commission_percent"])
        data = {
            "enabled": "on",
            "payment_account": settings.payment_account_id,
            "commission_percent": typed,
        }
        bound = SettingsForm(data, instance=settings, organization=org)
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data["commission_percent"] == Decimal("3.75")


def test_the_sale_page_says_paid_and_date_of_payment_apart():
    with translation.override("uk"):
        assert translation.gettext("Paid at") == "Дата оплати" != translation.gettext("Paid")
