"""Staff forms of the payments app (parsing only; services do the writing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.collation import ukrainian_sort_key
from zapys.core.forms import StyledForm
from zapys.core.money import MoneyError, parse_money
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.purposes import purposes_discover


class MoneyField(forms.Field):
    """Hryvnias as typed by a person ("150", "150,50") → integer kopecks."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": "20"})

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            amount = parse_money(text, "uk")
        except (MoneyError, ValueError) as exc:
            raise forms.ValidationError(_("Enter an amount, e.g. 150 or 150,50.")) from exc
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be greater than zero."))
        return amount


class PaymentAccountForm(StyledForm):
    provider = forms.ChoiceField(
        label=_("Payment service"), choices=PaymentAccount.Provider.choices
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    public_key = forms.CharField(label=_("LiqPay public key"), required=False)
    private_key = forms.CharField(
        label=_("LiqPay private key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    sandbox = forms.BooleanField(label=_("LiqPay test mode"), required=False)
    merchant_account = forms.CharField(
        label=_("WayForPay shop login (Merchant login)"), required=False
    )
    secret_key = forms.CharField(
        label=_("WayForPay secret key"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    merchant_domain = forms.CharField(label=_("WayForPay shop domain"), required=False)
    is_default = forms.BooleanField(label=_("Use by default"), required=False)

    #: The inputs each provider uses: the page shows only the chosen provider's (the
    #: sandbox needs none). Its script reads `data-codes` (as messaging's account form).
    PROVIDER_FIELDS = {
        "public_key": "liqpay",
        "private_key": "liqpay",
        "sandbox": "liqpay",
        "merchant_account": "wayforpay",
        "secret_key": "wayforpay",
        "merchant_domain": "wayforpay",
    }

    def __init__(
        self,
        *args: Any,
        account: PaymentAccount | None = None,
        masked: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        for name, provider in self.PROVIDER_FIELDS.items():
            self.fields[name].widget.attrs["data-codes"] = provider
        if account is not None:
            self.fields["provider"].disabled = True
            self.fields["provider"].initial = account.provider
            # The stored key by its last characters, under its own label (the page once
            # listed them by their raw names: "private_key").
            for name in ("private_key", "secret_key"):
                stored = (masked or {}).get(name)
                self.fields[name].help_text = (
                    _("Stored: %(key)s. Leave empty to keep it.") % {"key": stored}
                    if stored
                    else _("Leave empty to keep the stored key.")
                )

    def credentials(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("public_key", "private_key", "merchant_account", "secret_key", "merchant_domain")
        creds: dict[str, Any] = {key: data.get(key, "") for key in keys}
        if data.get("provider") == "liqpay" or (self.account and self.account.provider == "liqpay"):
            creds["sandbox"] = bool(data.get("sandbox"))
        return creds


class RefundForm(StyledForm):
    amount = MoneyField(
        label=_("Amount to refund, UAH"),
        required=False,
        help_text=_("Leave empty to refund everything that is left."),
    )


def _purpose_choices() -> list[tuple[str, str]]:
    declared = sorted(
        ((key, str(p.label)) for key, p in purposes_discover().items()),
        key=lambda choice: ukrainian_sort_key(choice[1]),
    )
    return [("", str(_("Any"))), *declared]


class PaymentFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Payment.Status.choices]
    )
    provider = forms.ChoiceField(
        label=_("Payment service"),
        required=False,
        choices=[("", _("Any")), *PaymentAccount.Provider.choices],
    )
    # The ways of getting paid the installed apps declare, by their labels.
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=_purpose_choices)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    held = forms.BooleanField(label=_("Held for review"), required=False)
    search = forms.CharField(label=_("Client or order"), required=False)
