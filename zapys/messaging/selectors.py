"""Reads of the messaging app: delivery logs, templates as resolved and rendered, settings,
notifications. What a message's route is (channel, address, account) is in `routing.py`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import translation

from zapys.clients.models import Client
from zapys.core.tenancy import unscoped
from zapys.messaging.events import (
    CHANNEL_LABELS,
    CHANNELS,
    DEFAULT_TEXT_FALLBACK,
    EventType,
    all_events,
    get_event,
)
from zapys.messaging.models import (
    TEST_MODE_OUTCOME,
    ClientMessenger,
    EventSetting,
    MarketingOptOut,
    Message,
    MessageTemplate,
    MessagingSettings,
    StaffNotification,
    TransportAccount,
    message_outcome,
)
from zapys.messaging.providers import TEST_MODE
from zapys.messaging.rendering import render_template
from zapys.messaging.routing import active_accounts
from zapys.messaging.unsubscribe import unsubscribe_client_id

if TYPE_CHECKING:
    from django.db import models

    from zapys.accounts.models import Organization, User


def message_list(
    *,
    organization: Organization,
    client_id: int | None = None,
    status: str | None = None,
    shown_status: str | None = None,
    channel: str | None = None,
    event: str | None = None,
    search: str | None = None,
) -> QuerySet[Message]:
    """The outbox, newest first, filtered (one query; the client is joined)."""
    qs = Message.objects.for_org(organization).select_related("client")
    if client_id is not None:
        qs = qs.filter(client_id=client_id)
    if status:
        qs = qs.filter(status=status)
    if shown_status == TEST_MODE_OUTCOME:
        qs = qs.filter(shown_as_test_mode())
    elif shown_status:
        # A status as its badge reads it (the staff page's filter; the API filters by the
        # stored status): the test mode's rows say "Test mode: not sent", not "Delivered",
        # so they are found under that choice and not under their status.
        qs = qs.filter(status=shown_status)
        if shown_status != Message.Status.FAILED:
            qs = qs.exclude(transport_code=TEST_MODE)
    if channel:
        qs = qs.filter(channel=channel)
    if event:
        qs = qs.filter(event=event)
    if search:
        qs = qs.filter(Q(recipient__icontains=search) | Q(text__icontains=search))
    return qs.order_by("-created_at", "-id")


def shown_as_test_mode() -> Q:
    """The rows whose badge reads "Test mode: not sent" (`messaging/_status.html`): the test
    mode's messages that did not fail."""
    return Q(transport_code=TEST_MODE) & ~Q(status=Message.Status.FAILED)


@dataclass(frozen=True)
class StatusCounts:
    """Messages counted by what happened to them (`models.message_outcome`): `sent` and
    `delivered` are what a real transport took (delivered is part of sent), `test_mode`
    what the test mode "sent" to no one — never part of sent or delivered."""

    sent: int = 0
    delivered: int = 0
    test_mode: int = 0
    failed: int = 0
    waiting: int = 0

    @classmethod
    def of(cls, rows: Any) -> StatusCounts:
        """From `(status, transport_code, count)` rows (a grouped query's)."""
        counts: dict[str, int] = {}
        for status, transport_code, n in rows:
            outcome = message_outcome(status, transport_code)
            counts[outcome] = counts.get(outcome, 0) + n
        delivered = counts.get(Message.Status.DELIVERED, 0)
        return cls(
            sent=counts.get(Message.Status.SENT, 0) + delivered,
            delivered=delivered,
            test_mode=counts.get(TEST_MODE_OUTCOME, 0),
            failed=counts.get(Message.Status.FAILED, 0),
            waiting=counts.get(Message.Status.QUEUED, 0) + counts.get(Message.Status.SENDING, 0),
        )


def status_counts(messages: QuerySet[Message]) -> StatusCounts:
    """The messages counted by outcome in one grouped query: every total of message
    statuses (a broadcast's progress, its list) counts through here, so none counts what
    the test mode "sent" as sent."""
    return StatusCounts.of(
        messages.order_by()
        .values_list("status", "transport_code")
        .annotate(n=Count("pk"))
        .values_list("status", "transport_code", "n")
    )


