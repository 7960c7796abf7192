"""What a client gets from a payment reminder, shown to staff before it is sent (issue 17).

Clients get messages in the organization's language, whatever the language of the page
that shows the reminder, so the preview is rendered the way the reminder job renders the
message (`invoice_send` → `messaging`): the reminder's own text, else the organization's
reminder template for its channel, in the organization's language, with the tags filled
from an example invoice. Reads only; a fixed number of queries for any number of
reminders (the rules page lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.invoices import events
from zapys.invoices.models import DunningLevel, Invoice
from zapys.invoices.services import (
    OPEN,
    invoice_recipient,
    message_variables,
    open_invoices_of,
    render_tags,
)
from zapys.messaging.events import get_event
from zapys.messaging.models import MessageTemplate
from zapys.messaging.selectors import render_message

#: A reminder without a channel goes as the client prefers; its preview is the SMS text,
#: the channel every client with a phone can get.
PREVIEW_CHANNEL = "sms"


@dataclass(frozen=True)
class ReminderPreview:
    text: str  # the message, exactly as the client gets it
    own: bool  # the reminder's own text (else the organization's reminder template)


@dataclass(frozen=True)
class Example:
    """What the tags are filled from: an invoice of the organization, or (none yet) each
    tag's name in brackets, in the organization's language."""

    invoice: Invoice | None
    customer: Client | None  # who the example's message goes to (its payer, else its client)
    variables: dict[str, Any]


def example_invoice(organization: Organization) -> Invoice | None:
    """The newest invoice still awaiting money (what a reminder is about), else the newest."""
    invoices = Invoice.objects.for_org(organization).select_related(
        "organization", "client", "payer"
    )
    return (
        invoices.filter(status__in=OPEN).order_by("-created_at", "-id").first()
        or invoices.order_by("-created_at", "-id").first()
    )


def example_for(organization: Organization) -> Example:
    language = organization.language or "uk"
    invoice = example_invoice(organization)
    if invoice is None:
        with translation.override(language):
            return Example(None, None, {name: f"[{label}]" for name, label in events.TAGS})
    customer = invoice_recipient(invoice)
    return Example(
        invoice,
        customer,
        message_variables(invoice, customer, open_invoices_of(customer), language),
    )


def reminder_previews(
    organization: Organization, levels: list[DunningLevel], example: Example
) -> dict[int, ReminderPreview]:
    """Each reminder's message as the client gets it, by the reminder's id."""
    templates = {
        (t.event, t.channel): t
        for t in MessageTemplate.objects.for_org(organization).filter(
            event__in=(events.REMINDER, events.REMINDER_TYPED)
        )
    }
    previews = {}
    for level in levels:
        channel = level.channel or PREVIEW_CHANNEL
        own = bool(level.template)
        if own:  # as `invoice_send` sends a typed text: its tags filled, under its own kind
            event, variables = (
                events.REMINDER_TYPED,
                {"text": render_tags(level.template.strip(), example.variables)},
            )
        else:
            event, variables = events.REMINDER, example.variables
        text, _subject = render_message(
            organization=organization,
            event=get_event(event),
            channel=channel,
            variables=variables,
            client=example.customer,
            template=templates.get((event, channel)),
        )
        previews[level.pk] = ReminderPreview(text=text, own=own)
    return previews
