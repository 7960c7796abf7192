from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Organization
from zapys.accounts.services import (
    login_failure_record,
    login_failures_clear,
    login_is_throttled,
)
from zapys.core.forms import StyledForm, StyledFormMixin, StyledModelForm


def client_ip(request) -> str | None:  # type: ignore[no-untyped-def]
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledLoginForm(StyledFormMixin, AuthenticationForm):
    """Django's login form, refusing further tries after too many failures (P3)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts. Wait a few minutes and try again, or ask the owner to reset your password."
        ),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username and login_is_throttled(username=username, ip_address=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip_address=ip)
            raise
        login_failures_clear(username=username)
        return cleaned


TIME_ZONES = sorted(zoneinfo.available_timezones())


class OrganizationSettingsForm(StyledModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES])
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("UAH", "UAH — гривня"), ("USD", "USD"), ("EUR", "EUR")]
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "language",
            "time_zone",
            "currency",
            "legal_name",
            "tax_id",
            "iban",
            "bank_name",
            "address",
            "phone",
            "email",
            "offer_url",
        ]


class ApiKeyForm(StyledForm):
    name = forms.CharField(label=_("Key name"), max_length=100, initial="API key")
