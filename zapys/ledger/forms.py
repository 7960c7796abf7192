"""Staff forms of the ledger and finance pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm
from zapys.core.money import MoneyError, parse_money
from zapys.ledger.models import Entry, FinanceArticle, FinancialOperation, PaymentType

# money received that the client paid: the way is asked (the service refuses it without)
from zapys.ledger.services.entries import PAID_BY_CLIENT


class MoneyField(forms.CharField):
    """Text as typed ("1 234,56", "250 грн") → positive kopecks; never rounded."""

    def __init__(self, *args: Any, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in ("", None):
            return None
        try:
            amount = parse_money(text, (get_language() or "uk")[:2])
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter an amount like 250 or 250,50.")) from exc
        if amount < 0 or (amount == 0 and not self.allow_zero):
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount


class EntryForm(StyledForm):
    # The words of the help text above the form and of the purpose "Payment" (the model's
    # "Paid in"/"Charged" read as a column of a statement, not as what staff add).
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            # "Payment" here repeated the purpose "Payment" right below it (issue 17)
            (Entry.Kind.DEBIT, pgettext_lazy("ledger entry form", "Money received")),
            (Entry.Kind.CREDIT, pgettext_lazy("ledger entry form", "Charge")),
        ],
        widget=forms.RadioSelect,
        initial="debit",
    )
    amount = MoneyField(label=_("Amount, UAH"))
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=Entry.Purpose.choices, initial="payment"
    )
    payment_type = forms.ModelChoiceField(
        label=_("Payment method"), queryset=PaymentType._base_manager.none(), required=False
    )
    account = forms.ModelChoiceField(
        label=_("Balance"), queryset=PaymentType._base_manager.none(), required=False
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args: Any, payment_types: Any, accounts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment_type"].queryset = payment_types  # type: ignore[attr-defined]
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["account"].empty_label = _("Main balance")  # type: ignore[attr-defined]
        self.fields["payment_type"].empty_label = _("Not specified")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, purpose = data.get("kind"), data.get("purpose")
        if kind and purpose and purpose in WRONG_WAY.get(kind, ()):
            self.add_error(
                "purpose",
                _(
                    "This purpose does not go with this kind: a service, a membership sale or "
                    "a fee is a charge; a payment, a top-up or a prepayment is money received."
                ),
            )
        if kind == Entry.Kind.DEBIT and purpose in PAID_BY_CLIENT and not data.get("payment_type"):
            # fifth tour: money recorded as received with «Спосіб оплати: Не вказано» left
            # the till and the day's report without a way it came in
            self.add_error("payment_type", _("Choose how the client paid."))
        return data


# What staff cannot mean: money coming in for "service delivered", a charge called a top-up.
WRONG_WAY = {
    Entry.Kind.DEBIT: (
        Entry.Purpose.SERVICE,
        Entry.Purpose.MEMBERSHIP_SALE,
        Entry.Purpose.FEE,
        Entry.Purpose.SERVICE_FEE,
    ),
    Entry.Kind.CREDIT: (
        Entry.Purpose.PAYMENT,
        Entry.Purpose.TOP_UP,
        Entry.Purpose.PREPAYMENT,
        Entry.Purpose.INVOICE_PAYMENT,
    ),
}


class OperationForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=FinancialOperation.Kind.choices, initial="income"
    )
    amount = MoneyField(label=_("Amount"))
    article = forms.ModelChoiceField(
        label=pgettext_lazy("finance", "Category"),
        queryset=FinanceArticle._base_manager.none(),
        required=False,
    )
    payment_type = forms.ModelChoiceField(
        label=_("Payment method"), queryset=PaymentType._base_manager.none(), required=False
    )
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args: Any, articles: Any, payment_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = articles  # type: ignore[attr-defined]
        self.fields["payment_type"].queryset = payment_types  # type: ignore[attr-defined]


class ReportForm(StyledForm):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=PaymentType._base_manager.none(),
        required=False,
        empty_label=_("All"),  # a filter: empty is every branch, as Purpose and Kind say
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=[("", _("All")), *list(Entry.Purpose.choices)], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *list(Entry.Kind.choices)], required=False
    )
    payment_type = forms.ModelChoiceField(
        label=_("Payment method"),
        queryset=PaymentType._base_manager.none(),
        required=False,
        empty_label=_("All"),
    )
    include_cancelled = forms.BooleanField(label=_("Show cancelled"), required=False)

    def __init__(self, *args: Any, branches: Any, payment_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["payment_type"].queryset = payment_types  # type: ignore[attr-defined]


class PaymentTypeForm(StyledForm):
    method = forms.ChoiceField(
        label=pgettext_lazy("payment method", "Kind"), choices=PaymentType.Method.choices
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(
        label=pgettext_lazy("payment method", "The main one of its kind"), required=False
    )


class ArticleForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=FinanceArticle.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)


class CashDeskForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
