"""The automatic invoicing page in the administrator's words (issue 17): a rule's period is
one phrase ("Next month", not "Next · Month"); each payment reminder shows the text it will
send (its own, else the organization's reminder template) and can be edited and deleted."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.invoices import rules
from zapys.invoices.models import DunningLevel


@pytest.mark.parametrize(("language", "period"), [("en", "Next month"), ("uk", "Наступний місяць")])
def test_a_rules_period_is_one_phrase(staff_client, owner, org, language, period):
    rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        name="Абонементи",
        method="membership",
        account="all",
        period_type="next",
        period="month",
        channel="sms",
    )
    html = unescape(staff_page(staff_client, owner, language, "invoices:rules"))
    assert f'data-testid="rule-period">{period}</td>' in html
    assert " · Month" not in html and " · Місяць" not in html


@pytest.mark.parametrize(
    ("language", "after"),
    [("en", "3 days after the due date"), ("uk", "Через 3 дні після терміну оплати")],
)
def test_each_reminder_shows_its_text_and_can_be_edited(staff_client, owner, org, language, after):
    """The text each reminder sends, as the client gets it: in the organization's language
    (Ukrainian here) on a page in either, and, with no invoice yet to fill it from, the
    details by their names, never as {bill.amount}."""
    default = (
        "[Ім'я клієнта], нагадуємо про оплату рахунку: [Сума до сплати], сплатити до "
        "[Сплатити до]: [Посилання на рахунок]"
    )
    own = rules.dunning_level_create(
        organization=org, days_from_due=-2, actor=SYSTEM, template="Скоро: {bill.url}"
    )
    bare = rules.dunning_level_create(organization=org, days_from_due=3, actor=SYSTEM)
    html = unescape(staff_page(staff_client, owner, language, "invoices:rules"))
    rows = html.split('data-testid="dunning-level"')[1:]
    assert len(rows) == 2
    assert "Скоро: [Посилання на рахунок]" in rows[0]
    assert after in rows[1] and default in rows[1]  # the text it will send (the org's)
    for level in (own, bare):
        assert f"/finance/invoice-rules/reminders/{level.pk}/" in html
        assert f"/finance/invoice-rules/reminders/{level.pk}/delete/" in html
    page = staff_client.get(f"/finance/invoice-rules/reminders/{bare.pk}/")
    assert page.status_code == 200 and default in unescape(page.content.decode())


def test_editing_and_deleting_a_reminder(staff_client, owner, org):
    first = rules.dunning_level_create(organization=org, days_from_due=-2, actor=SYSTEM)
    second = rules.dunning_level_create(organization=org, days_from_due=3, actor=SYSTEM)
    url = f"/finance/invoice-rules/reminders/{second.pk}/"
    saved = staff_client.post(
        url, {"days": "5", "when": "after", "channel": "sms", "template": "{customer.first_name}!"}
    )
    assert saved.status_code == 302
    second.refresh_from_db()
    assert (second.days_from_due, second.channel, second.template) == (
        5,
        "sms",
        "{customer.first_name}!",
    )
    assert AuditLog.objects.filter(action="dunning_level.update").count() == 1
    # the day of another reminder: a field error, nothing changed
    taken = staff_client.post(url, {"days": "2", "when": "before", "channel": "", "template": ""})
    # (the service's refusal, above the form: "A reminder for this day exists already.")
    assert taken.status_code == 200 and taken.context["form"].non_field_errors()
    second.refresh_from_db()
    assert (second.days_from_due, second.template) == (5, "{customer.first_name}!")
    # a GET does not delete
    assert staff_client.get(f"{url}delete/").status_code == 405
    assert DunningLevel.objects.count() == 2
    deleted = staff_client.post(f"{url}delete/")
    assert deleted.status_code == 302
    assert list(DunningLevel.objects.values_list("pk", flat=True)) == [first.pk]
    assert AuditLog.objects.filter(action="dunning_level.delete").count() == 1


def test_another_organizations_reminder_cannot_be_seen_changed_or_deleted(
    staff_client, owner, org, other_org
):
    from zapys.core.tenancy import org_scope

    with org_scope(other_org):
        theirs = rules.dunning_level_create(
            organization=other_org, days_from_due=-2, actor=SYSTEM, template="Їхній текст"
        )
    url = f"/finance/invoice-rules/reminders/{theirs.pk}/"
    assert staff_client.get(url).status_code == 404
    posted = staff_client.post(
        url, {"days": "7", "when": "after", "channel": "sms", "template": "x"}
    )
    assert posted.status_code == 404
    assert staff_client.post(f"{url}delete/").status_code == 404
    with org_scope(other_org):
        theirs.refresh_from_db()
        assert (theirs.days_from_due, theirs.template) == (-2, "Їхній текст")
        assert DunningLevel.objects.count() == 1
    assert not AuditLog.objects.filter(action__startswith="dunning_level.u").exists()