def message_get(*, organization: Organization, message_id: int) -> Message:
    return Message.objects.for_org(organization).select_related("client").get(pk=message_id)


def messages_for(obj: models.Model) -> QuerySet[Message]:
    """Messages sent about one object (a visit, a booking, an invoice), newest first.

    Use with the include `messaging/_related_messages.html` (context: `messages_list`).
    """
    organization_id = obj.organization_id  # type: ignore[attr-defined]
    return (
        Message.objects.filter(
            organization_id=organization_id,
            related_type=obj._meta.label_lower,
            related_id=str(obj.pk),
        )
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def client_messages(*, client: Client) -> QuerySet[Message]:
    return message_list(organization=client.organization, client_id=client.pk)


def client_messengers(*, client: Client) -> QuerySet[ClientMessenger]:
    return ClientMessenger.objects.for_org(client.organization).filter(client=client)


def transport_accounts(*, organization: Organization) -> QuerySet[TransportAccount]:
    return TransportAccount.objects.for_org(organization).order_by("channel", "priority", "id")


def connected_channels(*, organization: Organization) -> dict[str, bool]:
    """The channels the organization can send through (an active account; `CHANNELS`
    order), each with whether the account that carries it is the test mode — a channel
    that "sends" to no one. One query. What pages offer: a channel without an account is
    skipped by the route anyway, so offering it would only pretend."""
    carriers = active_accounts(organization=organization)
    return {
        channel: carriers[channel].code == TEST_MODE for channel in CHANNELS if channel in carriers
    }


@dataclass(frozen=True)
class ResolvedTemplate:
    """The text that will be used for an event on a channel, and whether it is custom."""

    event: EventType
    channel: str
    text: str
    subject: str
    is_enabled: bool
    is_custom: bool


def template_resolve(
    *, organization: Organization, event: str, channel: str, language: str | None = None
) -> ResolvedTemplate:
    """The organization's template, else the event's default in `language`; by default in
    the organization's, the language a client gets it in (the editor shows that one, and
    the page's only beside it, to read)."""
    event_type = get_event(event)
    custom = (
        MessageTemplate.objects.for_org(organization).filter(event=event, channel=channel).first()
    )
    if custom is not None:
        return ResolvedTemplate(
            event_type, channel, custom.text, custom.subject, custom.is_enabled, True
        )
    with translation.override(language or organization.language or None):
        return ResolvedTemplate(
            event_type,
            channel,
            str(event_type.default_text(channel)),
            str(event_type.default_subject()) if channel == "email" else "",
            True,
            False,
        )


# Rendering a message is a read: the template (or the event's translated default) is
# looked up here and filled in by `rendering.py`, which stays free of the database.


def render_message(
    *,
    organization: Organization,
    event: EventType,
    channel: str,
    variables: dict[str, Any],
    client: Client | None = None,
    template: MessageTemplate | bool | None = False,
) -> tuple[str, str]:
    """(text, subject) from the organization's template or the event's default.

    Only the event's declared variables are substituted; values are never re-scanned,
    so a client named "{{ settings.SECRET_KEY }}" is printed as written.
    """
    if template is False:  # not passed in: look it up
        template = (
            MessageTemplate.objects.for_org(organization).filter(event=event.code, channel=channel)
        ).first()
    assert template is None or isinstance(template, MessageTemplate)
    return message_renderer(
        organization=organization, event=event, channel=channel, template=template
    )(variables, client)


def message_renderer(
    *,
    organization: Organization,
    event: EventType,
    channel: str,
    template: MessageTemplate | None,
) -> Callable[[dict[str, Any], Client | None], tuple[str, str]]:
    """`render_message` for many messages of one event and channel: the template text (or
    the translated default) is resolved once, then each call only substitutes values."""
    # Defaults may be lazy translations: they are written in the organization's language.
    with translation.override(organization.language or None):
        text = template.text if template is not None else str(event.default_text(channel))
        subject = (template.subject if template is not None else "") or str(event.default_subject())
    allowed = event.variable_names

    def render(variables: dict[str, Any], client: Client | None = None) -> tuple[str, str]:
        context: dict[str, Any] = {"organization": organization}
        if client is not None:
            context["client"] = client
        context.update(variables)
        # Values written in words (a date: "5 грудня") in the organization's language too.
        with translation.override(organization.language or None):
            rendered_subject = (
                render_template(subject, context, allowed=allowed) if channel == "email" else ""
            )
            return render_template(text, context, allowed=allowed), rendered_subject

    return render


def template_overview(*, organization: Organization) -> list[dict[str, Any]]:
    """Every client event with, per channel, whether the organization customised it."""
    custom = {(t.event, t.channel): t for t in MessageTemplate.objects.for_org(organization)}
    rows = []
    for event in all_events(audience="client"):
        rows.append(
            {
                "event": event,
                "channels": [
                    {
                        "channel": channel,
                        "custom": custom.get((event.code, channel)),
                        "has_default": bool(event.defaults.get(channel)),
                        # No default of its own, but a text all the same: a messenger takes
                        # the SMS text (`EventType.default_text`), so the cell names the
                        # channel it comes from instead of «+ Add» (the route sends it).
                        "borrowed_from": _borrowed_from(event, channel),
                    }
                    for channel in CHANNELS
                ],
            }
        )
    return rows


def _borrowed_from(event: EventType, channel: str) -> Any:
    """The label of the channel whose default text `channel` sends for want of its own
    ("SMS"), or ""."""
    if channel in event.defaults:
        return ""
    source = next((c for c in DEFAULT_TEXT_FALLBACK if c in event.defaults), "")
    return CHANNEL_LABELS[source] if source else ""


def template_switches(*, organization: Organization) -> dict[tuple[str, str], bool]:
    """Whether each text the organization wrote is on, by (event, channel); one query."""
    return {
        (event, channel): enabled
        for event, channel, enabled in MessageTemplate.objects.for_org(organization).values_list(
            "event", "channel", "is_enabled"
        )
    }


def event_settings(*, organization: Organization) -> dict[str, EventSetting]:
    return {s.event: s for s in EventSetting.objects.for_org(organization)}


def notifications_for(*, organization: Organization, user: User) -> QuerySet[StaffNotification]:
    """Notifications a staff member sees: those addressed to them and the team's."""
    return (
        StaffNotification.objects.for_org(organization)
        .filter(Q(recipient__isnull=True) | Q(recipient=user))
        .order_by("-created_at", "-id")
    )


def client_for_unsubscribe(token: str) -> Client | None:
    """The (not deleted) client an unsubscribe link was made for, or None for a bad token."""
    client_id = unsubscribe_client_id(token)
    if client_id is None:
        return None
    with unscoped():
        return (
            Client.objects.filter(pk=client_id, deleted_at__isnull=True)
            .select_related("organization")
            .first()
        )


def client_opted_out_everywhere(*, client: Client) -> bool:
    return (
        MarketingOptOut.objects.for_org(client.organization)
        .filter(client=client, channel="")
        .exists()
    )


def opted_out_channels(*, organization: Organization, client_ids: list[int]) -> dict[int, set[str]]:
    """Per client, the channels they opted out of broadcasts on ("" = all), one query."""
    result: dict[int, set[str]] = {}
    for client_id, channel in (
        MarketingOptOut.objects.for_org(organization)
        .filter(client_id__in=client_ids)
        .values_list("client_id", "channel")
    ):
        result.setdefault(client_id, set()).add(channel)
    return result


def unread_notification_count(*, organization: Organization, user: User) -> int:
    return (
        notifications_for(organization=organization, user=user).filter(read_at__isnull=True).count()
    )


def messaging_settings_get(*, organization: Organization) -> MessagingSettings:
    existing = MessagingSettings.objects.for_org(organization).first()
    return existing or MessagingSettings(organization=organization)
