from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Branch, Organization, User
from zapys.accounts.throttling import request_locked_until
from zapys.core.exceptions import DomainError
from zapys.core.forms import StyledForm, StyledFormMixin, StyledModelForm
from zapys.core.iban import IBAN_TYPED_MAX_LENGTH, iban_compact, iban_grouped
from zapys.core.money import MoneyError, parse_money
from zapys.core.phones import display_phone, normalize_phone
from zapys.core.vocabulary import kinds_hint


class ThrottledLoginForm(StyledFormMixin, AuthenticationForm):
    """Django's login form; says when to try again once django-axes locks the sign-in.

    The throttling itself happens in `authenticate()`: axes' backend comes first and
    refuses a locked-out login and address before any password is checked
    (zapys/accounts/throttling.py).
    """

    def clean(self):  # type: ignore[no-untyped-def]
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(self.lockout_message(), code="throttled") from None
            raise

    def lockout_message(self) -> str:
        until = None
        if self.request is not None:  # axes only locks out a request it has seen
            credentials = {"username": self.cleaned_data.get("username")}
            until = request_locked_until(self.request, credentials)
        return lockout_text(until or timezone.now())


def lockout_text(until: datetime) -> str:
    """ "Try again after 14:35" in the reader's language (with the date if not today)."""
    # Round up: "after 14:35" must not be a minute early.
    local = timezone.localtime(until.replace(second=0, microsecond=0) + timedelta(minutes=1))
    if local.date() == timezone.localdate():
        when = date_format(local, "TIME_FORMAT")
    else:
        when = date_format(local, "SHORT_DATETIME_FORMAT")
    return _(
        "Too many failed sign-in attempts. You can try again after %(time)s. "
        "If you have forgotten the password, ask the owner to set a new one."
    ) % {"time": when}


TIME_ZONES = sorted(zoneinfo.available_timezones())
# What a salon in Ukraine or its neighbours picks from: a short list, Kyiv first, in words
# (not the ~600 raw names from Africa/Abidjan). An organization already on another zone
# keeps it (it is added to its own form's choices).
CURATED_TIME_ZONES = [
    ("Europe/Kyiv", _("Kyiv")),
    ("Europe/Warsaw", _("Warsaw")),
    ("Europe/Chisinau", _("Chișinău")),
    ("Europe/Bucharest", _("Bucharest")),
    ("Europe/Vilnius", _("Vilnius")),
    ("Europe/Riga", _("Riga")),
    ("Europe/Tallinn", _("Tallinn")),
    ("Europe/Helsinki", _("Helsinki")),
    ("Europe/Prague", _("Prague")),
    ("Europe/Vienna", _("Vienna")),
    ("Europe/Berlin", _("Berlin")),
    ("Europe/Rome", _("Rome")),
    ("Europe/Madrid", _("Madrid")),
    ("Europe/Paris", _("Paris")),
    ("Europe/Lisbon", _("Lisbon")),
    ("Europe/London", _("London")),
    ("Europe/Istanbul", _("Istanbul")),
    ("Asia/Tbilisi", _("Tbilisi")),
    ("America/New_York", _("New York")),
    ("America/Toronto", _("Toronto")),
    ("UTC", "UTC"),
]


class IbanField(forms.CharField):
    """An IBAN typed or pasted as the bank prints it ("UA21 3223 1300 …") or in one run:
    cleaned to the compact form the record keeps (the model's 34 characters count without
    the spaces), shown back in groups of four (`core.iban`)."""

    def to_python(self, value: Any) -> str:
        return iban_compact(super().to_python(value))

    def prepare_value(self, value: Any) -> str:
        return iban_grouped(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # room for the spaces between the groups; the 34 are checked on the compact form
        return {**super().widget_attrs(widget), "maxlength": str(IBAN_TYPED_MAX_LENGTH)}


class PhoneField(forms.CharField):
    """A phone typed any way ("044 123 45 67", "+38 (044) 123-45-67") is kept as E.164, as
    clients' are (the `tel:` links use it), and shown as every page shows it, «+380 44 123
    45 67» (the form showed the stored «+380441234567»; tour 6, #31)."""

    def to_python(self, value: Any) -> str:
        try:
            return normalize_phone(super().to_python(value) or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from exc

    def prepare_value(self, value: Any) -> str:
        return display_phone(value) if value else ""


class OrganizationSettingsForm(StyledModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=CURATED_TIME_ZONES)
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("UAH", _("UAH — hryvnia")), ("USD", "USD"), ("EUR", "EUR")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = getattr(self.instance, "time_zone", "")
        if current and current not in dict(CURATED_TIME_ZONES) and current in TIME_ZONES:
            field = self.fields["time_zone"]
            field.choices = [*CURATED_TIME_ZONES, (current, current)]  # type: ignore[attr-defined]
        # each kind's own words, from the vocabulary itself (a written list drifted from it)
        self.fields["business_kind"].help_text = kinds_hint()

    class Meta:
        model = Organization
        fields = [
            "name",
            "business_kind",
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
        # "Name" of an organization is its title ("Назва"), not a person's name.
        labels = {"name": pgettext_lazy("organization", "Name")}
        field_classes = {"iban": IbanField, "phone": PhoneField}


def password_rules_help() -> str:
    """The password rules as Django lists them, but the "entirely numeric" one in our own
    words: Django's Ukrainian catalogue has "не може складається" (and, listed before the
    project's apps, it wins over a translation of the same msgid here)."""
    rules = [
        _("Your password cannot be entirely numeric.")
        if isinstance(validator, password_validation.NumericPasswordValidator)
        else validator.get_help_text()
        for validator in password_validation.get_default_password_validators()
    ]
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in rules)))


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    """Django's change-password form with the inputs every other form has."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_rules_help()
        # Django's "Enter the same password as before" reads as "the old password"
        self.fields["new_password2"].help_text = _("Type the new password once more.")


class ApiKeyForm(StyledForm):
    # The suggested name in the page's language (it was the English "API key" on every page).
    name = forms.CharField(label=_("Key name"), max_length=100, initial=_("API key"))


class StaffForm(StyledForm):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.SlugField(label=_("Login"), max_length=150)
    # A new member starts with the least rights: the first choice (Owner) was one careless
    # click from full access.
    role = forms.ChoiceField(
        label=_("Role"), choices=User.Role.choices, initial=User.Role.SPECIALIST
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"),
        queryset=Branch._base_manager.none(),  # the real one is set per organization
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    hourly_rate = forms.CharField(
        label=_("Hourly rate, UAH"),
        required=False,
        help_text=_("Used by the “hourly” prepayment rule, e.g. 450.00"),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )
    is_active = forms.BooleanField(label=_("Account active"), required=False, initial=True)

    def __init__(self, *args, organization, editing: User | None = None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.fields["branches"].queryset = Branch.objects.for_org(organization)  # type: ignore[attr-defined]
        if editing is not None:
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_hourly_rate(self) -> int:

        raw = self.cleaned_data.get("hourly_rate") or "0"
        try:
            value = parse_money(raw, get_language() or "uk")
        except MoneyError as exc:
            raise forms.ValidationError(_("Enter an amount, e.g. 450.00")) from exc
        if value < 0:
            raise forms.ValidationError(_("The hourly rate cannot be negative."))
        return value

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            password_validation.validate_password(password, self.editing)
        return password


class BranchForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_active = forms.BooleanField(
        label=pgettext_lazy("branch", "Active"), required=False, initial=True
    )
