"""Staff forms of broadcasts (parsing only; the services check and write)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.broadcasts.events import VARIABLES
from zapys.broadcasts.models import Broadcast
from zapys.broadcasts.selectors import AudienceSpec
from zapys.clients.models import Client, Tag
from zapys.core.forms import StyledForm
from zapys.messaging.models import Channel
from zapys.payments.forms import MoneyField


class BroadcastForm(StyledForm):
    audience = forms.ChoiceField(label=_("Who gets it"), choices=Broadcast.Audience.choices)
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag._base_manager.none(), required=False
    )
    # Picked one by one in a searchable picker (`_client_picker.html`): hidden inputs.
    clients = forms.ModelMultipleChoiceField(
        label=_("Clients"),
        queryset=Client._base_manager.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    days = forms.IntegerField(
        label=_("Days since the last visit"), required=False, min_value=1, max_value=3650
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("Automatic: messenger, else SMS, else e-mail")), *Channel.choices],
    )
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to send right away."),
    )

    def __init__(self, *args: Any, channels: Iterable[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if channels is not None:
            # Only what the organization can send through (`messaging.selectors.
            # connected_channels`): a channel without an account would reach nobody.
            offered = set(channels)
            channel = self.fields["channel"]
            assert isinstance(channel, forms.ChoiceField)
            channel.choices = [
                ("", _("Automatic: messenger, else SMS, else e-mail")),
                *((c, label) for c, label in Channel.choices if c in offered),
            ]
        # The variables are buttons under the text (`messaging/_variable_chips.html`), by
        # their names in the page's language: the help never shows "{client.first_name}".
        self.fields["text"].help_text = _(
            "Press a button below to put the client's name (or the business name) in at "
            "the cursor: each client gets their own."
        )
        tags = self.fields["tags"]
        assert isinstance(tags, forms.ModelMultipleChoiceField)
        tags.queryset = Tag.objects.order_by("name")
        clients = self.fields["clients"]
        assert isinstance(clients, forms.ModelMultipleChoiceField)
        clients.queryset = Client.objects.alive().order_by("name", "pk")

    #: What the text may insert: (name, label) pairs for the buttons under it.
    variables = VARIABLES

    @property
    def chosen_clients(self) -> list[Client]:
        """The clients picked so far (shown as chips again after a preview): one query."""
        if self.is_bound and hasattr(self, "cleaned_data") and "clients" in self.cleaned_data:
            return sorted(self.cleaned_data["clients"], key=lambda c: (c.name, c.pk))
        raw = self.data.getlist("clients") if hasattr(self.data, "getlist") else []
        ids = [int(v) for v in raw if str(v).isdigit()]
        if not ids:
            return []
        return list(Client.objects.alive().filter(pk__in=ids).order_by("name", "pk"))

    def spec(self) -> AudienceSpec:
        data = self.cleaned_data
        return AudienceSpec(
            audience=data["audience"],
            tag_ids=tuple(t.pk for t in data.get("tags") or ()),
            client_ids=tuple(c.pk for c in data.get("clients") or ()),
            days=data.get("days"),
        )


class BroadcastSettingsForm(StyledForm):
    sms_price = MoneyField(
        label=_("Price of one SMS, UAH"),
        required=False,
        # An owner knows what one SMS costs, not "parts" or an "estimate that multiplies".
        help_text=_(
            "What your SMS service charges for one SMS. A long text goes as several SMS "
            "(about 70 Cyrillic characters each): before sending, a broadcast shows how "
            "many and what they cost."
        ),
    )
