from datetime import time, timedelta

import pytest
import time_machine

from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist
from zapys.accounts.models import Branch
from zapys.clients.models import Client
from zapys.core.exceptions import DomainError
from zapys.schedule import hooks, services
from zapys.schedule.models import OnlineBookingAttempt, Visit

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv


@pytest.fixture
def setup(org, branch, actor):
    spec = make_specialist(org, branch, hours=[(0, time(9), time(12))])
    svc = make_service(org, "Brows", duration_minutes=60, price=30000, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=0
    )
    return spec, svc


def _book(client, org, svc, staff, slot, **data):
    url = f"/book/{org.slug}/?service={svc.pk}&staff={staff}&date=2030-03-04&slot={slot}"
    body = {
        "last_name": "Petrenko",
        "first_name": "Anna",
        "phone": "067 123 45 67",
        "consent": "on",
        "slot": slot,
    }
    body.update(data)
    return client.post(url, body, REMOTE_ADDR="10.0.0.1")


@time_machine.travel(NOW, tick=False)
def test_public_booking_flow_creates_client_and_visit(
    client, org, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    seen = []
    handler = hooks.register_after_online_visit_created(lambda v: seen.append(v.pk))
    try:
        r = client.get(f"/book/{org.slug}/")
        assert "Brows" in r.content.decode()
        r = client.get(f"/book/{org.slug}/?service={svc.pk}&staff=any&date=2030-03-04")
        page = r.content.decode()
        assert page.count('data-testid="slot-option"') == 3  # 9, 10, 11
        slot = local(org, 2030, 3, 4, 10).isoformat()
        with django_capture_on_commit_callbacks(execute=True):
            r = _book(client, org, svc, "any", slot)
        assert r.status_code == 302, r.content.decode()[:3000]
        visit = Visit.objects.get()
        assert visit.source == "online" and visit.staff == spec
        assert visit.client.phone == "+380671234567"
        assert r.url.startswith(f"/book/{org.slug}/done/")
        assert client.get(r.url).status_code == 200
    finally:
        hooks.unregister_after_online_visit_created(handler)
    assert seen == [visit.pk]


@time_machine.travel(NOW, tick=False)
def test_existing_client_matched_by_phone(client, org, setup):
    spec, svc = setup
    existing = make_client(org, "Old Card", phone="+380671234567")
    slot = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, slot).status_code == 302
    assert Visit.objects.get().client == existing
    assert Client.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_bad_input_creates_nothing(client, org, setup):
    spec, svc = setup
    good = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, good, phone="12").status_code == 200
    assert _book(client, org, svc, spec.pk, good, consent="").status_code == 200
    outside = local(org, 2030, 3, 4, 15).isoformat()  # outside working hours
    assert _book(client, org, svc, spec.pk, outside).status_code == 200
    past = local(org, 2030, 3, 4, 7).isoformat()
    assert _book(client, org, svc, spec.pk, past).status_code == 200
    assert Visit.objects.count() == 0 and Client.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_one_submit_shows_every_field_error_at_once_and_writes_nothing(client, org, setup):
    """No name, a bad phone and no consent: all three errors on one page, each on its field
    (the page used to show one per submit), the inputs styled and marked invalid."""
    spec, svc = setup
    slot = local(org, 2030, 3, 4, 9).isoformat()
    r = _book(client, org, svc, spec.pk, slot, first_name=" ", phone="12", consent="")
    assert r.status_code == 200
    assert set(r.context["form"].errors) == {"first_name", "phone", "consent"}
    page = r.content.decode()
    assert page.count("invalid-feedback") == 3
    assert 'name="first_name"' in page and 'name="last_name"' in page
    assert 'class="form-control is-invalid"' in page
    assert (Visit.objects.count(), Client.objects.count()) == (0, 0)
    assert OnlineBookingAttempt.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_the_name_is_stored_in_parts(client, org, setup):
    spec, svc = setup
    slot = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, slot).status_code == 302
    made = Client.objects.get()
    assert (made.last_name, made.first_name) == ("Petrenko", "Anna")
    assert made.greeting_name == "Anna" and made.name == "Petrenko Anna"


