"""Staff pages of broadcasts: list, compose (preview and estimate before sending), progress
with the per-recipient log, and the SMS price setting. Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.broadcasts import selectors, services
from zapys.broadcasts.forms import BroadcastForm, BroadcastSettingsForm
from zapys.broadcasts.models import Broadcast
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.messaging.events import CHANNEL_LABELS
from zapys.messaging.selectors import connected_channels
from zapys.messaging.services import placeholders_error

MANAGERS = ("owner", "administrator")
LOG_PAGE = 50


@staff_required(*MANAGERS)
def broadcast_list(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    page = Paginator(selectors.broadcast_list(organization=organization), 30).get_page(
        request.GET.get("page")
    )
    progress = selectors.broadcasts_progress(list(page))
    rows = [(broadcast, progress[broadcast.pk]) for broadcast in page]
    return render(request, "broadcasts/list.html", {"page": page, "rows": rows})


@staff_required(*MANAGERS)
def broadcast_new(request: HttpRequest) -> HttpResponse:
    """Compose: "Preview" shows the estimate and the sample text; "Send" creates it."""
    organization = request_organization(request)
    form = BroadcastForm(
        request.POST or None,
        channels=connected_channels(organization=organization),
    )
    found = None
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        data = form.cleaned_data
        if request.POST.get("action") == "send":
            try:
                broadcast = services.broadcast_create(
                    organization=organization,
                    spec=spec,
                    channel=data["channel"],
                    text=data["text"],
                    send_at=data["send_at"],
                    actor=request_actor(request),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                flash.success(request, _("The broadcast is on its way."))
                return redirect("broadcasts:detail", pk=broadcast.pk)
        elif unknown := placeholders_error(data["text"], selectors.VARIABLE_NAMES):
            # the preview says it before "Send" would: the text as written is not the client's
            form.add_error("text", unknown)
        else:
            found = selectors.estimate(
                organization=organization,
                spec=spec,
                channel=data["channel"],
                text=data["text"],
                now=timezone.now(),
            )
    return render(
        request,
        "broadcasts/new.html",
        {
            "form": form,
            "estimate": found,
            "by_channel": _labelled(found.by_channel) if found else [],
            "preview": _labelled(found.preview) if found else [],
        },
    )


def _labelled(by_channel: dict) -> list[tuple[str, object]]:
    return [(str(CHANNEL_LABELS.get(k, k)), v) for k, v in by_channel.items()]


def _broadcast_or_404(request: HttpRequest, pk: int) -> Broadcast:
    broadcast = Broadcast.objects.for_org(request_organization(request)).filter(pk=pk).first()
    if broadcast is None:
        raise Http404
    return broadcast


@staff_required(*MANAGERS)
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = _broadcast_or_404(request, pk)
    log = Paginator(
        selectors.broadcast_messages(broadcast).select_related("client").order_by("id"), LOG_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "broadcasts/detail.html",
        {
            "broadcast": broadcast,
            "progress": selectors.broadcast_progress(broadcast),
            "page": log,
            "audience": selectors.audience_label(broadcast),
        },
    )


@staff_required(*MANAGERS)
@fragment_of("broadcasts:detail")
def broadcast_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone: htmx polls it while the broadcast is not done."""
    broadcast = _broadcast_or_404(request, pk)
    return render(
        request,
        "broadcasts/_progress.html",
        {"broadcast": broadcast, "progress": selectors.broadcast_progress(broadcast)},
    )


@staff_required("owner", "administrator")
def broadcast_settings(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    current = selectors.broadcast_settings_get(organization=organization)
    form = BroadcastSettingsForm(
        request.POST or None,
        initial={"sms_price": _hryvnias(current.sms_price)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.broadcast_settings_save(
                organization=organization,
                sms_price=form.cleaned_data["sms_price"] or 0,
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            flash.success(request, _("Saved."))
            return redirect("broadcasts:settings")
    return render(request, "broadcasts/settings.html", {"form": form})


def _hryvnias(kopecks: int) -> str:
    from zapys.core.money import money_input  # "1,50" in uk, "1.50" in en

    if not kopecks:
        return ""
    return money_input(kopecks)


@staff_required(*MANAGERS)
@fragment_of("broadcasts:new")
def client_search(request: HttpRequest) -> HttpResponse:
    """The broadcast form's client picker: matches of the staff member's organization
    (htmx partial, one query: the schedule's picker search)."""
    from zapys.schedule.selectors import CLIENT_PICKER_LIMIT, client_picker

    query = " ".join((request.GET.get("client_q") or "").split())[:100]
    found = client_picker(search=query)
    return render(
        request,
        "broadcasts/_client_options.html",
        {
            "query": query,
            "clients": found[:CLIENT_PICKER_LIMIT],
            "more": len(found) > CLIENT_PICKER_LIMIT,
        },
    )
