"""Staff forms of the checkout (parsing only; the service decides what adds up)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm
from zapys.payments.forms import MoneyField


class SplitForm(StyledForm):
    """The split payment: part cash, part card, part on the balance (any may be empty)."""

    cash = MoneyField(label=_("Cash, UAH"), required=False)
    card = MoneyField(label=_("Card, UAH"), required=False)
    # The client's balance goes below zero by this much: they owe it (not a top-up).
    balance = MoneyField(label=_("From the balance (on credit), UAH"), required=False)

    def payments(self) -> list[tuple[str, int]]:
        return [
            (m, self.cleaned_data[m])
            for m in ("cash", "card", "balance")
            if self.cleaned_data.get(m)
        ]


class ClientChoice(forms.Form):
    client_id = forms.IntegerField(min_value=1, required=False)


#: The longest period the unpaid list covers: its amounts due read the memberships once
#: per (service, day), so a long period costs as many reads.
UNPAID_MAX_DAYS = 62


class UnpaidFilterForm(StyledForm):
    """The unpaid visits' filters: a period (today by default), a branch, a specialist."""

    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("today", _("Today")),
            ("yesterday", _("Yesterday")),
            ("week", _("This week")),
            ("custom", _("Chosen dates")),
        ],
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput())
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All my branches")
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Specialist"), queryset=None, required=False, empty_label=_("All specialists")
    )

    def __init__(self, *args: Any, branches: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if data.get("period") == "custom" or ((start or end) and not data.get("period")):
            if not start:
                self.add_error("date_from", _("Choose the first day."))
            if not end:
                self.add_error("date_to", _("Choose the last day."))
            if start and end and end < start:
                self.add_error("date_to", _("The last day is before the first."))
            elif start and end and (end - start).days + 1 > UNPAID_MAX_DAYS:
                self.add_error(
                    "date_to",
                    _("Choose at most %(days)s days.") % {"days": UNPAID_MAX_DAYS},
                )
        return data

    def days(self, today: date) -> tuple[date, date]:
        """The first and last day chosen (today while the form is unbound or invalid)."""
        if not (self.is_bound and self.is_valid()):
            return today, today
        data = self.cleaned_data
        preset = data.get("period") or ("custom" if data.get("date_from") else "today")
        if preset == "custom":
            return data["date_from"], data["date_to"]
        if preset == "yesterday":
            return today - timedelta(days=1), today - timedelta(days=1)
        if preset == "week":
            return today - timedelta(days=today.weekday()), today
        return today, today
