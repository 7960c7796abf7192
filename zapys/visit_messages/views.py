"""The settings page of visit confirmations and reminders (Settings → Visit reminders)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from zapys.core.http import request_actor, request_organization
from zapys.core.settings_pages import settings_page
from zapys.core.views import staff_required
from zapys.messaging.events import get_event
from zapys.visit_messages import events, services
from zapys.visit_messages.forms import VisitMessageSettingsForm

MANAGERS = ("owner", "administrator")


@staff_required(*MANAGERS)
def visit_message_settings(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    current = services.settings_get(organization)
    form = VisitMessageSettingsForm(
        request.POST or None,
        initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS},
    )
    return settings_page(
        request,
        form,
        save=lambda cleaned: services.settings_update(
            organization=organization, actor=request_actor(request), **cleaned
        ),
        saved_message=_("Saved."),
        success_url="visit_messages:settings",
        template="visit_messages/settings.html",
        context={
            "texts": [
                get_event(code) for code in (events.CONFIRMATION, events.MOVED, events.REMINDER)
            ]
        },
    )
