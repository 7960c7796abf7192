"""What invoices add to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    INVOICING,
    MANAGERS,
    MONEY,
    CardAction,
    CardTab,
    NavItem,
    SettingsTab,
    audit_actions,
    audit_fields,
    audit_values,
    client_card_action,
    client_card_tab,
    nav_item,
    settings_tab,
)
from zapys.invoices.events import TAGS
from zapys.invoices.models import due_offset_words
from zapys.messaging.events import CHANNEL_LABELS

nav_item(
    NavItem("invoices:list", _("Invoices"), "receipt-cutoff", MANAGERS, MONEY, 45, group=INVOICING)
)
nav_item(
    NavItem(
        "invoices:rules",
        _("Automatic invoicing"),
        "arrow-repeat",
        MANAGERS,
        MONEY,
        46,
        group=INVOICING,
    )
)
settings_tab(SettingsTab("invoices", "invoices:settings", _("Invoices"), order=45))
client_card_tab(CardTab("invoices", _("Invoices"), "invoices:client_invoices", order=35))
client_card_action(CardAction(_("Add invoice"), "receipt-cutoff", "invoices:new", 20))

# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "invoice.create": _("Invoice issued"),
        "invoice.send": _("Invoice sent"),
        "invoice.paid": _("Invoice payment received"),
        "invoice.paid_closed": _("Payment for a closed invoice put on the balance"),
        "invoice.paid_from_balance": _("Invoice paid from the balance"),
        "invoice.refunded": _("Invoice payment refunded"),
        "invoice.archive": _("Invoice archived"),
        "invoice.expire": _("Invoice payment period ended"),
        "invoice_rule.create": _("Automatic invoicing rule added"),
        "invoice_rule.update": _("Automatic invoicing rule changed"),
        "invoice_rule.delete": _("Automatic invoicing rule deleted"),
        "invoice_rule.run": _("Automatic invoicing rule run"),
        "dunning_level.create": _("Payment reminder added"),
        "dunning_level.update": _("Payment reminder changed"),
        "dunning_level.delete": _("Payment reminder deleted"),
        "invoices.settings_update": _("Invoice settings changed"),
        "client.payer_set": _("Payer for the client set"),
    }
)

# Change keys that are not fields of the object they are written on.
audit_fields("clients.client", {"payer": _("Payer")})
audit_fields("invoices.invoicerule", {"invoices_kept": _("Invoices it issued (kept)")})


def _due_offset(value: str) -> str:
    """A reminder's stored day ("-2") as the reminder's own name says it."""
    try:
        return due_offset_words(int(value))
    except (TypeError, ValueError):
        return str(value)


audit_values("invoices.dunninglevel", "days_from_due", _due_offset)


def _readable_template(text: str) -> str:
    """A rule's or reminder's own text as a person reads it: its tags as their names in
    brackets ("[Client's first name], …"), as the broadcasts show theirs."""
    text = str(text)
    for name, label in TAGS:
        text = text.replace("{" + name + "}", f"[{label}]")
    return text


audit_values("invoices.invoicerule", "template", _readable_template)
audit_values("invoices.dunninglevel", "template", _readable_template)


def _channel(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


# A rule's or reminder's channel "" is the form's "As the client prefers", not "—".
for _object_type in ("invoices.invoicerule", "invoices.dunninglevel"):
    audit_values(_object_type, "channel", _channel, empty=_("As the client prefers"))
