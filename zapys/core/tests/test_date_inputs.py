"""Dates and times are typed and shown the Ukrainian way in every styled form (issue 17): the
browser's native date input followed the browser's locale and showed mm/dd/yyyy."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django import forms
from django.utils import translation

from zapys.core.forms import StyledForm


class _Form(StyledForm):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    at = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    starts = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    name = forms.CharField(required=False)


@pytest.mark.parametrize("language", ["uk", "en"])
def test_initial_values_render_as_dd_mm_yyyy_in_text_inputs(language):
    with translation.override(language):
        form = _Form(initial={"day": date(2026, 12, 3), "at": time(9, 5), "starts": None})
        html = str(form["day"]) + str(form["at"]) + str(form["starts"])
    assert 'value="03.12.2026"' in html and 'value="09:05"' in html
    assert 'type="date"' not in html and 'type="time"' not in html
    assert 'type="datetime-local"' not in html
    assert html.count('type="text"') == 3 and 'inputmode="numeric"' in html
    placeholder = "дд.мм.рррр" if language == "uk" else "dd.mm.yyyy"
    assert f'placeholder="{placeholder}"' in html
    assert 'data-input="date"' in html and 'class="form-control"' in html
    assert "data-input" not in str(_Form()["name"])  # other inputs are left alone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03.12.2026", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("3.12.26", date(2026, 12, 3)),
    ],
)
def test_dates_are_read_as_typed_and_as_iso(typed, expected):
    form = _Form(data={"day": typed, "at": "18:30", "starts": "04.12.2026 10:15"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected
    assert form.cleaned_data["at"] == time(18, 30)
    assert form.cleaned_data["starts"].replace(tzinfo=None) == datetime(2026, 12, 4, 10, 15)


def test_the_iso_of_links_and_scripts_is_still_read():
    form = _Form(data={"day": "2026-12-03", "at": "18:30:00", "starts": "2026-12-04T10:15"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts"].replace(tzinfo=None) == datetime(2026, 12, 4, 10, 15)


def test_a_month_first_date_is_a_field_error_not_a_wrong_day():
    form = _Form(data={"day": "12/31/2026"})
    assert not form.is_valid() and list(form.errors) == ["day"]
    assert 'value="12/31/2026"' in str(form["day"]) and "is-invalid" in str(form["day"])


def test_an_iso_initial_from_a_link_is_shown_the_ukrainian_way():
    """The calendar opens the visit form with `?at=2026-12-03T10:00`."""
    form = _Form(initial={"day": "2026-12-03", "starts": "2026-12-03T10:00"})
    assert 'value="03.12.2026"' in str(form["day"])
    assert 'value="03.12.2026 10:00"' in str(form["starts"])
