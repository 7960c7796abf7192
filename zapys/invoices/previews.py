"""What a client gets from an invoice rule or a payment reminder, shown to staff before it
is sent (issue 17).

Clients get messages in the organization's language, whatever the language of the page
that shows them, so a preview is rendered the way the sending code renders the message
(a rule's `_send`, the reminder job's `invoice_send` → `messaging`): the rule's or the
reminder's own text with its tags filled, else the organization's template for the
message's kind and channel, in the organization's language, with the tags filled from an
example invoice. Reads only; a fixed number of queries for any number of reminders (the
rules page lists them all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation

from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.invoices import events
from zapys.invoices.models import DunningLevel, Invoice, InvoiceRule
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

#: A message without a channel goes as the client prefers; its preview is the SMS text,
#: the channel every client with a phone can get.
PREVIEW_CHANNEL = "sms"

#: What a preview is of, as the page and the preview's own address name it: the message
#: kind it is sent under (its typed-text kind is `events.TYPED[...]`).
KINDS = {"invoice": events.INVOICE_LINK, "reminder": events.REMINDER}


@dataclass(frozen=True)
class MessagePreview:
    text: str  # the message, exactly as the client gets it
    own: bool  # the rule's or the reminder's own text (else the organization's template)


@dataclass(frozen=True)
class Example:
    """What the tags are filled from: an invoice of the organization, or (none yet) each
    tag's name in brackets, in the organization's language."""

    invoice: Invoice | None
    customer: Client | None  # who the example's message goes to (its payer, else its client)
    variables: dict[str, Any]


def example_invoice(organization: Organization, rule: InvoiceRule | None = None) -> Invoice | None:
    """The newest invoice still awaiting money (what a reminder is about), else the newest;
    for a rule, the newest the rule issued first (what its message was about)."""
    invoices = Invoice.objects.for_org(organization).select_related(
        "organization", "client", "payer"
    )
    newest = ("-created_at", "-id")
    return (
        (invoices.filter(rule=rule).order_by(*newest).first() if rule is not None else None)
        or invoices.filter(status__in=OPEN).order_by(*newest).first()
        or invoices.order_by(*newest).first()
    )


def example_for(organization: Organization, rule: InvoiceRule | None = None) -> Example:
    language = organization.language or "uk"
    invoice = example_invoice(organization, rule)
    if invoice is None:
        with translation.override(language):
            return Example(None, None, {name: f"[{label}]" for name, label in events.TAGS})
    customer = invoice_recipient(invoice)
    return Example(
        invoice,
        customer,
        message_variables(invoice, customer, open_invoices_of(customer), language),
    )


def templates_for(organization: Organization, kind: str) -> dict[tuple[str, str], Any]:
    """The organization's own templates of a message kind and of its typed-text kind, by
    (kind, channel): one query for any number of previews."""
    return {
        (t.event, t.channel): t
        for t in MessageTemplate.objects.for_org(organization).filter(
            event__in=(kind, events.TYPED[kind])
        )
    }


def message_preview(
    organization: Organization,
    *,
    kind: str,
    channel: str,
    text: str,
    example: Example,
    templates: dict[tuple[str, str], Any],
) -> MessagePreview:
    """The message of `kind` (`events.INVOICE_LINK`, `events.REMINDER`) a client gets
    through `channel` ("" = as the client prefers) when the rule or the reminder has
    `text` ("" = the organization's template)."""
    channel = channel or PREVIEW_CHANNEL
    own = bool(text.strip())
    if own:  # as a typed text is sent: its tags filled, under its own kind
        event, variables = (
            events.TYPED[kind],
            {"text": render_tags(text.strip(), example.variables)},
        )
    else:
        event, variables = kind, example.variables
    rendered, _subject = render_message(
        organization=organization,
        event=get_event(event),
        channel=channel,
        variables=variables,
        client=example.customer,
        template=templates.get((event, channel)),
    )
    return MessagePreview(text=rendered, own=own)


def reminder_previews(
    organization: Organization, levels: list[DunningLevel], example: Example
) -> dict[int, MessagePreview]:
    """Each reminder's message as the client gets it, by the reminder's id."""
    templates = templates_for(organization, events.REMINDER)
    return {
        level.pk: message_preview(
            organization,
            kind=events.REMINDER,
            channel=level.channel,
            text=level.template,
            example=example,
            templates=templates,
        )
        for level in levels
    }
