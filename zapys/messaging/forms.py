"""Forms of the messaging staff pages (input parsing only; services do the work)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.core.forms import StyledForm
from zapys.messaging.credentials import CODES_FOR_CHANNEL, CREDENTIAL_FIELDS
from zapys.messaging.events import CHANNEL_LABELS, CHANNELS
from zapys.messaging.models import (
    TEST_MODE_OUTCOME,
    Channel,
    Message,
    MessengerChannel,
    StaffNotification,
)
from zapys.messaging.outbox import PROVIDER_RATES
from zapys.messaging.providers import PROVIDER_LABELS


class TransportAccountForm(StyledForm):
    """One form for every provider: credential inputs are named `cred_<key>`."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    code = forms.ChoiceField(
        label=pgettext_lazy("message transport", "Sending service"),
        choices=list(PROVIDER_LABELS.items()),
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=1000,
        initial=10,
        help_text=_(
            "When a channel has several accounts, messages go through the one with the "
            "smallest number; the next takes over when you switch it off."
        ),
    )
    max_per_second = forms.IntegerField(
        label=_("Messages per second at most"),
        min_value=0,
        max_value=1000,
        required=False,
        # The help names the chosen provider's own limit (`rate_hints`), not another
        # channel's: an SMS account's form once said "Telegram about 30 a second".
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    base_url = forms.URLField(
        label=_("API base URL"),
        required=False,
        help_text=_("Leave empty unless the service gave you an address of its own."),
    )

    def __init__(self, *args: Any, masked: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.data.get("code") if self.is_bound else self.initial.get("code")
        self.fields["max_per_second"].help_text = self.rate_hints().get(str(code or ""), "")
        masked = masked or {}
        seen: set[str] = set()
        for code, fields in CREDENTIAL_FIELDS.items():
            for field in fields:
                name = f"cred_{field.key}"
                if name in seen:
                    self.fields[name].widget.attrs["data-codes"] += f" {code}"
                    continue
                seen.add(name)
                attrs = {"data-codes": code, "class": "form-control"}
                if field.secret and masked.get(field.key):
                    attrs["placeholder"] = _("stored: %(value)s (leave empty to keep)") % {
                        "value": masked[field.key]
                    }
                widget: forms.Widget = (
                    forms.PasswordInput(attrs=attrs, render_value=False)
                    if field.secret
                    else forms.TextInput(attrs=attrs)
                )
                self.fields[name] = forms.CharField(
                    label=field.label, required=False, widget=widget
                )

    @staticmethod
    def rate_hints() -> dict[str, str]:
        """Per provider, what an empty "messages per second" means: the pace the outbox
        keeps for it (`outbox.PROVIDER_RATES`), or no limit (e-mail, the test mode). The
        page swaps the help when another provider is picked."""
        hints = {}
        for code in PROVIDER_LABELS:
            rate = PROVIDER_RATES.get(code)
            hints[code] = str(
                _("Leave empty to send without a limit.")
                if rate is None
                else _("Leave empty to keep this service's usual pace: up to %(rate)s a second.")
                % {"rate": formats.number_format(rate, decimal_pos=0 if rate.is_integer() else 1)}
            )
        return hints

    def credential_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("cred_")]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("cred_")]

    def credentials(self) -> dict[str, str]:
        return {
            name.removeprefix("cred_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("cred_") and value
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, code = data.get("channel"), data.get("code")
        if channel and code and code not in CODES_FOR_CHANNEL.get(channel, ()):
            self.add_error("code", _("This provider cannot send this channel."))
        return data


class ChannelOrderForm(StyledForm):
    """The order as a comma-separated list: one <select> per position in the page, offering
    the `channels` given (the connected ones, `selectors.connected_channels`), in
    `CHANNELS` order."""

    event = forms.CharField(required=False, widget=forms.HiddenInput)
    first = forms.ChoiceField(required=False)
    second = forms.ChoiceField(required=False)
    third = forms.ChoiceField(required=False)
    fourth = forms.ChoiceField(required=False)
    is_enabled = forms.BooleanField(label=_("Send this message"), required=False, initial=True)

    POSITIONS = ("first", "second", "third", "fourth")

    def __init__(self, *args: Any, channels: Iterable[str] = CHANNELS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = set(channels)
        choices = [("", "—"), *((c, CHANNEL_LABELS[c]) for c in CHANNELS if c in offered)]
        for name in self.POSITIONS:
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def channels(self) -> list[str]:
        return [self.cleaned_data[p] for p in self.POSITIONS if self.cleaned_data.get(p)]

    def places(self) -> list[forms.BoundField]:
        """The four lists, first to fourth, for the page to number."""
        return [self[p] for p in self.POSITIONS]


class StaffChatForm(StyledForm):
    staff_telegram_chat_id = forms.CharField(
        label=_("Staff Telegram chat ID"),
        max_length=64,
        required=False,
        help_text=_(
            "Staff notifications are also sent to this chat through the organization's "
            "Telegram bot. Leave empty to keep them in the app only."
        ),
    )


class TemplateForm(StyledForm):
    subject = forms.CharField(
        label=pgettext_lazy("e-mail", "Subject"), max_length=200, required=False
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    is_enabled = forms.BooleanField(label=_("Send on this channel"), required=False)


class OutboxFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    # The statuses as the rows' badges read them: the test mode's messages are found under
    # "Test mode: not sent", not under "Delivered" (`selectors.message_list`).
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            *Message.Status.choices,
            (TEST_MODE_OUTCOME, _("Test mode: not sent")),
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )
    event = forms.CharField(label=_("Event"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels above the inputs, without a colon, like every other filter form.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NotificationFilterForm(StyledForm):
    """Filters of the staff notifications list: read or not, kind, from–to date."""

    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All")), ("unread", _("Unread")), ("read", _("Read"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *StaffNotification.Level.choices],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # The old link "?unread=1" (the bell and bookmarks) keeps working.
    unread = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, qs: Any) -> Any:
        data = self.cleaned_data
        state = data.get("state") or ("unread" if data.get("unread") else "")
        if state == "unread":
            qs = qs.filter(read_at__isnull=True)
        elif state == "read":
            qs = qs.filter(read_at__isnull=False)
        if data.get("kind"):
            qs = qs.filter(level=data["kind"])
        if data.get("date_from"):
            qs = qs.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(created_at__date__lte=data["date_to"])
        return qs


class ClientMessageForm(StyledForm):
    text = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Automatic")), *Channel.choices],
    )


class MessengerLinkForm(StyledForm):
    channel = forms.ChoiceField(label=_("Messenger"), choices=MessengerChannel.choices)
    external_id = forms.CharField(label=_("Chat / user id"), max_length=100)
