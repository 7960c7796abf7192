"""Checkbox lists and radio groups on every styled form (issue 17, root cause A): each option
in its own .form-check with its label, never Django's one <div> that Bootstrap drew as a
single tiny checkbox with the options spilling over the next field. And amounts pre-filled
in the page's language."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from zapys.core.forms import StyledForm
from zapys.core.money import money_input, parse_money


class _Form(StyledForm):
    colours = forms.MultipleChoiceField(
        label="Colours",
        choices=[("red", "Red"), ("green", "Green")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Any number of them.",
    )
    size = forms.ChoiceField(
        label="Size", choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect
    )
    nothing = forms.MultipleChoiceField(
        label="Nothing", choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )


def _render(form: forms.Form, name: str) -> str:
    return render_to_string("core/_field.html", {"field": form[name]})


def test_each_checkbox_sits_in_its_own_form_check_with_its_label():
    html = _render(_Form(initial={"colours": ["green"]}), "colours")
    assert '<fieldset class="mb-3" data-testid="choices-colours">' in html
    assert "<legend" in html and "Colours" in html and "Any number of them." in html
    options = re.findall(
        r'<div class="form-check">(<input [^>]*>)<label class="form-check-label" '
        r'for="(id_colours_\d)">(\w+)</label></div>',
        html,
    )
    assert [(label_for, label) for _, label_for, label in options] == [
        ("id_colours_0", "Red"),
        ("id_colours_1", "Green"),
    ]
    for tag, label_for, _ in options:
        assert 'type="checkbox"' in tag and 'class="form-check-input"' in tag
        assert f'id="{label_for}"' in tag
    assert "checked" in options[1][0] and "checked" not in options[0][0]
    # The list itself is not drawn as one more checkbox.
    assert not re.search(r'<div[^>]*class="form-check-input"', html)


def test_radios_sit_inline_with_the_required_mark_and_the_error():
    form = _Form(data={"size": "xl"})
    assert not form.is_valid()
    html = _render(form, "size")
    assert html.count('<div class="form-check form-check-inline"><input type="radio"') == 2
    assert '<span class="text-danger">*</span>' in html
    assert 'class="invalid-feedback d-block"' in html
    assert not re.search(r'<div[^>]*class="form-check-input', html)


@pytest.mark.parametrize(("language", "words"), [("uk", "Поки немає з чого обрати."), ("en", "Nothing to choose from yet.")])  # fmt: skip
def test_an_empty_list_says_so(language, words):
    with translation.override(language):
        html = _render(_Form(), "nothing")
    assert words in html and "form-check-input" not in html


def test_other_fields_keep_their_layout():
    class Plain(StyledForm):
        name = forms.CharField(label="Name")
        agree = forms.BooleanField(label="Agree", required=False)

    form = Plain()
    assert '<label class="form-label" for="id_name">' in _render(form, "name")
    agree = _render(form, "agree")
    assert '<div class="form-check">' in agree and "<fieldset" not in agree


@pytest.mark.parametrize(
    ("language", "kopecks", "text"),
    [("uk", 30000, "300,00"), ("en", 30000, "300.00"), ("uk", 45050, "450,50"),
     ("en", 123456789, "1234567.89"), ("en-us", 5, "0.05"), ("uk", 0, "0,00")],
)  # fmt: skip
def test_money_input_follows_the_language_and_reads_back(language, kopecks, text):
    with translation.override(language):
        assert money_input(kopecks) == text
    assert money_input(kopecks, language) == text
    assert parse_money(text, language[:2]) == kopecks
