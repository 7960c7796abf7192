"""The organization's visit-message settings (the service checks every rule again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zapys.core.forms import StyledForm, quiet_hours_fields
from zapys.visit_messages.models import LEAD_CHOICES


class VisitMessageSettingsForm(StyledForm):
    confirm_online = forms.BooleanField(
        label=_("Confirm a visit booked online"),
        required=False,
        help_text=_(
            "Right after the client books on your page. A visit that waits for a prepayment "
            "gets the payment link instead, and “we received…” when it is paid."
        ),
    )
    confirm_staff = forms.BooleanField(
        label=_("Confirm a visit booked by an administrator"),
        required=False,
        help_text=_(
            "Also a visit booked through the API. Not for a visit that starts within half an "
            "hour: the client is already at the desk."
        ),
    )
    notify_moved = forms.BooleanField(
        label=_("Tell the client when their visit moves"),
        required=False,
        help_text=_(
            "To another time or specialist: the new time and the one it replaces. Not for a "
            "visit that has passed or starts within half an hour; at night it waits for the "
            "morning, as the reminders do."
        ),
    )
    remind = forms.BooleanField(label=_("Remind the client before the visit"), required=False)
    reminder_hours = forms.TypedChoiceField(label=_("Reminder"), choices=LEAD_CHOICES, coerce=int)
    second_reminder_hours = forms.TypedChoiceField(
        label=_("Second reminder"),
        choices=[(0, _("No second reminder")), *LEAD_CHOICES],
        coerce=int,
        help_text=_(
            "For example the day before and 2 hours before. A client who booked inside the "
            "reminder's time already has the confirmation and gets no reminder of it."
        ),
    )
    quiet_from, quiet_to = quiet_hours_fields(
        from_label=_("No reminders from"),
        to_label=_("No reminders until"),
        help_text=_(
            "Nobody gets a reminder at night: one due in these hours goes when they end, if the "
            "visit is still more than half an hour away. The same time in both fields: reminders "
            "at any hour."
        ),
    )
