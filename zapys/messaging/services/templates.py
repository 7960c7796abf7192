"""The organization's message texts per event and channel (M3)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.messaging.events import CHANNELS, EventType, get_event
from zapys.messaging.models import MessageTemplate
from zapys.messaging.rendering import unknown_placeholders

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def placeholders_error(text: str, allowed: Iterable[str]) -> str | None:
    """What is wrong with the placeholders of a text staff typed, in words («Невідомі змінні:
    {visit_time}. …»), or None: a name the text's renderer does not know would reach the
    client as written. The template editor and every other typed text with variables (an
    invoice's, a rule's and a reminder's text, a broadcast) are checked by this one rule."""
    unknown = unknown_placeholders(text, allowed)
    if not unknown:
        return None
    return _("Unknown variables: %s. Use the variables listed next to the editor.") % ", ".join(
        "{" + name + "}" for name in unknown
    )


def check_placeholders(text: str, allowed: Iterable[str], *, field: str) -> None:
    """`placeholders_error` as the services refuse input: a 422 naming the field."""
    error = placeholders_error(text, allowed)
    if error:
        raise DomainError(error, field=field, status=422)


def _check_template(event: EventType, channel: str, text: str) -> None:
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if not text.strip():
        raise DomainError(_("Enter the message text."), field="text")
    check_placeholders(text, event.variable_names, field="text")


@transaction.atomic
def template_save(
    *,
    organization: Organization,
    event: str,
    channel: str,
    text: str,
    actor: Actor,
    subject: str = "",
    is_enabled: bool = True,
) -> MessageTemplate:
    """Store the organization's text for an event and channel (M3)."""
    event_type = get_event(event)
    _check_template(event_type, channel, text)
    check_placeholders(subject, event_type.variable_names, field="subject")
    template = (
        MessageTemplate.objects.for_org(organization).filter(event=event, channel=channel).first()
    )
    before: dict[str, Any] = {}
    if template is None:
        template = MessageTemplate(organization=organization, event=event, channel=channel)
    else:
        before = {
            "text": template.text,
            "subject": template.subject,
            "enabled": template.is_enabled,
        }
    template.text = text.strip()
    template.subject = subject.strip()
    template.is_enabled = is_enabled
    template.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="message_template.update" if before else "message_template.create",
        obj=template,
        changes=changes_between(
            before,
            {"text": template.text, "subject": template.subject, "enabled": is_enabled},
        ),
    )
    return template


@transaction.atomic
def template_reset(*, organization: Organization, event: str, channel: str, actor: Actor) -> None:
    """Drop the organization's text: the event's default applies again."""
    template = (
        MessageTemplate.objects.for_org(organization).filter(event=event, channel=channel).first()
    )
    if template is None:
        return
    audit_record(
        organization=organization, actor=actor, action="message_template.reset", obj=template
    )
    template.delete()
