"""The organization's message texts per event and channel (M3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.messaging.events import CHANNELS, EventType, get_event
from zapys.messaging.models import MessageTemplate
from zapys.messaging.rendering import placeholders_in

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def _check_template(event: EventType, channel: str, text: str) -> None:
    if channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if not text.strip():
        raise DomainError(_("Enter the message text."), field="text")
    allowed = set(event.variable_names)
    unknown = [name for name in placeholders_in(text) if name not in allowed]
    if unknown:
        raise DomainError(
            _("Unknown variables: %s. Use the variables listed next to the editor.")
            % ", ".join("{" + n + "}" for n in unknown),
            field="text",
        )


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
    if subject:
        unknown = [n for n in placeholders_in(subject) if n not in event_type.variable_names]
        if unknown:
            raise DomainError(
                _("Unknown variables: %s.") % ", ".join("{" + n + "}" for n in unknown),
                field="subject",
            )
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
