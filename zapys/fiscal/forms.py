"""Staff forms of the fiscal app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Branch
from zapys.core.forms import StyledForm


class RegisterForm(StyledForm):
    """A branch's register. Secrets are write-only: left empty, the stored ones are kept."""

    branch: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    license_key = forms.CharField(
        label=_("Licence key"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Left empty, the stored one is kept."),
    )  # fmt: skip
    cashier_login = forms.CharField(label=_("Cashier's login"), required=False, max_length=200)
    cashier_password = forms.CharField(
        label=_("Cashier's password"), required=False, max_length=200,
        widget=forms.PasswordInput(render_value=False),
    )  # fmt: skip
    cashier_pin = forms.CharField(
        label=_("Cashier's PIN (instead of login and password)"), required=False, max_length=20,
        widget=forms.PasswordInput(render_value=False),
    )  # fmt: skip
    base_url = forms.URLField(
        label=_("API address"), required=False, max_length=300,
        help_text=_("Empty: Checkbox's own address."),
    )  # fmt: skip
    close_shift_at = forms.TimeField(
        label=_("Close the shift at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    fiscalise_card = forms.BooleanField(
        label=_("Fiscal receipts for card payments at the desk too"), required=False,
        help_text=_("Online payments always get one. Tick this when the branch's card "
                    "terminal does not print fiscal receipts itself."),
    )  # fmt: skip

    def __init__(
        self, *args: Any, organization: Any, has_registers: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not has_registers:  # nothing is stored yet: nothing would be kept
            self.fields["license_key"].help_text = ""
        branches = Branch.objects.for_org(organization).filter(is_active=True).order_by("id")
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = branches
        field.empty_label = None  # the first branch, not a row of dashes
