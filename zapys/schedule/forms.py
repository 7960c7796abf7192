"""Staff and public forms of the schedule. They parse input only; services decide."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.accounts.models import Organization, User
from zapys.catalog.models import Group, Room, Service, Subject
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.core.exceptions import DomainError
from zapys.core.forms import StyledForm
from zapys.core.schema_types import BIGINT_MAX, MAX_DATE, MAX_UTC_OFFSET, MIN_DATE
from zapys.core.text import clean_line
from zapys.core.vocabulary import current_words, relabel, words_for
from zapys.schedule.models import ScheduleSettings

_ASCII_ID = re.compile(r"[0-9]{1,19}")
#: What an ISO 8601 time is written with (fromisoformat also takes a trailing NUL, "²"...).
_ISO_CHARS = re.compile(r"[0-9T:+\-. Z]{10,40}")


def parse_public_id(text: str | None) -> int | None:
    """An id from a public page's query string, or None. `str.isdigit()` is not enough: it
    accepts "²" (int() then fails) and 30 digits (the database then fails) - both were a 500
    for anyone who edited the address."""
    if not text or not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= BIGINT_MAX else None


def parse_slot(text: str | None) -> datetime | None:
    """The time a client picked on the booking page (the page's ISO value), or None when it
    is not a usable time: unparseable, or so far from today that converting it to the
    organization's zone overflows (`9999-12-31T23:59:59-14:00`, year 1 were a 500)."""
    if not text or not _ISO_CHARS.fullmatch(text):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not MIN_DATE <= value.date() <= MAX_DATE:
        return None
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        return None
    return value


DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _clients(org: Organization) -> Any:
    qs = Client.objects.for_org(org)
    if hasattr(Client, "deleted_at"):
        qs = qs.filter(deleted_at__isnull=True)
    return qs.order_by("name", "id")


class VisitForm(StyledForm):
    # The client is picked by searching (schedule:client_search), never from a list of every
    # client: the field is a hidden id, still validated against the organization's clients.
    client: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Client"),
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This client was not found. Search again.")},
    )
    new_client_name = forms.CharField(label=_("Full name"), required=False, max_length=200)
    new_client_phone = forms.CharField(label=_("Phone"), required=False)
    staff: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Specialist"), queryset=None)
    service: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Service"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("Start"), widget=DT_WIDGET, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    price = forms.DecimalField(
        label=_("Price, UAH"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("Empty: the service's price."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Organization, staff_qs: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = _clients(organization)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = staff_qs  # type: ignore[attr-defined]
        self.fields["service"].queryset = Service.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            is_active=True
        )

    PICKER_FIELDS = ("client", "new_client_name", "new_client_phone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            not data.get("client")
            and "client" not in self.errors
            and not (data.get("new_client_name") or "").strip()
        ):
            self.add_error("client", _("Choose a client or enter a new one."))
        return data

    def other_fields(self) -> list[forms.BoundField]:
        """The fields after the client picker, in their declared order."""
        return [self[name] for name in self.fields if name not in self.PICKER_FIELDS]

    def chosen_client(self) -> Client | None:
        """The client the picker shows as chosen when the form is shown again."""
        if not hasattr(self, "_chosen"):
            self._chosen: Client | None = None
            if "client" not in self.errors:
                cleaned = getattr(self, "cleaned_data", {}).get("client")
                value = self["client"].value()
                if cleaned is not None:
                    self._chosen = cleaned
                elif value and str(value).isdigit():
                    self._chosen = self.fields["client"].queryset.filter(pk=value).first()  # type: ignore[attr-defined]
        return self._chosen

    def new_client_open(self) -> bool:
        return bool(
            not self.chosen_client()
            and (self["new_client_name"].value() or self["new_client_phone"].value())
        )


class RescheduleForm(StyledForm):
    starts_at = forms.DateTimeField(
        label=_("New time"), widget=DT_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Specialist"), queryset=None, required=False
    )

    def __init__(self, *args: Any, staff_qs: Any, lesson: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_qs  # type: ignore[attr-defined]
        if lesson:  # a group lesson is led by its teacher, as the lesson form says (S3)
            self.fields["staff"].label = current_words().specialist  # «Тренер» in a studio


class LessonForm(StyledForm):
    group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Group"), queryset=None, required=False
    )
    subject: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Subject"), queryset=None, required=False
    )
    staff: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Teacher"), queryset=None)
    room: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Room"), queryset=None, required=False
    )
    starts_at = forms.DateTimeField(
        label=_("Start"), widget=DT_WIDGET, input_formats=["%Y-%m-%dT%H:%M"]
    )
    duration_minutes = forms.IntegerField(label=_("Duration, minutes"), min_value=1, initial=60)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)
    repeat_until = forms.DateField(
        label=_("Repeat weekly until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, organization: Organization, branch: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # the kind of business's words: «Викладач» at a school, «Тренер» in a studio
        relabel(self, words_for(organization), subject="subject", staff="specialist", room="room")
        self.fields["group"].queryset = Group.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["subject"].queryset = Subject.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = User.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        self.fields["room"].queryset = Room.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            branch=branch
        )


def _day_hours_field(label: Any) -> forms.CharField:
    # No sample hours as the placeholder: an empty day is a day off, and a grey
    # "09:00-18:00" read as real hours.
    return forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"placeholder": _("Day off")})
    )


