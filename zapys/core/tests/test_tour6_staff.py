"""Staff pages after the sixth tour: the breadcrumb's label is in the page's language (#25),
the cancellations report is a report in the menu (#30), and the audit trail shows a time
of day as «10:00», not with the database's seconds."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from zapys.core.audit import audit_record
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.core.navigation import navigation_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LITERAL_LABEL = re.compile(r'aria-label="[A-Za-z][^"{]*"')


def test_no_template_has_an_aria_label_in_one_language():
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in ROOT.rglob("*.html")
        for match in LITERAL_LABEL.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.parametrize(("language", "label"), [("uk", "Де ви зараз"), ("en", "Where you are")])
def test_the_breadcrumb_is_labelled_in_the_page_language(staff_client, language, label):
    staff_client.cookies["django_language"] = language
    page = staff_client.get(reverse("catalog:group_new"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<nav aria-label="{label}"><ol class="breadcrumb' in html
    assert 'aria-label="breadcrumb"' not in html


def test_the_cancellations_report_highlights_reports_not_prepayments():
    path = reverse("prepayments:cancellations")
    active = [item["url"] for item in navigation_for("owner", path) if item["active"]]
    assert active == [reverse("reports:index")]
    # the prepayments' own pages stay the prepayments'
    active = [
        item["url"]
        for item in navigation_for("owner", reverse("prepayments:bookings"))
        if item["active"]
    ]
    assert active == [reverse("prepayments:bookings")]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_audit_times_of_day_read_without_seconds(org, actor, language):
    audit_record(
        organization=org,
        actor=actor,
        action="schedule.hours",
        changes={"start": ["10:00:00", "11:30:00"], "end": [time(19, 0), "20:15:00.000000"]},
    )
    row = AuditLog.objects.get(action="schedule.hours")
    row.object_type = "schedule.workinghours"  # read the keys as the working hours' fields
    with translation.override(language):
        (text,) = audit_rows_read([row])
    values = {(change.old, change.new) for change in text.changes}
    assert values == {("10:00", "11:30"), ("19:00", "20:15")}
    assert ":00:00" not in str(values)


@pytest.mark.parametrize(
    ("language", "promise"),
    [
        ("uk", "Визначає слова групових занять (хто веде, що це, де):"),
        ("en", "Sets the words of the group lessons (who leads one, what it is, where):"),
    ],
)
def test_the_kind_of_business_promises_the_group_lessons_words_only(language, promise):
    """«Майстер» is the salon's word for who leads a group lesson; the appointments' pages
    say «Спеціаліст» for every kind, so the hint no longer promises «the words on the pages»
    (#10)."""
    from zapys.core.vocabulary import kinds_hint

    with translation.override(language):
        hint = str(kinds_hint())
    assert hint.startswith(promise)
    assert ("Майстер" if language == "uk" else "Specialist") in hint
