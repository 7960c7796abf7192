"""The date filters of list pages (a period, one day) as styled forms.

Pages used to write `<input type="date">` in their templates: the browser then showed its
own locale's format (mm/dd/yyyy in an English Chrome) and the view read ISO only. Through
`StyledFormMixin` they type and show dd.mm.yyyy like every other date of the product, the
server reads that and ISO (links keep working), and a wrong date is an error on its field
instead of being silently replaced by the default period.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm

#: Filters sit in a row above a list: the small inputs.
_SMALL = {"class": "form-control-sm"}


def _date_field(label: Any) -> forms.DateField:
    attrs = {**_SMALL, "aria-label": label}  # a filter row may show the input without it
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs=attrs))


class _PeriodChecks:
    date_from_name = "date_from"
    date_to_name = "date_to"

    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        start, end = data.get(self.date_from_name), data.get(self.date_to_name)
        if start and end and start > end:
            self.add_error(  # type: ignore[attr-defined]
                self.date_to_name, _("The end of the period is before its start.")
            )
        return data


def period_form(date_from: str = "date_from", date_to: str = "date_to") -> type[StyledForm]:
    """A form of two optional dates under the page's own parameter names (the online sales
    report says `from`/`to`, which cannot be attribute names)."""
    return type(
        "PeriodForm",
        (_PeriodChecks, StyledForm),
        {
            date_from: _date_field(_("From")),
            date_to: _date_field(_("To")),
            "date_from_name": date_from,
            "date_to_name": date_to,
        },
    )


PeriodForm = period_form()


class DayForm(StyledForm):
    day = _date_field(_("Day"))


def filter_dates(
    form_class: type[forms.Form], data: Any, defaults: dict[str, date | None]
) -> tuple[forms.Form, dict[str, date | None]]:
    """The filter's form bound to the query string (unbound, showing the defaults, when the
    query has none of its fields) and the dates to filter by: what was typed when it is
    valid, the default for a field left empty or typed wrong (the form shows its error)."""
    names = list(defaults)
    if any(data.get(name) for name in names):
        form = form_class(data)
        form.is_valid()
        if form.errors:  # a wrong period filters by the default one, said on its field
            return form, dict(defaults)
        values = {name: form.cleaned_data.get(name) or d for name, d in defaults.items()}
        return form, values
    return form_class(initial=defaults), dict(defaults)
