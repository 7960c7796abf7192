"""Form helpers: Bootstrap classes on every widget, so templates stay plain."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.exceptions import DomainError

# Dates and times are typed the Ukrainian way, whatever the browser's language: the native
# `<input type=date>` follows the browser's locale (an English Chrome shows mm/dd/yyyy and
# AM/PM), not the page's, and its format cannot be set. A text input with the format as a
# placeholder shows "03.12.2026" and "09:30" everywhere; the server reads that and ISO (links,
# scripts and API-minded tests send ISO). No picker script: nothing to load, nothing to break.
DATE_FORMAT = "%d.%m.%Y"
TIME_FORMAT = "%H:%M"
DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"
DATE_INPUTS = [DATE_FORMAT, "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"]
TIME_INPUTS = [TIME_FORMAT, "%H:%M:%S", "%H.%M"]
DATETIME_INPUTS = [
    DATETIME_FORMAT,
    f"{DATE_FORMAT} {TIME_INPUTS[1]}",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%y %H:%M",
]


class _TypedDateMixin:
    """Shows an ISO string (a link's `?at=2026-12-03T10:00` as the form's initial) in the
    input's format too, not as the link wrote it."""

    parse: Any = None

    def format_value(self, value: Any) -> Any:
        if isinstance(value, str) and self.parse is not None:
            # What a person typed is not ISO: shown back as typed, with its error.
            with contextlib.suppress(ValueError):
                value = self.parse(value)
        return super().format_value(value)  # type: ignore[misc]


class TypedDateInput(_TypedDateMixin, forms.DateInput):
    parse = staticmethod(date.fromisoformat)


class TypedTimeInput(_TypedDateMixin, forms.TimeInput):
    parse = staticmethod(time.fromisoformat)


class TypedDateTimeInput(_TypedDateMixin, forms.DateTimeInput):
    parse = staticmethod(datetime.fromisoformat)


def ukrainian_date_inputs(field: forms.Field) -> None:
    """Make a date, time or date-and-time field a text input in dd.mm.yyyy / hh:mm that
    accepts those and ISO. Applied to every field of a styled form (`StyledFormMixin`)."""
    widget = field.widget
    if isinstance(widget, forms.DateTimeInput):
        kind, fmt, inputs, hint = (
            "datetime",
            DATETIME_FORMAT,
            DATETIME_INPUTS,
            _("dd.mm.yyyy hh:mm"),
        )
        typed: forms.Widget = TypedDateTimeInput(attrs=widget.attrs, format=fmt)
    elif isinstance(widget, forms.DateInput):
        kind, fmt, inputs, hint = "date", DATE_FORMAT, DATE_INPUTS, _("dd.mm.yyyy")
        typed = TypedDateInput(attrs=widget.attrs, format=fmt)
    elif isinstance(widget, forms.TimeInput):
        kind, fmt, inputs, hint = "time", TIME_FORMAT, TIME_INPUTS, _("hh:mm")
        typed = TypedTimeInput(attrs=widget.attrs, format=fmt)
    else:
        return
    typed.is_required = widget.is_required
    typed.is_localized = widget.is_localized
    typed.attrs.pop("type", None)
    typed.attrs.setdefault("placeholder", hint)
    typed.attrs.update({"inputmode": "numeric", "autocomplete": "off", "data-input": kind})
    typed.attrs["maxlength"] = 19  # "2026-12-03T10:15:00", the longest accepted
    field.widget = typed
    if isinstance(field, (forms.DateField, forms.TimeField, forms.DateTimeField)):
        field.input_formats = inputs


def form_add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form: each field error on its field (the API's
    `branch_id` is the form's `branch`), anything else — and a refusal without field errors —
    above the form."""
    errors = exc.errors or [{"field": "", "message": exc.detail}]
    for error in errors:
        field = error.get("field") or ""
        if field not in form.fields:
            field = field.removesuffix("_id")
        form.add_error(field if field in form.fields else None, error["message"])


def quiet_hours_fields(
    *, from_label: Any, to_label: Any, help_text: Any
) -> tuple[forms.TimeField, forms.TimeField]:
    """The two fields of an organization's quiet hours, the hours its clients are sent
    nothing (`core.dates.quiet_until`): `quiet_from, quiet_to = quiet_hours_fields(...)` in
    a form's body. Typed hh:mm like every time of a styled form; the labels say what is kept
    quiet (reminders, offers) and the help what happens to it at night."""
    return (
        forms.TimeField(label=from_label, widget=forms.TimeInput()),
        forms.TimeField(label=to_label, widget=forms.TimeInput(), help_text=help_text),
    )


#: Django's empty choice, "---------", says nothing to an administrator in either language.
_DASHES = "---------"
EMPTY_CHOICE = _("— choose —")


def _words_for_the_empty_choice(field: forms.Field) -> None:
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == _DASHES:
            field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0] == ("", _DASHES):
            field.choices = [("", EMPTY_CHOICE), *choices[1:]]


class StyledFormMixin:
    """Adds Bootstrap's classes to widgets; `is-invalid` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            ukrainian_date_inputs(field)
            _words_for_the_empty_choice(field)
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)
            ):
                # A list's options copy the widget's attrs, and so would the list's own
                # <div> if `{{ field }}` drew it: Bootstrap then draws one tiny checkbox
                # with every option spilling over the next field. `core/_field.html`
                # draws only the options, each in its own .form-check.
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass
