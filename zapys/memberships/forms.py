"""Staff forms for plans and selling. They parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.catalog.models import Group, Service, Subject
from zapys.core.forms import StyledForm
from zapys.core.vocabulary import current_words, relabel
from zapys.ledger.forms import MoneyField
from zapys.ledger.models import PaymentType
from zapys.memberships.models import ClientMembership, MembershipPlan


class PlanForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    price = MoneyField(label=_("Price, UAH"), allow_zero=True)
    validity_value = forms.IntegerField(label=_("Validity"), min_value=1, max_value=3660, initial=1)
    validity_unit = forms.ChoiceField(
        label=_("Unit"), choices=MembershipPlan.ValidityUnit.choices, initial="months"
    )
    visits = forms.IntegerField(
        label=pgettext_lazy("membership", "Visits"),
        min_value=1,
        required=False,
        help_text=_("Empty means unlimited"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=MembershipPlan.Kind.choices)
    # «рахунок» is an invoice beside it: the money's place is a balance (issue 17)
    separate_account = forms.BooleanField(
        label=_("Separate membership balance"),
        required=False,
        help_text=_(
            "The money for this membership is kept apart from the client's main balance: "
            "what is paid and owed for it shows on its own."
        ),
    )
    covers_everything = forms.BooleanField(
        label=_("Covers every service and group"),
        required=False,
        initial=True,
        # the lists below are moot while it is ticked: greyed out (app.js)
        widget=forms.CheckboxInput(
            attrs={"data-disables": "[name=services], [name=groups], [name=subjects]"}
        ),
    )
    # Checkbox lists, as every multiple choice in the product (`core/_field.html`): a raw
    # <select multiple> needs Ctrl+click and hides what is chosen.
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service._base_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=Group._base_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    subjects = forms.ModelMultipleChoiceField(
        label=_("Subjects"),
        queryset=Subject._base_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = Service.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["groups"].queryset = Group.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["subjects"].queryset = Subject.objects.filter(is_active=True)  # type: ignore[attr-defined]
        relabel(self, current_words(), subjects="subjects")  # «Напрями» in a salon

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("covers_everything") and not (
            data.get("services") or data.get("groups") or data.get("subjects")
        ):
            self.add_error(
                "covers_everything",
                _("Choose what the plan covers, or tick “covers every service and group”."),
            )
        return data


class SellForm(StyledForm):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=MembershipPlan._base_manager.none())
    mode = forms.ChoiceField(
        label=_("Payment"),
        choices=ClientMembership.SaleMode.choices,
        widget=forms.RadioSelect,
        initial="paid",
        help_text=_(
            "Paid: a charge and a payment of the price. On credit: only the charge, the client "
            "owes the price. Without payment: no entries (for moving existing memberships in)."
        ),
    )
    starts_on = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    payment_type = forms.ModelChoiceField(
        label=_("Payment method"), queryset=PaymentType._base_manager.none(), required=False
    )

    def __init__(self, *args: Any, payment_types: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["payment_type"].queryset = payment_types  # type: ignore[attr-defined]
        self.fields["starts_on"].initial = timezone.localdate()


class RenewForm(StyledForm):
    start = forms.ChoiceField(
        label=_("New period starts"),
        choices=[("end", _("after the current one ends")), ("today", _("today"))],
        initial="end",
    )
    mode = forms.ChoiceField(label=_("Payment"), choices=ClientMembership.SaleMode.choices)
    payment_type = forms.ModelChoiceField(
        label=_("Payment method"), queryset=PaymentType._base_manager.none(), required=False
    )

    def __init__(self, *args: Any, payment_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment_type"].queryset = payment_types  # type: ignore[attr-defined]


class ValidityForm(StyledForm):
    starts_on = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class VisitsForm(StyledForm):
    count = forms.IntegerField(
        label=_("Virtual visits"),
        help_text=_("Visits made without a record in the attendance journal (negative to undo)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
