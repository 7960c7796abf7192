"""A record's number as a person reads it: "№7" in Ukrainian, "#7" in English.

Pages and messages wrote "#7" into Ukrainian text and "№7" into English (the fiscal
receipts) by hand; every number shown to a person goes through here (templates:
`{% load zapys_numbers %}{{ booking.pk|numbered }}`). Texts that carry the number inside a
sentence ("Refund of payment #%(id)s") keep it in their own msgid, translated with "№".
"""

from __future__ import annotations

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import pgettext


def numbered(number: object) -> str:
    return pgettext("number shown to a person", "#%(number)s") % {"number": number}


def model_name(label: str) -> str:
    """ "schedule.visit" (a stored model label) as the model's own name: "Візит" / "Visit"."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return str(capfirst(model._meta.verbose_name))
