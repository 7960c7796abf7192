"""The header's search box (O4): an activation code typed or scanned opens its purchase; any
other text searches the clients; only managers are sent to purchases."""

from __future__ import annotations

from tests.factories import make_staff
from zapys.accounts.models import User
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_sale


def test_every_staff_page_has_the_search_box(staff_client, org):
    html = staff_client.get("/").content.decode()
    assert 'data-testid="header-search"' in html and 'action="/search/"' in html


def test_a_scanned_code_opens_the_purchase_whatever_its_spelling(staff_client, org, shop):
    sale = make_sale(org, shop)
    code = sale.activation_code
    for typed in (code, code.lower(), code.replace("-", " "), f" {code.lower()}\n"):
        response = staff_client.get("/search/", {"q": typed}, follow=True)
        assert response.redirect_chain[-1][0] == f"/online-sales/{sale.pk}/", typed
        assert response.status_code == 200


def test_a_code_of_letters_only_typed_with_a_space_opens_its_purchase(staff_client, org, shop):
    """A code may have no digit ("DKS-HHCJ"): typed as printed with a space instead of the
    dash, it still opens the purchase; text of the same shape that no purchase has
    ("Ann Smit") stays a client search."""
    sale = make_sale(org, shop)
    OnlineSale.objects.for_org(org).filter(pk=sale.pk).update(activation_code="DKS-HHCJ")
    response = staff_client.get("/search/", {"q": "dks hhcj"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/online-sales/{sale.pk}/"
    for text in ("Ann Smit", "ann  smit", "Kms Rtvx"):
        response = staff_client.get("/search/", {"q": text})
        assert response.status_code == 302
        assert response["Location"].startswith("/clients/?q="), text


def test_an_unknown_code_says_so_on_the_purchases_list(staff_client, org, shop):
    make_sale(org, shop)
    response = staff_client.get("/search/", {"q": "K7M-4Q2P"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/online-sales/")
    assert "alert-danger" in response.content.decode()


def test_names_and_phones_search_the_clients(staff_client, org, shop):
    make_sale(org, shop)
    # Seven letters of the code's alphabet but no digit or dash: a surname, not a code.
    for text in ("Johnsen", "Олена", "+380671234567"):
        response = staff_client.get("/search/", {"q": text})
        assert response.status_code == 302
        assert response["Location"].startswith("/clients/?q="), text


def test_an_empty_search_goes_back_to_the_dashboard(staff_client, org):
    response = staff_client.get("/search/", {"q": "  "})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_specialist_is_not_sent_to_purchases(client, org, branch, shop):
    sale = make_sale(org, shop)
    specialist = make_staff(org, User.Role.SPECIALIST)
    client.force_login(specialist)
    response = client.get("/search/", {"q": sale.activation_code})
    assert response.status_code == 302
    assert response["Location"].startswith("/clients/?q=")
