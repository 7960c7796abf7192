"""Invoice texts in the administrator's words (issue 17): the client's and the invoice's
details are buttons named in the page's language under every invoice text (a rule's, a
reminder's, the one typed when sending), as in the message-template editor, and no page
asks anyone to read "{customer.first_name}"; a reminder's preview is the message exactly as
the client gets it, in the organization's language; a rule that ticks no client status says
it takes any."""

from __future__ import annotations

import re
from datetime import datetime, time
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from tests.months import MONTHS
from tests.pages import staff_page
from zapys.core.tenancy import organization_zone
from zapys.invoices import rules, services
from zapys.invoices.events import TAGS
from zapys.invoices.models import DunningLevel, InvoiceRule
from zapys.messaging.models import Message


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _rule(org, **fields) -> InvoiceRule:
    return rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        **{"name": "Абонементи", "method": "membership", "channel": "sms", **fields},
    )


def _what_a_person_reads(html: str) -> str:
    """The page without what nobody reads: scripts, the buttons' data attributes and what a
    text field holds (a saved text keeps its tags, as the message editor's does)."""
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    html = re.sub(r'data-variable="[^"]*"|data-testid="variable-[^"]*"', "", html)
    return unescape(re.sub(r"<textarea([^>]*)>.*?</textarea>", r"<textarea\1>", html, flags=re.S))


def _chips(html: str) -> list[tuple[str, str]]:
    """(the tag a button inserts, the button's words), in the page's order."""
    found = re.findall(
        r'data-variable="([^"]+)"[^>]*>\s*<i class="bi bi-plus"></i>\s*([^<]+)</button>', html
    )
    return [(tag, unescape(words).strip()) for tag, words in found]


@pytest.mark.parametrize(
    ("language", "first_name", "amount"),
    [("en", "Client's first name", "Amount due"), ("uk", "Ім'я клієнта", "Сума до сплати")],
)
def test_every_invoice_text_offers_its_tags_as_named_buttons(
    staff_client, owner, org, language, first_name, amount
):
    rule = _rule(org, template="{customer.first_name}, до сплати {bill.amount}")
    level = rules.dunning_level_create(organization=org, days_from_due=0, actor=SYSTEM)
    invoice = services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=30_000,
        actor=SYSTEM,
    )
    pages = {
        "rules": ("invoices:rules",),  # the new rule's text and the new reminder's
        "rule": ("invoices:rule_edit", rule.pk),
        "reminder": ("invoices:dunning_edit", level.pk),
        "send": ("invoices:detail", invoice.pk),
    }
    for page, args in pages.items():
        html = staff_page(staff_client, owner, language, *args)
        chips = _chips(html)
        assert chips, page
        assert chips[: len(TAGS)] == [(tag, str(_words(language, tag))) for tag, _label in TAGS]
        assert ("customer.first_name", first_name) in chips and ("bill.amount", amount) in chips
        read = _what_a_person_reads(html)
        assert "{customer." not in read and "{bill." not in read, page
    rules_page = staff_page(staff_client, owner, language, "invoices:rules")
    # two texts on one page, each with its own buttons bound to its own field
    boxes = re.findall(r'data-variable-fields="([^"]+)"', rules_page)
    assert boxes == ["id_template", "id_level_template"]
    assert 'id="id_level_template"' in rules_page and 'id="id_template"' in rules_page


def _words(language: str, tag: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(dict(TAGS)[tag])


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_reminders_preview_is_the_message_the_client_gets(staff_client, owner, org, language):
    """The organization writes to clients in Ukrainian: an English page shows the reminder
    in Ukrainian, filled from an invoice, and says so; the job then sends exactly that."""
    make_console_accounts(org)
    today = services.local_today(org)
    invoice = services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=30_000,
        period_start=today,
        actor=SYSTEM,
    )
    level = rules.dunning_level_create(organization=org, days_from_due=0, actor=SYSTEM)
    due = f"{today.day} {MONTHS['uk'][today.month - 1]}"  # the due date, as the page says it
    expected = (
        f"Оксано, нагадуємо про оплату рахунку: 300,00\xa0грн, сплатити до {due}: {invoice.url}"
    )
    for name, args in (("invoices:rules", ()), ("invoices:dunning_edit", (level.pk,))):
        html = unescape(staff_page(staff_client, owner, language, name, *args))
        assert expected in html, name
        if language == "en":
            assert "This is what the client gets." in html
            assert f"The details are as for invoice {invoice.number} (Марченко Оксана)." in html
            assert "Clients get reminders in Ukrainian, the organization's language." in html
            assert "a reminder to pay" not in html  # not the English default
        else:
            assert "Так це отримає клієнт." in html
            assert "мовою організації" not in html  # the page is in the client's language
    assert rules.dunning_run(datetime.combine(today, time(10), organization_zone(org))) == 1
    assert Message.objects.get(related_id=str(invoice.pk)).text == expected


def test_a_reminders_own_text_is_previewed_filled_in(staff_client, owner, org):
    invoice = services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=30_000,
        actor=SYSTEM,
    )
    level = rules.dunning_level_create(
        organization=org,
        days_from_due=2,
        actor=SYSTEM,
        template="{customer.first_name}: {bill.url}",
    )
    html = unescape(staff_page(staff_client, owner, "en", "invoices:dunning_edit", level.pk))
    assert f"Оксано: {invoice.url}" in html  # as sent: the organization writes in Ukrainian
    assert "The organization's reminder template:" not in html  # it is the reminder's own


def test_the_previews_cost_the_same_for_one_reminder_as_for_five(staff_client, owner, org):
    services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=30_000,
        actor=SYSTEM,
    )
    rules.dunning_level_create(organization=org, days_from_due=0, actor=SYSTEM)
    staff_page(staff_client, owner, "uk", "invoices:rules")  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("invoices:rules")).status_code == 200
        return len(captured)

    one = queries()
    for days, template in ((1, "Текст {bill.url}"), (2, ""), (3, "{customer.name}"), (5, "")):
        rules.dunning_level_create(
            organization=org, days_from_due=days, actor=SYSTEM, channel="email", template=template
        )
    assert DunningLevel.objects.count() == 5
    assert queries() == one


@pytest.mark.parametrize(
    ("language", "any_status", "none_ticked", "ticked"),
    [
        ("en", "Client status: any", "Nothing ticked: any status.", "Client status: Active, Lead"),
        (
            "uk",
            "Статус клієнта: будь-який",
            "Нічого не позначено — будь-який статус.",
            "Статус клієнта: Відвідує, Потенційний клієнт",
        ),
    ],
)
def test_no_ticked_status_reads_as_any_status(
    staff_client, owner, org, language, any_status, none_ticked, ticked
):
    every = _rule(org, name="Усім")
    some = _rule(org, name="Декому", filters={"client_status": ["active", "lead"]})
    html = unescape(staff_page(staff_client, owner, language, "invoices:rules"))
    audiences = dict(
        re.findall(
            r'<a href="[^"]*\?rule=(\d+)">[^<]*</a>.*?data-testid="rule-audience">([^<]*)</td>',
            html,
            flags=re.S,
        )
    )
    assert audiences == {str(every.pk): any_status, str(some.pk): ticked}
    # the form says what none ticked means, beside the checkboxes (new rule and edit)
    for page in (
        html,
        unescape(staff_page(staff_client, owner, language, "invoices:rule_edit", every.pk)),
    ):
        fieldset = page.split('data-testid="client-status"')[1].split("</fieldset>")[0]
        assert none_ticked in fieldset
