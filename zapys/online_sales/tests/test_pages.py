"""Staff and public pages: what each shows, what each refuses, and constant query counts."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from zapys.memberships.models import MembershipPlan
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.online_sales.tests.factories import make_sale


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_plans_page_allows_permanent_plans_and_shows_one_offs_disabled(staff_client, org, shop):
    one_off = make_plan(org, "Trial lesson", kind=MembershipPlan.Kind.ONE_OFF)
    plain = make_plan(org, "Yoga 12")
    html = staff_client.get("/online-sales/plans/").content.decode()
    assert f'name="sell_{one_off.pk}"' in html
    row = html.split(f'data-plan="{one_off.pk}"')[1].split("</tr>")[0]
    assert "disabled" in row and 'data-testid="plan-reason"' in row
    # A forged POST for the one-off plan is refused; the permanent one is put on sale.
    response = staff_client.post(
        "/online-sales/plans/",
        {
            f"sell_{shop.pk}": "on",
            f"text_{shop.pk}": "Buy now",
            f"sell_{plain.pk}": "on",
            f"text_{plain.pk}": "",
            f"sell_{one_off.pk}": "on",
            f"text_{one_off.pk}": "Hack",
        },
    )
    assert response.status_code == 200 and 'data-testid="plan-error"' in response.content.decode()
    assert not PlanOnline.objects.filter(plan=one_off).exists()
    assert PlanOnline.objects.get(plan=shop).button_text == "Buy now"
    assert PlanOnline.objects.get(plan=plain).sell_online
    # Left empty (the old assertion wanted a stored "Buy “Yoga 12”", written in the saver's
    # language): the button reads it in the buyer's language (test_issue17_shop_words).
    assert PlanOnline.objects.get(plan=plain).button_text == ""


def test_button_page_saves_the_design_and_shows_the_snippet(staff_client, org, shop):
    page = staff_client.get(f"/online-sales/plans/{shop.pk}/button/").content.decode()
    assert 'id="preview"' in page and 'data-testid="snippet"' in page
    assert "&lt;a href=&quot;http://testserver/shop/" in page  # the snippet, escaped
    data = {
        "button_text": "Купити",
        "text_color": "#000000",
        "text_size": "20",
        "bold": "",
        "background": "#ffcc00",
        "border_color": "#333333",
        "border_width": "3",
        "radius": "12",
        "width": "300",
        "height": "60",
    }
    assert staff_client.post(f"/online-sales/plans/{shop.pk}/button/", data).status_code == 302
    row = PlanOnline.objects.get(plan=shop)
    assert (row.button_text, row.background, row.width, row.bold, row.border_width) == (
        "Купити",
        "#ffcc00",
        300,
        False,
        3,
    )
    bad = staff_client.post(f"/online-sales/plans/{shop.pk}/button/", {**data, "width": "5000"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert PlanOnline.objects.get(plan=shop).width == 300


def test_settings_tab_saves_and_refuses_without_an_account(staff_client, org, shop):
    page = staff_client.get("/settings/online-sales/").content.decode()
    assert 'data-testid="settings-tab-online_sales"' in page
    refused = staff_client.post(
        "/settings/online-sales/",
        {"enabled": "on", "commission_percent": "2", "payment_account": ""},
    )
    assert refused.status_code == 200 and "invalid-feedback d-block" in refused.content.decode()
    from zapys.online_sales.services import online_settings_get

    assert online_settings_get(org).commission_percent == 2.5


@pytest.mark.parametrize("count", [1, 15])
def test_sales_list_costs_the_same_queries_whatever_the_length(
    staff_client, org, branch, shop, count, django_assert_max_num_queries
):
    for n in range(count):
        make_sale(org, shop, email=f"b{n}@example.com")
    with django_assert_max_num_queries(14):
        html = staff_client.get("/online-sales/").content.decode()
    assert html.count('data-testid="sale-row"') == count


def test_sale_page_offers_the_attach_dialog_and_finds_clients(staff_client, org, branch, shop):
    from zapys.clients.services import client_create

    sale = make_sale(org, shop)
    client_create(organization=org, name="Бондар Ольга", phone="+380931234567", actor=SYSTEM)
    html = staff_client.get(f"/online-sales/{sale.pk}/", {"q": "Бондар"}).content.decode()
    assert 'data-testid="attach-dialog"' in html and "Бондар Ольга" in html
    nobody = staff_client.post(f"/online-sales/{sale.pk}/", {"starts_on": "2026-12-01"})
    assert nobody.status_code == 200
    sale.refresh_from_db()
    assert sale.status == "paid"
    created = staff_client.post(
        f"/online-sales/{sale.pk}/", {"new_client_name": "Нова Людина", "starts_on": "2026-12-01"}
    )
    assert created.status_code == 302
    sale.refresh_from_db()
    assert sale.status == "attached" and sale.client.name == "Нова Людина"


def test_code_box_with_an_unknown_code_says_so(staff_client, org, shop):
    response = staff_client.get("/online-sales/code/", {"code": "nothing"}, follow=True)
    assert response.redirect_chain[-1][0] == "/online-sales/"
    assert "alert-danger" in response.content.decode()


def test_report_sums_by_plan(staff_client, org, branch, shop):
    make_sale(org, shop)
    make_sale(org, shop)
    html = staff_client.get("/online-sales/report/").content.decode()
    assert 'data-testid="report-table"' in html and "Dance 8" in html
    # nothing refunded: the amount, as in the total (was "0 · 0.00" beside a total "0.00")
    refunded = html.split('data-testid="row-refunded">')[1].split("</td>")[0]
    assert " · " not in refunded and "(" not in refunded
    # the days field is the size of the two dates beside it
    assert 'class="form-control form-control-sm" data-testid="report-days"' in html


@pytest.mark.parametrize("plans", [1, 6])
def test_storefront_lists_the_plans_on_sale_in_constant_queries(
    en, org, shop, plans, django_assert_max_num_queries
):
    from zapys.online_sales.services import plan_online_update

    for n in range(plans - 1):
        plan_online_update(plan=make_plan(org, f"Extra {n}"), actor=SYSTEM, sell_online=True)
    hidden = make_plan(org, "Not on sale")
    with django_assert_max_num_queries(6):
        html = en.get(f"/shop/{org.slug}/?lang=en").content.decode()
    assert html.count('data-testid="buy-button"') == plans
    # "Buy Dance 8" is the Ukrainian text: an English page reads the English default
    assert "Buy “Dance 8”" in html and "Not on sale" not in html and hidden.name not in html


def test_plan_page_shows_the_commission_line_and_refuses_a_bad_email(
    en, org, shop, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        html = en.get(f"/shop/{org.slug}/{shop.pk}/?lang=en").content.decode()
    assert 'data-testid="line-commission"' in html and "Payment service commission" in html
    assert 'data-testid="line-total"' in html
    bad = en.post(f"/shop/{org.slug}/{shop.pk}/?lang=en", {"email": "nope", "phone": ""})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert not OnlineSale.objects.exists()


def test_plan_page_in_ukrainian(client, org, shop):
    html = client.get(f"/shop/{org.slug}/{shop.pk}/?lang=uk").content.decode()
    assert "Комісія платіжного сервісу" in html and 'lang="uk"' in html


def test_a_plan_off_sale_or_a_module_off_is_a_404_page(client, org, shop):
    from zapys.online_sales.services import online_settings_update

    other = make_plan(org, "Hidden")
    assert client.get(f"/shop/{org.slug}/{other.pk}/").status_code == 404
    online_settings_update(organization=org, actor=SYSTEM, enabled=False)
    assert client.get(f"/shop/{org.slug}/{shop.pk}/").status_code == 404
    assert client.get("/shop/no-such-org/").status_code == 404