def test_the_service_refuses_name_phone_and_consent_together(org, setup):
    spec, svc = setup
    with pytest.raises(DomainError) as caught:
        services.online_booking_create(
            organization=org,
            service=svc,
            staff=spec,
            starts_at=local(org, 2030, 3, 4, 10),
            first_name="",
            phone="12",
            consent=False,
            ip="10.0.0.1",
        )
    assert [e["field"] for e in caught.value.errors] == ["first_name", "phone", "consent"]
    assert not Visit.objects.exists() and not Client.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_taken_slot_refused(client, org, setup):
    spec, svc = setup
    slot = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, slot).status_code == 302
    r = _book(client, org, svc, spec.pk, slot, phone="067 765 43 21")
    assert r.status_code == 200 and Visit.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_rate_limit(client, org, setup, actor):
    spec, svc = setup
    services.schedule_settings_update(organization=org, actor=actor, online_rate_limit_per_minute=3)
    slot = local(org, 2030, 3, 4, 9).isoformat()
    outside = local(org, 2030, 3, 4, 15).isoformat()  # refused by the service, counted
    for _ in range(3):
        _book(client, org, svc, spec.pk, outside)
    r = _book(client, org, svc, spec.pk, slot)
    assert r.status_code == 429
    assert Visit.objects.count() == 0
    assert OnlineBookingAttempt.objects.count() == 3


def test_unknown_org_404(client, db):
    assert client.get("/book/nope/").status_code == 404


# --- the "you are booked" page and the prepayment the booking started ---------------------


def _prepayment_on(org, **fields) -> None:
    """Prepayment switched on (sandbox provider, console SMS) with a 100 UAH deposit."""
    from tests.factories_prepayments import enable_prepayment, make_booking_type

    enable_prepayment(org, **fields)
    make_booking_type(org, "fixed", 10_000, name="Deposit")


def _booked_done_url(client, org, svc, hour, django_capture_on_commit_callbacks) -> str:
    """Book one slot through the public page (the prepayment hook runs on commit) and
    return the tokenized done page it redirects to."""
    slot = local(org, 2030, 3, 4, hour).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        r = _book(client, org, svc, "any", slot)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert r.url.startswith(f"/book/{org.slug}/done/")
    return r.url


@time_machine.travel(NOW, tick=False)
def test_done_page_without_prepayment_stays_as_it_was(
    client, org, setup, django_capture_on_commit_callbacks
):
    _spec, svc = setup
    url = _booked_done_url(client, org, svc, 10, django_capture_on_commit_callbacks)
    page = client.get(url).content.decode()
    assert 'data-testid="booking-done"' in page and "bi-check-circle" in page
    assert "data-prepayment" not in page
    assert 'data-testid="pay-now"' not in page and "/p/" not in page


@time_machine.travel(NOW, tick=False)
def test_done_page_asks_to_pay_the_prepayment_in_the_org_time_zone(
    client, org, setup, settings, django_capture_on_commit_callbacks
):
    from zapys.core.money import format_money
    from zapys.prepayments.models import Booking

    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    # New York: 06:00 UTC is 01:00 there (08:00 in Kyiv, the server's zone)
    org.time_zone = "America/New_York"
    org.save(update_fields=["time_zone"])
    _spec, svc = setup
    _prepayment_on(org, link_lifetime_hours=2)
    url = _booked_done_url(client, org, svc, 10, django_capture_on_commit_callbacks)
    booking = Booking.objects.get()
    assert booking.status == "pending"
    page = client.get(url).content.decode()
    assert 'data-prepayment="awaiting"' in page
    assert "bi-check-circle" not in page  # not "you are booked ✓" before the money
    assert f'href="{booking.payment_url}" data-testid="pay-now"' in page
    assert booking.payment_url == f"http://testserver/p/{booking.token}/"
    amount = format_money(booking.amount, booking.currency, "uk")
    assert f'data-testid="prepayment-amount">{amount}</div>' in page
    # the deadline (now + 2 h = 08:00 UTC) in New York's time, not the server's Kyiv
    deadline = page.split('data-testid="prepayment-deadline">')[1].split("</div>")[0]
    assert "4 березня, 03:00" in deadline, deadline
    # the visit's own time in New York's time too
    assert "10:00" in page.split('data-testid="booking-details"')[1]


