"""'Notify me when a time is free' from the online booking page: the link on a day with no
free time, the form, bad input (field errors, nothing written) and the rate limit."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zapys.clients.models import Client
from zapys.waitlist.models import Entry


def _url(org, service, day):
    return f"/book/{org.slug}/waitlist/?service={service.pk}&staff=any&date={day.isoformat()}"


def test_booking_page_offers_notify_me_on_a_day_without_time(client, org, salon):
    _specialist, service = salon
    service.online_booking = True
    service.save(update_fields=["online_booking"])
    far = timezone.localdate() + timedelta(days=3)
    # The specialist works every day 09-18: a day with slots shows no link...
    page = client.get(f"/book/{org.slug}/?service={service.pk}&staff=any&date={far}")
    assert 'data-testid="slot-option"' in page.content.decode()
    assert 'data-testid="notify-me"' not in page.content.decode()
    # ... a day past the specialist's hours (everyone busy) shows it.
    from zapys.schedule.models import WorkingHours

    WorkingHours.objects.all().delete()
    page = client.get(f"/book/{org.slug}/?service={service.pk}&staff=any&date={far}")
    text = page.content.decode()
    assert 'data-testid="notify-me"' in text
    assert f"/book/{org.slug}/waitlist/?service={service.pk}" in text


def test_join_puts_the_client_on_the_list(client, org, salon):
    _specialist, service = salon
    service.online_booking = True
    service.save(update_fields=["online_booking"])
    day = timezone.localdate() + timedelta(days=1)
    url = _url(org, service, day)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Олена Новак",
            "phone": "+380671112233",
            "consent": "on",
            "date_from": day.isoformat(),
            "date_to": (day + timedelta(days=6)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert 'data-testid="join-done"' in response.content.decode()
    entry = Entry.objects.get()
    assert (entry.service_id, entry.date_from, entry.date_to) == (
        service.pk,
        day,
        day + timedelta(days=6),
    )
    assert Client.objects.get(pk=entry.client_id).phone == "+380671112233"


def test_bad_join_shows_field_errors_and_writes_nothing(client, org, salon):
    _specialist, service = salon
    service.online_booking = True
    service.save(update_fields=["online_booking"])
    day = timezone.localdate() + timedelta(days=1)
    url = _url(org, service, day)
    clients_before = Client.objects.count()
    for data, field in (
        ({"name": "A", "phone": "12", "consent": "on"}, "phone"),
        ({"name": "A", "phone": "+380671112233"}, "consent"),
        ({"name": "", "phone": "+380671112233", "consent": "on"}, "name"),
    ):
        data |= {"date_from": day.isoformat(), "date_to": day.isoformat()}
        response = client.post(url, data)
        assert response.status_code == 400, (field, response.status_code)
        assert response.context["form"].errors.get(field), (field, response.context["form"].errors)
    assert not Entry.objects.exists()
    assert Client.objects.count() == clients_before
    # A service that is not booked online, an unknown organization: the 404 page.
    service.online_booking = False
    service.save(update_fields=["online_booking"])
    assert client.get(url).status_code == 404
    assert client.get(f"/book/nobody/waitlist/?service={service.pk}").status_code == 404


def test_the_join_form_has_a_way_back_to_the_times(client, org, salon):
    """The form had no way back: a client who changed their mind had only the browser's
    back button (issue 17 walk)."""
    _specialist, service = salon
    service.online_booking = True
    service.save(update_fields=["online_booking"])
    url = _url(org, service, timezone.localdate() + timedelta(days=1))
    for language, word in (("uk", "Скасувати"), ("en", "Cancel")):
        client.cookies["django_language"] = language  # the page's language switch
        page = client.get(url).content.decode()
        back = f'href="/book/{org.slug}/?service={service.pk}" data-testid="join-cancel">{word}</a>'
        assert back in page, language
    assert not Entry.objects.exists()
