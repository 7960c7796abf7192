"""A part of a page that htmx loads (a client card's tab, the visit card's checkout panel and
refunds, a picker's results, a progress bar) opened as a page of its own goes to the page
it belongs on (`core.fragments.fragment_of`), and still answers htmx with the part.

The fragments are found, not listed: every view the URLconf marks, and every address an
htmx attribute of a template or a client card tab names, so a new fragment without the
decorator fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from tests.factories_ledger import make_entry
from tests.factories_prepayments import make_client, make_visit
from zapys.broadcasts.models import Broadcast
from zapys.clients.card import card_tabs
from zapys.clients.models import ClientImport
from zapys.core.fragments import MARKER, is_fragment
from zapys.online_sales.tests.factories import make_sale, make_shop

HTMX = {"HX-Request": "true"}

#: The address of an htmx attribute: hx-get="{% url 'name' … %}", also set from a script.
HTMX_URL = re.compile(r"""hx-(?:get|post)"?\s*[=,]\s*"\{%\s*url\s+'([^']+)'""")


def _patterns(resolvers, namespace: str = ""):
    """(URL name with its namespace, view, kwarg names) of every named pattern."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback, list(entry.pattern.regex.groupindex)


PATTERNS = {name: (view, kwargs) for name, view, kwargs in _patterns(get_resolver().url_patterns)}
FRAGMENTS = sorted(name for name, (view, _kwargs) in PATTERNS.items() if is_fragment(view))


def _htmx_url_names() -> set[str]:
    names: set[str] = set()
    for template in Path(settings.BASE_DIR, "zapys").glob("*/templates/**/*.html"):
        names.update(HTMX_URL.findall(template.read_text(encoding="utf-8")))
    return names


@pytest.fixture
def ids(org, branch, owner):
    """One object of each kind a fragment's address names, in the staff member's org."""
    visit = make_visit(org, branch)
    client = visit.attendances.get().client
    return {
        "client_id": client.pk,
        "visit_id": visit.pk,
        "attendance_id": visit.attendances.get().pk,
        "entry_id": make_entry(make_client(org)).pk,
        "import_id": ClientImport.objects.create(
            organization=org, original_name="a.csv", status="done"
        ).pk,
        "pk": Broadcast.objects.create(organization=org, text="x", send_at=timezone.now()).pk,
        "sale_id": make_sale(org, make_shop(org)).pk,
        "channel": "telegram",
        "kind": "invoice",
        "staff_id": owner.pk,
    }


def _url(name: str, ids: dict) -> str:
    return reverse(name, kwargs={key: ids[key] for key in PATTERNS[name][1]})


def test_the_fragments_are_found():
    """The scan sees the known fragments (a broken scan would make the tests below vacuous)."""
    assert {
        "checkout:visit_panel",
        "prepayments:visit_refunds",
        "clients:client_history",
        "clients:client_overview",
        "schedule:client_visits",
        "messaging:client_messages",
    } <= set(FRAGMENTS)
    assert "clients:client_history" in _htmx_url_names()


@pytest.mark.parametrize("name", FRAGMENTS)
def test_a_fragment_opened_as_a_page_goes_to_its_page(staff_client, ids, name):
    url = _url(name, ids)
    view = PATTERNS[name][0]
    page_url = getattr(view, MARKER)(None, **{k: ids[k] for k in PATTERNS[name][1]})

    plain = staff_client.get(url)
    assert plain.status_code == 302 and plain["Location"] == page_url, name
    page = staff_client.get(page_url)
    assert page.status_code == 200 and "<!doctype html>" in page.content.decode().lower(), name

    part = staff_client.get(url, headers=HTMX)
    assert part.status_code == 200, name
    assert "<html" not in part.content.decode(), name


def test_every_htmx_address_is_a_page_or_sends_to_one(staff_client, ids):
    """Each address htmx loads — named in a template or a client card tab — opened with a
    plain GET is a whole page, a redirect (`fragment_of`, a form's own) or refused (405 for a
    POST-only action): never the bare part."""
    names = _htmx_url_names() | {
        resolve(tab["url"]).view_name for tab in card_tabs(ids["client_id"])
    }
    names |= {"checkout:visit_panel", "prepayments:visit_refunds"}  # named by the card's context
    bare = []
    for name in sorted(names):
        response = staff_client.get(_url(name, ids))
        whole = "<!doctype html>" in response.content.decode().lower()
        if not (response.status_code in (302, 405) or (response.status_code == 200 and whole)):
            bare.append((name, response.status_code))
    assert bare == []


def test_the_client_card_opens_the_tab_it_is_sent_to(staff_client, ids):
    card = reverse("clients:detail", args=[ids["client_id"]])
    history = reverse("clients:client_history", args=[ids["client_id"]])
    html = staff_client.get(f"{card}?tab=history").content.decode()
    assert 'class="nav-link active" href="#" role="tab" data-tab="history"' in html
    assert f'hx-get="{history}" hx-trigger="load"' in html
    assert 'data-testid="client-overview"' not in html
    # no tab, or one the card does not have: the overview, drawn in place
    for query in ("", "?tab=ghost"):
        html = staff_client.get(f"{card}{query}").content.decode()
        assert 'class="nav-link active" href="#" role="tab" data-tab="overview"' in html, query
        assert 'hx-trigger="load" hx-target="#client-tab"' not in html, query


def test_a_plain_post_is_left_to_the_view(staff_client, ids):
    """Only a GET is redirected: the refunds form posted without htmx keeps its own answer."""
    url = _url("prepayments:visit_refunds", ids)
    response = staff_client.post(url, {"booking_id": "999999"})
    assert response.status_code == 404  # the view's own verdict on an unknown booking


def test_anonymous_visitors_go_to_the_login_page_first(client, ids):
    response = client.get(_url("checkout:visit_panel", ids))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
