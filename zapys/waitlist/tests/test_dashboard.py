"""The dashboard card: times filled from the waiting list (count and money) and who waits."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from zapys.core.audit import Actor
from zapys.core.money import format_money
from zapys.waitlist import services
from zapys.waitlist.models import Offer
from zapys.waitlist.tests.test_sweep_queries import lapsed_offers


def _card(response) -> dict | None:
    url = reverse("waitlist:list")
    return next((w for w in response.context["widgets"] if w.get("url", "").startswith(url)), None)


def test_card_counts_resold_slots_and_their_money(staff_client, org, branch, salon, make_client):
    specialist, service = salon
    assert _card(staff_client.get("/")) is None  # nothing to say yet
    lapsed_offers(org, branch, specialist, service, 3, timezone.now())
    booked = list(Offer.objects.order_by("id").values_list("pk", flat=True)[:2])
    Offer.objects.filter(pk__in=booked).update(status="booked", closed_at=timezone.now())
    services.entry_create(
        organization=org, client=make_client(), service=service, actor=Actor.system("t")
    )
    card = _card(staff_client.get("/"))
    assert card is not None
    with override("uk"):
        assert card["value"] == format_money(2 * 45000, "UAH", "uk")
    resold_part, waiting_part = card["hint"].split("·")
    assert re.findall(r"\d+", resold_part) == ["2", "30"]  # 2 slots in 30 days
    # 3 offered (lapsed ones still 'offered' in this setup) + 3 waiting + 1 new = 7 live
    assert re.findall(r"\d+", waiting_part) == ["7"]


def test_the_card_follows_the_header_branch(
    staff_client, org, branch, salon, make_client, django_assert_num_queries
):
    """Filled: the offers of the branch's times. Waiting: the entries the branch could
    serve — an entry names no branch, so each thing it names must be had there; one for a
    service of every branch and any specialist waits (and is counted) in each."""
    from django.test import RequestFactory

    from tests.factories import make_branch
    from tests.factories_schedule import make_service, make_specialist
    from zapys.waitlist import dashboard

    specialist, here_only = salon  # Iryna and the manicure: the main branch's
    podil = make_branch(org, "Поділ")
    taras = make_specialist(org, podil, first_name="Taras", last_name="Melnyk")
    there_only = make_service(org, "Pedicure", branches=[podil])
    everywhere = make_service(org, "Consultation", branches=[])
    system = Actor.system("t")
    for service, staff in (
        (here_only, None),  # main
        (here_only, specialist),  # main
        (there_only, None),  # Podil
        (there_only, taras),  # Podil
        (everywhere, None),  # both
        (everywhere, taras),  # Podil: Taras works there only
        (here_only, taras),  # neither: the manicure is not done where Taras works
    ):
        services.entry_create(
            organization=org, client=make_client(), service=service, staff=staff, actor=system
        )
    lapsed_offers(org, branch, specialist, here_only, 3, timezone.now())
    Offer.objects.update(status="booked", closed_at=timezone.now())
    Offer.objects.filter(pk=Offer.objects.order_by("id").first().pk).update(branch=podil)
    # `lapsed_offers` adds six entries (offered or waiting) for the manicure, any specialist:
    # main 6 + 2 + 1 = 9, Podil 4

    def figures(chosen):
        card = _card(staff_client.get("/", {"branch": chosen.pk}))
        assert card is not None
        resold_part, waiting_part = card["hint"].split("·")
        return card["value"], re.findall(r"\d+", resold_part)[0], re.findall(r"\d+", waiting_part)

    with override("uk"):
        assert figures(branch) == (format_money(2 * 45000, "UAH", "uk"), "2", ["9"])
        assert figures(podil) == (format_money(45000, "UAH", "uk"), "1", ["4"])

    # two queries for the card, whatever the number of entries
    request = RequestFactory().get("/")
    request.user = staff_client.get("/").wsgi_request.user
    request._dashboard_branch = podil  # type: ignore[attr-defined]
    with django_assert_num_queries(2):
        dashboard.widgets(request)
    for _i in range(5):
        services.entry_create(
            organization=org, client=make_client(), service=everywhere, actor=system
        )
    with django_assert_num_queries(2):
        (card,) = dashboard.widgets(request)
    assert re.findall(r"\d+", card["hint"].split("·")[1]) == ["9"]
