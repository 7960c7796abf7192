"""The shop's buttons and the plan's terms (issue 17 review): each language's button text
defaults to its own language's words, whatever the language of the staff page that saved or
shows it; the editor's placeholders are those defaults; a button grows with its text instead
of a fixed width; a plan says how long a bought membership lasts in a sentence, and no page
shows the plan's kind ("Permanent") beside it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from tests.pages import staff_page
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import selectors
from zapys.online_sales.services import plan_online_get, plan_online_update
from zapys.online_sales.tests.factories import make_sale

UK = "Купити «Yoga 12»"
EN = "Buy “Yoga 12”"


@pytest.fixture
def yoga(org, shop):
    plan = make_plan(org, "Yoga 12", price=90_000, visits=12, validity_value=3)
    plan_online_update(plan=plan, actor=SYSTEM, sell_online=True)
    return plan


def _buttons(client, org, language: str) -> list[str]:
    html = unescape(client.get(f"/shop/{org.slug}/?lang={language}").content.decode())
    return re.findall(r'data-testid="buy-button">([^<]*)</a>', html)


@pytest.mark.parametrize(
    ("typed", "uk", "en"),
    [
        ({}, UK, EN),
        ({"button_text": "Купити йогу"}, "Купити йогу", EN),
        ({"button_text_en": "Get yoga"}, UK, "Get yoga"),
        ({"button_text": "Купити йогу", "button_text_en": "Get yoga"}, "Купити йогу", "Get yoga"),
    ],
)
def test_each_language_defaults_to_its_own_words(client, org, yoga, typed, uk, en):
    plan_online_update(plan=yoga, actor=SYSTEM, **typed)
    assert uk in _buttons(client, org, "uk")
    assert en in _buttons(client, org, "en")
    row = plan_online_get(yoga)
    assert (row.label("uk"), row.label("en")) == (uk, en)


@pytest.mark.parametrize("staff_language", ["uk", "en"])
def test_the_editors_placeholders_are_each_languages_default(
    staff_client, owner, org, yoga, staff_language
):
    html = unescape(staff_page(staff_client, owner, staff_language, "online_sales:button", yoga.pk))
    uk_input = re.search(r'<input[^>]*name="button_text"[^>]*>', html).group(0)
    en_input = re.search(r'<input[^>]*name="button_text_en"[^>]*>', html).group(0)
    assert f'placeholder="{UK}"' in uk_input and 'lang="uk"' in uk_input
    assert f'placeholder="{EN}"' in en_input and 'lang="en"' in en_input
    # a preview and a snippet per language, each opening the plan's page in its language
    assert re.search(rf'data-testid="preview"[^>]*>{UK}</a>', html)
    assert re.search(rf'data-testid="preview-en"[^>]*>{EN}</a>', html)
    snippet_uk = html.split('data-testid="snippet">')[1].split("</textarea>")[0]
    snippet_en = html.split('data-testid="snippet-en">')[1].split("</textarea>")[0]
    assert f"/shop/{org.slug}/{yoga.pk}/?lang=uk" in snippet_uk and f">{UK}</a>" in snippet_uk
    assert f"/shop/{org.slug}/{yoga.pk}/?lang=en" in snippet_en and f">{EN}</a>" in snippet_en
    # the plans list's (Ukrainian) text field too
    plans = unescape(staff_page(staff_client, owner, staff_language, "online_sales:plans"))
    field = re.search(rf'<input[^>]*name="text_{yoga.pk}"[^>]*>', plans).group(0)
    assert f'placeholder="{UK}"' in field


def test_a_button_is_as_wide_as_its_text_needs(org, yoga):
    css = selectors.button_css(plan_online_get(yoga))
    assert "min-width:min(240px,100%);min-height:48px;max-width:100%;" in css
    assert not re.search(r"(^|;)width:", css) and not re.search(r"(^|;)height:", css)


@pytest.mark.parametrize(
    ("language", "terms"),
    [
        ("uk", "Діє 3 місяці від активації · 12 відвідувань"),
        ("en", "Valid for 3 months from activation · 12 visits"),
    ],
)
def test_the_shop_says_how_long_a_membership_lasts_and_never_permanent(
    client, org, yoga, language, terms
):
    sale = make_sale(org, yoga)
    pages = {
        "storefront": f"/shop/{org.slug}/?lang={language}",
        "plan": f"/shop/{org.slug}/{yoga.pk}/?lang={language}",
        "done": f"/shop/done/{sale.token}/?lang={language}",
    }
    for name, url in pages.items():
        html = unescape(client.get(url).content.decode())
        assert f'data-testid="plan-terms">{terms}<' in html, name
        for word in ("Permanent", "Постійн", "Безстроков", "permanent"):
            assert word not in html, (name, word)


@pytest.mark.parametrize(
    ("unit", "value", "uk", "en"),
    [
        ("days", 1, "Діє 1 день від активації", "Valid for 1 day from activation"),
        ("days", 30, "Діє 30 днів від активації", "Valid for 30 days from activation"),
        ("months", 1, "Діє 1 місяць від активації", "Valid for 1 month from activation"),
        ("months", 12, "Діє 12 місяців від активації", "Valid for 12 months from activation"),
    ],
)
def test_validity_reads_as_a_sentence_with_its_plural(unit, value, uk, en):
    from django.utils import translation

    from zapys.online_sales.services import validity_phrase

    plan = MembershipPlan(validity_value=value, validity_unit=unit)
    for language, expected in (("uk", uk), ("en", en)):
        with translation.override(language):
            assert validity_phrase(plan) == expected


def test_a_one_off_plan_says_why_in_words_not_its_kind(staff_client, owner, org, shop):
    trial = make_plan(org, "Trial", price=10_000, kind=MembershipPlan.Kind.ONE_OFF)
    html = unescape(staff_page(staff_client, owner, "uk", "online_sales:plans"))
    row = html.split(f'data-plan="{trial.pk}"')[1].split("</tr>")[0]
    assert "Разовий абонемент (наприклад, пробний) не можна продавати онлайн." in row
    assert "Постійн" not in html
