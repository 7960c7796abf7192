"""One name for one thing, a sentence for a card, a way back (issue 17 review).

The dashboard card said «Час, перепроданий з списку очікування» ("re-sold" reads as
profiteering) and the list page «Продано з списку очікування…»: both now say "Filled from
the waiting list", and the card's line reads «1 віконце за 30 днів · чекають: 4». The list page
opened from a visit had no link back to it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.waitlist import services
from zapys.waitlist.models import Offer
from zapys.waitlist.tests.test_sweep_queries import lapsed_offers

WORDS = {
    "en": ("Filled from the waiting list", "1 slot in 30 days · 7 waiting"),
    "uk": ("Заповнено зі списку очікування", "1 віконце за 30 днів · чекають: 7"),
}


def _as(staff_client, language: str, url: str):
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return staff_client.get(url)


def test_the_card_and_the_list_name_filled_times_one_way(
    staff_client, org, branch, salon, make_client
):
    specialist, service = salon
    lapsed_offers(org, branch, specialist, service, 3, timezone.now())
    first = Offer.objects.order_by("id").first()
    Offer.objects.filter(pk=first.pk).update(status="booked", closed_at=timezone.now())
    services.entry_create(
        organization=org, client=make_client(), service=service, actor=Actor.system("t")
    )
    url = reverse("waitlist:list")
    for language, (title, hint) in WORDS.items():
        response = _as(staff_client, language, "/")
        card = next(w for w in response.context["widgets"] if w.get("url", "").startswith(url))
        assert (str(card["title"]), card["hint"]) == (title, hint), language
        page = _as(staff_client, language, url).content.decode()
        resold = page.split('data-testid="resold">')[1].split("</div></div>")[0]
        assert title in resold, language
    for page in (_as(staff_client, "uk", "/"), _as(staff_client, "uk", url)):
        html = page.content.decode()
        assert "перепрод" not in html and "Продано" not in html and "re-sold" not in html
        assert "з списку" not in html and "лист очікування" not in html


def test_the_list_opened_from_a_visit_links_back_to_it(staff_client, org, salon, booked_slot):
    visit_url = reverse("schedule:visit_detail", args=[booked_slot.pk])
    for language, word in (("en", "Visit"), ("uk", "Візит")):
        page = _as(
            staff_client, language, reverse("waitlist:visit_entry", args=[booked_slot.pk])
        ).content.decode()
        crumbs = page.split('data-testid="back-to-visit">')[1].split("</ol>")[0]
        assert f'href="{visit_url}"' in crumbs, language
        assert f"{word}: Taken Tamara · Manicure" in crumbs, language
    # the plain list has no way "back": it was not opened from a visit
    assert (
        'data-testid="back-to-visit"' not in _as(staff_client, "uk", "/waitlist/").content.decode()
    )
    assert staff_client.get(visit_url).status_code == 200  # the link leads to the visit's page


def test_the_list_names_the_branch_its_figures_count(staff_client, org, branch):
    """The top bar may name one branch while the list shows all (sixth tour: the dashboard's
    «0 віконець» in Поділ beside the list's «1 віконце» of every branch): the card says which."""
    url = reverse("waitlist:list")
    for language, everywhere in (("uk", "Усі філії"), ("en", "All branches")):
        page = _as(staff_client, language, url).content.decode()
        assert f'data-testid="resold-scope">{everywhere}</span>' in page, language
        page = _as(staff_client, language, f"{url}?branch={branch.pk}").content.decode()
        assert f'data-testid="resold-scope">{branch.name}</span>' in page, language
