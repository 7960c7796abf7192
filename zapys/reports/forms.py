"""Filters of the report pages: the period (core.report_period) and a branch."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Branch
from zapys.core.forms import StyledForm
from zapys.core.report_period import PeriodForm


class MoneyFilterForm(PeriodForm):
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False,
        empty_label=_("All branches"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Branch.objects.filter(is_active=True).order_by("name")


class DayFilterForm(StyledForm):
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False,
        empty_label=_("All branches"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Branch.objects.filter(is_active=True).order_by("name")
