"""Staff forms of invoices: issue from the client card, the list's filters, send, settings;
and the public page's amount (partial payment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.clients.models import Client
from zapys.core.forms import StyledForm
from zapys.invoices.models import Invoice, InvoiceRule
from zapys.ledger.forms import MoneyField
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CHANNEL_LABELS, CHANNELS
from zapys.payments.models import PaymentAccount

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _membership_label(membership: Any) -> str:
    """A membership as the account the money goes to: "Piano 8 · Membership account"."""
    return f"{membership.name} · {membership.account}"


class InvoiceForm(StyledForm):
    """I1: the seed's "Add invoice" window."""

    calculation = forms.ChoiceField(
        label=_("Calculation type"),
        choices=Invoice.Calculation.choices,
        initial=Invoice.Calculation.MANUAL,
        widget=forms.RadioSelect,
    )
    amount = MoneyField(
        label=_("Amount"), required=False, help_text=_("Manual calculation: any amount.")
    )
    membership = forms.ModelChoiceField(
        label=_("Client account"),
        queryset=ClientMembership._base_manager.none(),
        required=False,
        empty_label=_("Base account"),
        help_text=_(
            "The money goes to this account; by membership price, the membership's price is "
            "invoiced."
        ),
    )
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Client._base_manager.none(),
        required=False,
        empty_label=_("The client"),
        help_text=_("Another client who pays (a parent): the link and reminders go to them."),
    )
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    pay_from = forms.DateField(label=_("Payable from"), required=False, widget=DATE)
    pay_until = forms.DateField(
        label=_("Payable until"),
        required=False,
        widget=DATE,
        help_text=_("Empty: not set (payable until archived)."),
    )
    repeatable = forms.BooleanField(label=_("May be paid again"), required=False)
    allow_partial = forms.BooleanField(label=_("Allow partial payment"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.fields["membership"]
        assert isinstance(membership, forms.ModelChoiceField)
        membership.queryset = ClientMembership.objects.filter(
            client=client, status=ClientMembership.Status.ACTIVE
        ).select_related("account")
        membership.label_from_instance = _membership_label  # type: ignore[method-assign,assignment]
        payer = self.fields["payer"]
        assert isinstance(payer, forms.ModelChoiceField)
        payer.queryset = Client.objects.alive().exclude(pk=client.pk).order_by("name")


class InvoiceFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Invoice.Status.choices]
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DATE)
    search = forms.CharField(label=_("Client or number"), required=False, max_length=200)
    rule = forms.ModelChoiceField(
        label=_("Rule"), queryset=InvoiceRule._base_manager.none(), required=False
    )
    client = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ModelChoiceField)
        rule.queryset = InvoiceRule.objects.order_by("name")
        rule.empty_label = _("Any")


class SendForm(StyledForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("As the client prefers")), *((c, CHANNEL_LABELS[c]) for c in CHANNELS)],
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Empty: the organization's template for invoices. Click a tag to insert it."),
    )


class InvoiceSettingsForm(StyledForm):
    payment_account = forms.ModelChoiceField(
        label=_("Payment account"),
        queryset=PaymentAccount._base_manager.none(),
        required=False,
    )
    requisites = forms.CharField(
        label=_("Requisites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Empty: the organization's legal name, tax ID, IBAN, bank and address."),
    )
    offer_url = forms.URLField(
        label=_("Public offer link"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the organization's offer link."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["payment_account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = PaymentAccount.objects.filter(is_active=True)
        account.empty_label = _("Default account")


class PayAmountForm(StyledForm):
    """The public page's amount when partial payment is allowed."""

    amount = MoneyField(label=_("Amount to pay"))
