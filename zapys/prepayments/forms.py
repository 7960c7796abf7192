"""Forms of the prepayment settings tabs, the booking dialog and the report filters.

Forms only parse input; the services validate the business rules (their DomainError is
put back on the form as a field error by the views)."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.files import File
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from PIL import Image, UnidentifiedImageError

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Service
from zapys.clients.models import Tag
from zapys.core.forms import StyledForm, StyledModelForm
from zapys.core.money import MoneyError, parse_money
from zapys.ledger.models import FinanceArticle
from zapys.payments.models import PaymentAccount
from zapys.prepayments.models import (
    Booking,
    BookingType,
    CancellationPolicy,
    PrepaymentRule,
    PrepaymentSettings,
)
from zapys.schedule.models import VisitStatus

MAX_BACKGROUND_BYTES = 4 * 1024 * 1024
MAX_BACKGROUND_SIDE = 2400
#: A 40-megapixel photo (e.g. 8000 × 5000) is the largest background decoded. The limit
#: is checked on the header, before decoding: a 4 MB file can declare 13,300 × 13,300
#: pixels, which decoded took a web worker from 139 MB to 817 MB.
MAX_BACKGROUND_PIXELS = 40_000_000

# Pillow's own backstop for every image this process opens: a warning above this many
# pixels and DecompressionBombError at `Image.open` above twice as many (its default,
# ~89 million, let the 13,300 × 13,300 file through with a warning).
Image.MAX_IMAGE_PIXELS = MAX_BACKGROUND_PIXELS

#: «Automatic» (empty) leaves the channel to the order set for the payment link in Settings →
#: Messages → «Channel order» (`choose_route`); any other choice replaces that order for the
#: prepayment's messages. It said "messenger if linked, else SMS", which the order may not be.
CHANNEL_CHOICES = [
    ("", _("Automatic (by the channel order in the messaging settings)")),
    ("sms", "SMS"),
    ("telegram", "Telegram"),
    ("viber", "Viber"),
    ("email", _("E-mail")),
]

# English quotes on the English page (the model's help text has «»; changing it there is a
# migration, and the form is where the page reads it).
REQUIRE_FOR_ONLINE_HELP = _("Unless a rule on the “Prepayment types and finance” tab waives it.")

TAB_FIELDS: dict[str, list[str]] = {
    "main": ["enabled", "require_for_online", "default_channel"],
    "term": [
        "link_lifetime_hours",
        "release_before_start_minutes",
        "auto_cancel",
        "auto_cancel_after_minutes",
        "cancel_status",
        "reminder_enabled",
        "reminder_hours_before",
    ],
    "system": ["payment_account"],
    "finance": ["income_article", "status_after_payment", "status_after_create", "topup_branch"],
    "messages": ["send_link", "send_paid", "send_expired", "send_cancelled", "send_reminder"],
    "page": [
        "page_language",
        "page_theme",
        "page_business_name",
        # each English version right under its main text
        "page_subtitle",
        "page_subtitle_en",
        "page_call_to_action",
        "page_call_to_action_en",
        "page_show_prices",
        "page_background",
        "page_expired_message",
        "page_expired_message_en",
    ],
    "agreement": ["agreement_enabled", "agreement_text", "agreement_text_en"],
    "policy": ["cancellation_policy"],
}


def _system_status_as_the_default(form: Any, qs: Any) -> Any:
    """The cancellation statuses to choose from. The schedule's system status for unpaid
    cancellations (used when none is chosen) is the empty choice, named, rather than an
    option of its own: one status, one meaning in the list, and no "dedicated" twin to
    create (the template offers that button only when the system status is missing)."""
    system = qs.filter(code="cancelled_unpaid", is_system=True).first()
    if system is None:
        return qs
    form.system_cancel_status = system
    field = form.fields["cancel_status"]
    field.empty_label = _("%(name)s (system status)") % {"name": system.display_name}
    field.help_text = _(
        "Visits whose prepayment did not arrive in time are cancelled into this status. "
        "Administrators cannot set a system status by hand."
    )
    if form.instance.cancel_status_id == system.pk:
        return qs  # chosen by name earlier (through the API): still shown as chosen
    return qs.exclude(pk=system.pk)


def _default_channel_help() -> str:
    """Which of the two channel settings wins, with a link to the other one (sixth tour
    #28): «Automatic» is the messaging settings' order, any channel here replaces it."""
    return format_html(
        '{} <a href="{}#channel-order">{}</a>. {}',
        _("“Automatic”: the order set for the payment link in"),
        reverse("messaging:settings"),
        _("Settings → Messages → Channel order"),
        _(
            "A channel chosen here, or when a prepayment is requested, is used instead of "
            "that order for all the prepayment's messages."
        ),
    )


def settings_form_class(tab: str) -> type[StyledModelForm]:
    fields = TAB_FIELDS[tab]

    class Form(StyledModelForm):
        class Meta:
            model = PrepaymentSettings
            fields = TAB_FIELDS[tab]
            field_classes = {"page_background": BackgroundImageField}
            help_texts = {"require_for_online": REQUIRE_FOR_ONLINE_HELP}
            widgets = {
                "default_channel": forms.Select(choices=CHANNEL_CHOICES),
                "page_expired_message": forms.Textarea(attrs={"rows": 3}),
                "page_expired_message_en": forms.Textarea(attrs={"rows": 3}),
                "agreement_text": forms.Textarea(attrs={"rows": 12}),
                "agreement_text_en": forms.Textarea(attrs={"rows": 12}),
                "page_background": forms.ClearableFileInput(attrs={"accept": "image/jpeg"}),
            }

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            org = self.instance.organization
            #: The schedule's seeded "Cancelled: booking unpaid" (`cancel_status_for` uses it
            #: when none is chosen); None in an organization seeded before it existed.
            self.system_cancel_status: VisitStatus | None = None
            for name in ("cancel_status", "status_after_payment", "status_after_create"):
                if name in self.fields:
                    qs = VisitStatus.objects.for_org(org).filter(is_active=True)
                    if name == "cancel_status":
                        qs = _system_status_as_the_default(self, qs.filter(is_cancellation=True))
                    self.fields[name].queryset = qs  # type: ignore[attr-defined]
            if "default_channel" in self.fields:
                self.fields["default_channel"].help_text = _default_channel_help()
            if "release_before_start_minutes" in self.fields:
                # Older forms (and API-less scripts) post the tab without it: keep the value.
                self.fields["release_before_start_minutes"].required = False
            if "cancellation_policy" in self.fields:
                self.fields["cancellation_policy"].queryset = (  # type: ignore[attr-defined]
                    CancellationPolicy.objects.for_org(org).filter(is_active=True)
                )
            if "payment_account" in self.fields:
                self.fields["payment_account"].queryset = (  # type: ignore[attr-defined]
                    PaymentAccount.objects.for_org(org).filter(is_active=True)
                )
            if "income_article" in self.fields:
                self.fields["income_article"].queryset = (  # type: ignore[attr-defined]
                    FinanceArticle.objects.for_org(org).filter(kind="income", is_archived=False)
                )
            if "topup_branch" in self.fields:
                self.fields["topup_branch"].queryset = (  # type: ignore[attr-defined]
                    Branch.objects.for_org(org)
                )

    Form.__name__ = f"PrepaymentSettings{tab.title()}Form"
    _ = fields
    return Form


class BackgroundImageField(forms.ImageField):
    """The payment page's background: a JPEG, checked from its header, stored re-encoded.

    Django's ImageField opens the upload with Pillow before any `clean_*` method runs and
    reports anything Pillow refuses — a decompression bomb included — as "not an image";
    this field reads the header itself and says what is wrong."""

    def to_python(self, data: Any) -> Any:
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return reencode_jpeg(upload)


def _too_large() -> forms.ValidationError:
    return forms.ValidationError(
        _("The image is too large: at most %(megapixels)s megapixels (e.g. 8000 × 5000).")
        % {"megapixels": MAX_BACKGROUND_PIXELS // 1_000_000}
    )


def reencode_jpeg(upload: File) -> InMemoryUploadedFile:
    """Accept a JPEG up to 4 MB and 40 megapixels, and store a re-encoded copy (no
    metadata, at most 2400 px a side), never the bytes the browser sent.

    `Image.open` reads only the header, so the size is refused before a pixel is
    decoded; the decoder then works at the smallest JPEG scale (1/2, 1/4, 1/8) that
    still covers the stored size (`draft`), so a 40-megapixel photo decodes to about a
    quarter of its pixels."""
    if upload.size and upload.size > MAX_BACKGROUND_BYTES:
        raise forms.ValidationError(_("The image is larger than 4 MB."))
    try:
        image: Any = Image.open(upload)
    except Image.DecompressionBombError as exc:
        raise _too_large() from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise forms.ValidationError(_("Upload a JPEG image.")) from exc
    if image.format != "JPEG":
        raise forms.ValidationError(_("Upload a JPEG image."))
    width, height = image.size
    if width * height > MAX_BACKGROUND_PIXELS:
        raise _too_large()
    image.draft("RGB", (MAX_BACKGROUND_SIDE, MAX_BACKGROUND_SIDE))
    try:
        image.load()  # the one decode; a truncated file fails here
    except (OSError, ValueError) as exc:
        raise forms.ValidationError(_("Upload a JPEG image.")) from exc
    image = image.convert("RGB")
    image.thumbnail((MAX_BACKGROUND_SIDE, MAX_BACKGROUND_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True)
    out.seek(0)
    return InMemoryUploadedFile(
        out, "page_background", "background.jpg", "image/jpeg", out.getbuffer().nbytes, None
    )


class BookingTypeForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    rule = forms.ChoiceField(label=_("Rule"), choices=BookingType.Rule.choices)
    value = forms.CharField(
        label=_("Value"),
        help_text=_(
            "Sum (e.g. 200,00) for fixed; percent for percent; share of the rate, percent, for hourly."
        ),
    )

    def clean_value(self) -> int:

        raw = self.cleaned_data["value"].strip()
        if self.cleaned_data.get("rule") == BookingType.Rule.FIXED:
            try:
                return parse_money(raw)
            except MoneyError as exc:
                raise forms.ValidationError(str(exc)) from exc
        try:
            return int(raw or 0)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a whole number.")) from exc


def _none(model: Any) -> Any:
    """An empty queryset that does not touch the tenancy manager at import time."""
    return model._base_manager.none()


class RuleForm(StyledModelForm):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=_none(__import__("zapys.catalog.models").catalog.models.Service),
        required=False,
    )
    tag = forms.ModelChoiceField(
        label=_("Client tag"),
        queryset=_none(__import__("zapys.clients.models").clients.models.Tag),
        required=False,
    )
    booking_type = forms.ModelChoiceField(
        label=_("Prepayment type"), queryset=_none(BookingType), required=False
    )

    class Meta:
        model = PrepaymentRule
        fields = [
            "action",
            "service",
            "tag",
            "date_from",
            "date_to",
            "source",
            "booking_type",
            "order",
        ]
        widgets = {
            "date_from": forms.DateInput(attrs={"type": "date"}),
            "date_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["service"].queryset = Service.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["tag"].queryset = Tag.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["booking_type"].queryset = BookingType.objects.for_org(organization)  # type: ignore[attr-defined]


class BookingCreateForm(StyledForm):
    booking_type = forms.ModelChoiceField(label=_("Prepayment type"), queryset=_none(BookingType))
    channel = forms.ChoiceField(label=_("Send via"), choices=CHANNEL_CHOICES, required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["booking_type"].queryset = BookingType.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            is_active=True
        )


class ReportFilterForm(StyledForm):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False, empty_label=_("All")
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Specialist"), queryset=None, required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Booking.Status.choices]
    )
    booking_type: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Prepayment type"), queryset=None, required=False, empty_label=_("All")
    )
    paid_late = forms.BooleanField(label=_("Only paid late"), required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["branch"].queryset = Branch.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = User.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["booking_type"].queryset = BookingType.objects.for_org(organization)  # type: ignore[attr-defined]


class PolicyForm(StyledModelForm):
    """A custom cancellation policy (X3); the limits are the service's (field errors)."""

    # Bounded here so 150% is the field's error, not the table constraint's message.
    late_cancel_fee_percent = forms.IntegerField(
        label=_("late cancellation fee, %"), min_value=0, max_value=100, initial=0
    )
    no_show_fee_percent = forms.IntegerField(
        label=_("no-show fee, %"), min_value=0, max_value=100, initial=0
    )
    exempt_tags = forms.ModelMultipleChoiceField(
        label=_("Exempt client tags"), queryset=_none(Tag), required=False
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=_none(Service),
        required=False,
        help_text=_("The policy applies to these services instead of the default."),
    )

    class Meta:
        model = CancellationPolicy
        fields = [
            "name",
            "free_cancel_hours",
            "late_cancel_fee_percent",
            "no_show_fee_percent",
            "fee_base",
            "late_cancel_rest",
            "review_hours",
            "exempt_tags",
            "services",
        ]

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["exempt_tags"].queryset = Tag.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["services"].queryset = Service.objects.for_org(organization)  # type: ignore[attr-defined]


class CancellationsFilterForm(StyledForm):
    group = forms.ChoiceField(
        label=pgettext_lazy("group by", "Group"),
        required=False,
        choices=[
            ("client", _("By client")),
            ("service", _("By service")),
            ("staff", _("By specialist")),
        ],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ExtendForm(StyledForm):
    """More time to pay a booking, from the booking's page (the service checks the bounds
    against the visit)."""

    hours = forms.IntegerField(
        label=_("Hours to add"),
        min_value=1,
        max_value=720,
        initial=24,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
