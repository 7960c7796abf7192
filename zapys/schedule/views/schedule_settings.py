"""The schedule's settings page: the settings and the visit statuses."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.schedule import selectors, services
from zapys.schedule.forms import (
    ScheduleSettingsForm,
    StatusForm,
)


@staff_required("owner")
def schedule_settings(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    obj = selectors.schedule_settings_for(org)
    form = ScheduleSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=obj
    )
    status_form = StatusForm(request.POST if request.POST.get("form") == "status" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "settings" and form.is_valid():
                services.schedule_settings_update(
                    organization=org,
                    actor=request_actor(request),
                    **{k: form.cleaned_data[k] for k in form.changed_data},
                )
                messages.success(request, _("Settings saved."))
                return redirect("schedule:settings")
            if request.POST.get("form") == "status" and status_form.is_valid():
                d = status_form.cleaned_data
                services.visit_status_create(
                    organization=org,
                    name=d["name"],
                    color=d["color"],
                    order=d["order"],
                    counts_as_came=d["meaning"] == "came",
                    is_no_show=d["meaning"] == "no_show",
                    is_cancellation=d["meaning"] == "cancel",
                    actor=request_actor(request),
                )
                messages.success(request, _("Status added."))
                return redirect("schedule:settings")
        except DomainError as exc:
            target = status_form if request.POST.get("form") == "status" else form
            form_add_domain_error(target, exc)
    statuses = sorted(
        services.visit_statuses_ensure(organization=org).values(), key=lambda s: (s.order, s.pk)
    )
    # The public booking page's full address (on ZAPYS_PUBLIC_URL, as the cabinet and
    # top-up links are): the one an owner copies into a message or a profile.
    booking_url = str(settings.ZAPYS_PUBLIC_URL).rstrip("/") + reverse(
        "schedule:book", args=[org.slug]
    )
    return render(
        request,
        "schedule/settings.html",
        {
            "form": form,
            "status_form": status_form,
            "statuses": statuses,
            "booking_url": booking_url,
        },
    )
