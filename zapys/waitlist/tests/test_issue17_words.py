"""Waiting-list words and layout (issue 17). The "booked" message does not decline the branch's name (issue 17):
"Чекаємо вас у Центр!" read wrong for most names; the name now follows a colon."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation

from tests.factories import SYSTEM
from zapys.waitlist import services
from zapys.waitlist.events import BOOKED, EVENTS


def test_the_booked_message_names_the_branch_after_a_colon():
    _label, text = EVENTS[BOOKED]
    with translation.override("uk"):
        uk = str(text)
    assert "Філія: {branch}." in uk and "у {branch}" not in uk
    with translation.override("en"):
        assert "See you at {branch}!" in str(text)


def _page(staff_client, language: str, url: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return staff_client.get(url).content.decode()


def test_the_list_fits_remove_is_an_icon_and_dates_do_not_break_inside(
    staff_client, org, salon, make_client
):
    _specialist, service = salon
    customer = make_client()
    today = timezone.localdate()
    services.entry_create(
        organization=org,
        client=customer,
        service=service,
        date_from=today,
        date_to=today + timedelta(days=7),
        actor=SYSTEM,
    )
    # the × says what it does, on hover and to a screen reader (issue 17 review: unlabelled)
    for language, word in (("en", "Remove from the list"), ("uk", "Прибрати зі списку")):
        for url in ("/waitlist/", f"/clients/{customer.pk}/waitlist/"):
            html = _page(staff_client, language, url)
            row = html.split('data-testid="entry-row"')[1].split("</tr>")[0]
            # each date whole; on the client's page the period's end on its own line (the
            # one-line period made the table wider than its card at 1366 px, issue 17
            # review); the list says the period on one line under the service
            if url == "/waitlist/":
                dates = row.split('data-testid="entry-dates">')[1].split("</span>")[0]
                assert " – " in dates and "<br>" not in dates
            else:
                dates = row.split('data-testid="entry-dates">')[1].split("</td>")[0]
                assert dates.count('<span class="text-nowrap">') == 2
                assert " –</span><br>" in dates
            button = row.split('<button class="btn btn-outline-danger')[1].split("</button>")[0]
            assert f'title="{word}"' in button and f'aria-label="{word}"' in button, (
                language,
                url,
            )
            assert 'class="bi bi-x-lg" aria-hidden="true"' in button


def test_the_entry_form_says_what_an_empty_choice_means(staff_client, org, salon, make_client):
    customer = make_client()
    for language, words in (
        ("en", ("Any service", "Any specialist", "No group class")),
        ("uk", ("Будь-яка послуга", "Будь-який спеціаліст", "Без групового заняття")),
    ):
        html = _page(staff_client, language, f"/clients/{customer.pk}/waitlist/")
        for word in words:
            assert f'<option value="" selected>{word}</option>' in html, (language, word)
        assert '<option value="" selected>—</option>' not in html
        assert "— choose —" not in html and "— оберіть —" not in html


def test_the_filters_say_all_of_what(staff_client, org, salon):
    """The list's filters name what "all" lets through, like the other lists' filters (a
    bare "All" sat beside the entry form's "— choose —")."""
    for language, words in (
        ("en", ("All statuses", "All services", "All specialists")),
        ("uk", ("Усі статуси", "Усі послуги", "Усі спеціалісти")),
    ):
        html = _page(staff_client, language, "/waitlist/")
        form = html.split('<form method="get"')[1].split("</form>")[0]
        for word in words:
            assert f">{word}</option>" in form, (language, word)
        assert ">All</option>" not in form and ">Усі</option>" not in form