class WeekHoursForm(StyledForm):
    """Seven rows "09:00-13:00, 14:00-18:00" (empty = day off)."""

    DAYS = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    # Declared fields (not added in __init__), so StyledFormMixin styles them like the rest.
    day0 = _day_hours_field(DAYS[0])
    day1 = _day_hours_field(DAYS[1])
    day2 = _day_hours_field(DAYS[2])
    day3 = _day_hours_field(DAYS[3])
    day4 = _day_hours_field(DAYS[4])
    day5 = _day_hours_field(DAYS[5])
    day6 = _day_hours_field(DAYS[6])

    def intervals(self) -> list[tuple[int, Any, Any]]:
        from datetime import time

        out = []
        for i in range(7):
            text = (self.cleaned_data.get(f"day{i}") or "").strip()
            if not text:
                continue
            for part in text.split(","):
                try:
                    a, b = (p.strip() for p in part.split("-"))
                    start = time.fromisoformat(a.zfill(5))
                    end = time.fromisoformat(b.zfill(5))
                except ValueError:
                    self.add_error(f"day{i}", _("Write hours like 09:00-13:00, 14:00-18:00."))
                    continue
                out.append((i, start, end))
        return out


class HoursExceptionForm(StyledForm):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("day_off", _("Day off")), ("extra", _("Extra hours"))]
    )
    start = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=pgettext_lazy("time", "To"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    note = forms.CharField(label=_("Note"), required=False)


class ScheduleSettingsForm(forms.ModelForm):
    class Meta:
        model = ScheduleSettings
        fields = [
            "buffer_minutes",
            "slot_step_minutes",
            "charge_without_membership",
            "online_booking_enabled",
            "online_min_lead_minutes",
            "online_days_ahead",
            "online_rate_limit_per_minute",
        ]
        # an administrator's words for the flood limit ("online bookings per minute from one
        # IP address" was a developer's)
        labels = {"online_rate_limit_per_minute": _("Protection from automated bookings")}
        help_texts = {
            "online_rate_limit_per_minute": _(
                "At most this many online bookings a minute from one device (one network "
                "address); more are refused. A real client makes one or two."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else ("form-control")
            )
            field.widget.attrs["class"] = css


class StatusForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    color = forms.CharField(
        label=_("Colour"),
        initial="#0d6efd",
        # Bootstrap's small swatch, not a full-width bar
        widget=forms.TextInput(attrs={"type": "color", "class": "form-control-color"}),
    )
    meaning = forms.ChoiceField(
        label=_("Meaning"),
        choices=[
            ("", _("Planned")),
            ("came", _("Counts as attended")),
            ("no_show", _("No-show")),
            ("cancel", _("Cancels the visit")),
        ],
        required=False,
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=100)


class PublicBookingForm(forms.Form):
    """A client's contacts with the name on one line: the waiting list's public join form
    extends it (the booking page itself asks for the name in parts: `OnlineBookingForm`)."""

    name = forms.CharField(label=_("Your name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+380 67 123 45 67"}
        ),
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data for this booking."),
        required=False,
    )


class OnlineBookingForm(StyledForm):
    """The client's contacts on the public booking page. Every field is checked here, so one
    submit shows all the errors at once (the service refused them one at a time). The name
    comes in parts, as clients store it (clients/0007): greetings use the first name."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        error_messages={"required": _("Enter your phone number.")},
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+380 67 123 45 67"}
        ),
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data for this booking."),
        error_messages={"required": _("Please agree to the processing of your personal data.")},
    )

    def _clean_name_part(self, name: str) -> str:
        # Anyone can type here: control characters go before anything is stored.
        return " ".join(clean_line(self.cleaned_data.get(name) or "").split())

    def clean_first_name(self) -> str:
        value = self._clean_name_part("first_name")
        if not value:
            raise forms.ValidationError(_("Enter your name."))
        return value

    def clean_last_name(self) -> str:
        return self._clean_name_part("last_name")

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone") or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.detail) from None