@time_machine.travel(NOW, tick=False)
def test_done_page_after_payment_and_after_the_deadline(
    client, org, setup, settings, django_capture_on_commit_callbacks
):
    from zapys.prepayments.models import Booking

    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    _spec, svc = setup
    _prepayment_on(org, link_lifetime_hours=1)
    url = _booked_done_url(client, org, svc, 11, django_capture_on_commit_callbacks)
    booking = Booking.objects.get()
    # past the deadline, before the sweep ran: no pay button, not "booked"
    with time_machine.travel(booking.expires_at + timedelta(minutes=1), tick=False):
        page = client.get(url).content.decode()
    assert 'data-prepayment="expired"' in page and 'data-testid="pay-now"' not in page
    assert "bi-check-circle" not in page
    # paid: "you are booked" with the prepayment received
    Booking.objects.filter(pk=booking.pk).update(status="paid", paid_at=booking.expires_at)
    page = client.get(url).content.decode()
    assert 'data-prepayment="paid"' in page and 'data-testid="prepayment-paid"' in page
    assert "bi-check-circle" in page and 'data-testid="pay-now"' not in page


def test_done_page_token_is_required(client, org, setup):
    assert client.get(f"/book/{org.slug}/done/1/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_done_page_of_a_cancelled_visit_says_so_and_asks_for_nothing(
    client, org, setup, settings, actor, django_capture_on_commit_callbacks
):
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    _spec, svc = setup
    _prepayment_on(org)
    # 11:00, three hours ahead: a 09:00 visit would leave no time to pay online before the
    # release an hour before the start (V3: the booking is then taken at the desk).
    url = _booked_done_url(client, org, svc, 11, django_capture_on_commit_callbacks)
    assert 'data-testid="pay-now"' in client.get(url).content.decode()
    services.visit_cancel(visit=Visit.objects.get(), actor=actor)
    page = client.get(url).content.decode()
    assert 'data-cancelled="true"' in page
    assert 'data-testid="pay-now"' not in page and "bi-check-circle" not in page
    assert 'data-testid="business-phone"' not in page  # no number stored: no empty link
    # "please contact us" comes with the number to call (issue 17: a dead end)
    Branch.objects.for_org(org).filter(pk=Visit.objects.get().branch_id).update(
        phone="+380441234567"
    )
    page = client.get(url).content.decode()
    assert 'href="tel:+380441234567"' in page


@time_machine.travel(NOW, tick=False)
def test_with_several_branches_the_branch_comes_first_and_its_address_stays(
    client, org, branch, setup
):
    """Issue 17: "any specialist" booked into another branch, the address shown only after."""
    _spec, svc = setup
    other = make_branch(org, "Подол")
    other.address = "вул. Сагайдачного, 1"
    other.save(update_fields=["address"])
    branch.address = "вул. Хрещатик, 1"
    branch.save(update_fields=["address"])
    page = client.get(f"/book/{org.slug}/").content.decode()
    assert page.count('data-testid="branch-option"') == 2
    assert "вул. Сагайдачного, 1" in page and "вул. Хрещатик, 1" in page
    assert 'data-testid="service-option"' not in page  # no service before the branch
    base = f"/book/{org.slug}/branch/{branch.pk}/"
    for url in (base, f"{base}?service={svc.pk}&staff=any&date=2030-03-04"):
        page = client.get(url).content.decode()
        assert 'data-testid="booking-place"' in page and "вул. Хрещатик, 1" in page
        assert "Сагайдачного" not in page
    # Each step's links land on the next step, not the top of the page.
    assert "#step-contact" in page and 'id="step-contact"' not in page
    assert 'id="step-slot"' in page
    assert other.pk != branch.pk
