"""The audit log names a prepayment rule in words, in the reader's language (fifth tour):
«Не вимагати передоплату: Стрижка жіноча, клієнти з тегом «VIP», онлайн-запис», not
"waive #1" (the action's key and the row's id) — a deleted rule too, by the text stored
when it was written."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from zapys.catalog.models import Service
from zapys.clients.models import Tag
from zapys.core.audit import audit_record
from zapys.core.audit_reading import audit_rows_read
from zapys.prepayments.models import PrepaymentRule


def _named(rule: PrepaymentRule, language: str) -> str:
    with translation.override(language):
        return str(rule)


def test_a_rule_is_named_by_what_it_does_and_to_which_visits():
    rule = PrepaymentRule(
        action="waive",
        service=Service(name="Стрижка жіноча"),
        tag=Tag(name="VIP"),
        source="online",
    )
    assert _named(rule, "uk") == (
        "Не вимагати передоплату: Стрижка жіноча, клієнти з тегом «VIP», онлайн-запис"
    )
    assert _named(rule, "en") == (
        "Waive prepayment: Стрижка жіноча, clients tagged “VIP”, online self-booking"
    )


def test_a_rule_for_dates_and_a_rule_for_every_visit():
    dated = PrepaymentRule(action="require", date_from=date(2026, 12, 20), date_to=date(2027, 1, 3))
    assert _named(dated, "uk") == "Вимагати передоплату: 20 грудня 2026 – 3 січня 2027"
    assert _named(dated, "en") == "Require prepayment: 20 December 2026 – 3 January 2027"
    since = PrepaymentRule(action="require", date_from=date(2026, 12, 20))
    assert _named(since, "uk") == "Вимагати передоплату: з 20 грудня 2026"
    until = PrepaymentRule(action="waive", date_to=date(2026, 12, 31), source="staff")
    assert _named(until, "en") == "Waive prepayment: until 31 December 2026, booked by staff"
    every = PrepaymentRule(action="require")
    assert _named(every, "uk") == "Вимагати передоплату: усі візити"
    assert _named(every, "en") == "Require prepayment: every visit"


@pytest.mark.django_db
def test_a_deleted_rule_reads_in_words_on_the_log(org):
    service = Service.objects.create(organization=org, name="Манікюр")
    rule = PrepaymentRule.objects.create(organization=org, action="waive", service=service)
    rule = PrepaymentRule.objects.get(pk=rule.pk)  # as a service loads it: nothing joined
    with translation.override("uk"):  # the settings page's request
        row = audit_record(
            organization=org, actor=SYSTEM, action="prepayment_rule.delete", obj=rule
        )
    rule.delete()
    for language in ("uk", "en"):
        with translation.override(language):
            (read,) = audit_rows_read([row])
        # a deleted object reads as it was named when written: in words, never a key or id
        assert read.object_text == "Не вимагати передоплату: Манікюр"
