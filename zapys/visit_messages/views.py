"""The settings page of visit confirmations and reminders (Settings → Visit reminders)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
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
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(
                organization=organization, actor=request_actor(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            flash.success(request, _("Saved."))
            return redirect("visit_messages:settings")
    texts = [get_event(code) for code in (events.CONFIRMATION, events.REMINDER)]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "visit_messages/settings.html", {"form": form, "texts": texts}, status=status
    )
