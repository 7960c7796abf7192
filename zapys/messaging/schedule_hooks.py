"""What messaging plugs into the schedule (`schedule.hooks`, found like `jobs.py`): the staff
are told when a client books themself online.

A real CRM rings a bell when a client books from the public page: who, what, when and with
whom, and a link to the visit. The schedule says it (`online_booking_notice`, in each
reader's language); messaging delivers it (in-app, and to the staff Telegram chats). It runs
after the booking commits, as the schedule's hook does for every app: a notification that
fails is logged there and never undoes the client's booking.
"""

from __future__ import annotations

from django.urls import reverse

from zapys.messaging.models import StaffNotification
from zapys.messaging.services import staff_notify
from zapys.schedule import hooks
from zapys.schedule.models import Visit
from zapys.schedule.services.online import online_booking_notice


@hooks.register_after_online_visit_created
def online_booking_staff_notify(visit: Visit) -> None:
    """One notification per online booking: a second call for the same visit (the demo runs
    the hook's work itself inside its transaction, and the hook runs again on commit) finds
    the first and writes nothing."""
    title, body = online_booking_notice(visit)
    told = (
        StaffNotification.objects.for_org(visit.organization_id)
        .filter(related_type=Visit._meta.label_lower, related_id=str(visit.pk))
        .filter(title_text__msgid=title.msgid)
    )
    if told.exists():
        return
    staff_notify(
        organization=visit.organization,
        title=title,
        body=body,
        related=visit,
        url=reverse("schedule:visit_detail", kwargs={"visit_id": visit.pk}),
        level=StaffNotification.Level.INFO,
    )
