"""Invoice forms as an administrator reads them (issue 17): the calculation radios laid out
one by one, template help that points to the named buttons (no tag, nor a design
document's "I6"), and "Payment details" rather than the calque "Requisites"."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.factories_ledger import make_client
from zapys.invoices.forms import DunningLevelForm, InvoiceSettingsForm, RuleForm, SendForm


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_calculation_radios_each_sit_in_their_own_form_check(org, staff_client, language):
    member = make_client(org)
    staff_client.cookies["django_language"] = language
    html = staff_client.get(f"/clients/{member.pk}/invoices/new/").content.decode()
    assert 'data-testid="choices-calculation"' in html
    radios = re.findall(
        r'<div class="form-check form-check-inline"><input type="radio" name="calculation"'
        r'[^>]*id="(id_calculation_\d)"[^>]*><label class="form-check-label" for="\1">',
        html,
    )
    assert radios == ["id_calculation_0", "id_calculation_1", "id_calculation_2"]
    assert not re.search(r'<div[^>]*class="form-check-input"', html)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "The buttons below insert the client's and the invoice's details."),
        ("uk", "Кнопки нижче вставляють дані клієнта й рахунку."),
    ],
)
def test_template_help_points_to_the_named_buttons_not_to_tags(org, language, words):
    """The tags are buttons named in words under the field; the help never lists them."""
    with translation.override(language):
        helps = [
            str(RuleForm().fields["template"].help_text),
            str(DunningLevelForm().fields["template"].help_text),
            str(SendForm().fields["text"].help_text),
        ]
    for text in helps:
        assert words in text and "{" not in text and "I6" not in text


@pytest.mark.parametrize(("language", "label"), [("en", "Payment details"), ("uk", "Реквізити")])
def test_the_settings_say_payment_details(org, language, label):
    with translation.override(language):
        assert str(InvoiceSettingsForm().fields["requisites"].label) == label
