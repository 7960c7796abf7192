"""Staff forms of the top-up app (parsing only; services do the writing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm
from zapys.payments.forms import MoneyField
from zapys.payments.models import PaymentAccount


class TopUpForm(StyledForm):
    amount = MoneyField(label=_("Amount, UAH"))
    account = forms.ModelChoiceField(
        label=_("Payment account"), queryset=PaymentAccount._base_manager.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account_field = self.fields["account"]
        assert isinstance(account_field, forms.ModelChoiceField)
        account_field.queryset = PaymentAccount.objects.filter(is_active=True)
        account_field.empty_label = _("Default payment service")
