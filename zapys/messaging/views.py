"""Staff pages: outbox, client messages tab, settings, template editor, notifications.

Views parse input, call one service and render; DomainError becomes a form error.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.clients.selectors import client_get as _client_get
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.numbers import model_name, numbered
from zapys.core.settings_tabs import settings_tabs
from zapys.core.tenancy import public_scope
from zapys.core.views import staff_required
from zapys.messaging import routing, selectors, services
from zapys.messaging.credentials import (
    CODES_FOR_CHANNEL,
    labelled_credentials,
    masked_credentials,
)
from zapys.messaging.events import (
    CHANNEL_LABELS,
    CHANNELS,
    CLIENT_CHANNELS,
    UnknownEvent,
    all_events,
    event_exists,
    get_event,
)
from zapys.messaging.forms import (
    ChannelOrderForm,
    ClientMessageForm,
    MessengerLinkForm,
    NotificationFilterForm,
    OutboxFilterForm,
    StaffChatForm,
    TemplateForm,
    TransportAccountForm,
)
from zapys.messaging.models import MarketingOptOut, StaffNotification, TransportAccount
from zapys.messaging.providers import provider_label
from zapys.messaging.rendering import PLACEHOLDER_RE
from zapys.messaging.sms import sms_parts

MANAGERS = ("owner", "administrator")
PAGE_SIZE = 50


def client_get(*, client_id: int) -> Any:
    """The scoped client, or a 404 page (not an error page) for a foreign or deleted one."""
    try:
        return _client_get(client_id=client_id)
    except NotFound:
        raise Http404("client not found") from None


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.errors[0]["field"] if exc.errors else None
    if field and f"cred_{field}" in form.fields:
        field = f"cred_{field}"
    form.add_error(field if field in form.fields else None, exc.detail)


# --- Outbox -------------------------------------------------------------------------------


@staff_required(*MANAGERS)
def outbox(request: HttpRequest) -> HttpResponse:
    """All messages (M2 delivery log); console messages are read here in development."""
    form = OutboxFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "shown_status": form.cleaned_data["status"] or None,
            "channel": form.cleaned_data["channel"] or None,
            "event": form.cleaned_data["event"] or None,
            "search": form.cleaned_data["q"] or None,
        }
    qs = selectors.message_list(organization=request_organization(request), **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "messaging/outbox.html", {"form": form, "page": page})


def _regarding(message: Any) -> str:
    """What the message is about when that is not its client: "Invoice INV-2026-00003" for
    the reminder staff typed on an invoice (stored as a custom message, related to the
    invoice), so "Event: Custom message" does not leave out what it was sent for."""
    if not message.related_type or message.related_type == "clients.client":
        return ""
    try:
        model = apps.get_model(message.related_type)
    except (LookupError, ValueError):
        return ""
    kind = model_name(message.related_type)
    found = model._default_manager.filter(pk=message.related_id).first()
    if found is None:
        return f"{kind} {numbered(message.related_id)}"
    name = str(found)
    # A name that says its kind already ("Бронювання №5") is not prefixed twice.
    return name if name.casefold().startswith(kind.casefold()) else f"{kind} {name}"


@staff_required(*MANAGERS)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        selectors.message_list(organization=request_organization(request)), pk=pk
    )
    event = message.event
    return render(
        request,
        "messaging/message_detail.html",
        {
            "message": message,
            "event_label": get_event(event).label if event_exists(event) else event,
            "regarding": _regarding(message),
            "provider": provider_label(message.transport_code) if message.transport_code else "",
        },
    )


@staff_required(*MANAGERS)
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        selectors.message_list(organization=request_organization(request)), pk=pk
    )
    try:
        services.message_retry(message=message, actor=request_actor(request))
    except DomainError as exc:
        flash.error(request, exc.detail)
    else:
        flash.success(request, _("The message is queued again."))
    return redirect("messaging:message", pk=pk)


# --- Client card tab ----------------------------------------------------------------------


def _client_tab(request: HttpRequest, client: Any, form: Any = None, link_form: Any = None):
    qs = selectors.client_messages(client=client)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "messaging/_client_messages.html",
        {
            "client": client,
            "page": page,
            "form": form or ClientMessageForm(),
            "link_form": link_form or MessengerLinkForm(),
            "messengers": selectors.client_messengers(client=client),
        },
    )


@staff_required()
@fragment_of("clients:detail", tab="messages")
def client_messages(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's Messages tab (htmx partial)."""
    return _client_tab(request, client_get(client_id=client_id))


@staff_required()
@require_POST
def client_message_send(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_get(client_id=client_id)
    form = ClientMessageForm(request.POST)
    if form.is_valid():
        try:
            services.message_send_custom(
                client=client,
                text=form.cleaned_data["text"],
                channel=form.cleaned_data["channel"] or None,
                actor=request_actor(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            form = ClientMessageForm()
    return _client_tab(request, client, form=form)


@staff_required(*MANAGERS)
@require_POST
def client_messenger_link(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_get(client_id=client_id)
    form = MessengerLinkForm(request.POST)
    if form.is_valid():
        try:
            services.client_messenger_link(
                client=client,
                channel=form.cleaned_data["channel"],
                external_id=form.cleaned_data["external_id"],
                actor=request_actor(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            form = MessengerLinkForm()
    return _client_tab(request, client, link_form=form)


@staff_required(*MANAGERS)
@require_POST
def client_messenger_unlink(request: HttpRequest, client_id: int, channel: str) -> HttpResponse:
    client = client_get(client_id=client_id)
    services.client_messenger_unlink(client=client, channel=channel, actor=request_actor(request))
    return _client_tab(request, client)


# --- Settings: transport accounts and channel order ---------------------------------------


def _order_forms(
    request: HttpRequest, connected: dict[str, bool], data: Any = None
) -> list[dict[str, Any]]:
    """One row per message kind (the organization's default first), each a prefixed
    `ChannelOrderForm` of the section's one form; bound to `data` when it was sent.

    A row offers and shows only the `connected` channels: a channel without an account is
    skipped when sending, so an order naming it would promise what does not happen. What a
    row stores of such a channel stays (it takes its place again once connected) until the
    row is changed and saved."""
    organization = request_organization(request)
    rows = selectors.event_settings(organization=organization)
    switches = selectors.template_switches(organization=organization)
    default_row = rows.get("")
    default_order = (default_row.channel_list if default_row is not None else []) or list(
        CLIENT_CHANNELS
    )
    result = []
    for code, label, event in [("", _("All messages (default)"), None)] + [
        (e.code, e.label, e) for e in all_events(audience="client")
    ]:
        row = rows.get(code)
        own = row.channel_list if row is not None else []
        order = [channel for channel in own if channel in connected]
        # The route's rule (`routing.has_text`): a channel the message has no text for (its
        # template switched off) is skipped, so the row does not list it.
        texted = {
            c
            for c in CHANNELS
            if event is None or routing.has_text(event, c, switches.get((code, c)))
        }
        initial: dict[str, Any] = {
            "event": code,
            "is_enabled": row.is_enabled if row is not None else True,
        }
        for position, channel in zip(ChannelOrderForm.POSITIONS, order, strict=False):
            initial[position] = channel
        prefix = f"order-{code or 'default'}"
        # A row left out of the request (an old one-row form) keeps what it has.
        sent = data is not None and any(key.startswith(prefix + "-") for key in data)
        result.append(
            {
                "code": code,
                "label": label,
                "form": ChannelOrderForm(
                    data if sent else None, initial=initial, prefix=prefix, channels=connected
                ),
                "sent": sent,
                # What the row shows: saved unchanged, it is not rewritten.
                "stored": (order, initial["is_enabled"]),
                "custom": bool(own),
                # What a row without its own order follows, in words: the channels tried,
                # those the message has a text for only (the route skips the others).
                "default_order": " → ".join(
                    str(CHANNEL_LABELS[c]) for c in default_order if c in connected and c in texted
                ),
                # A row's own order naming a channel the message has no text for: skipped.
                "without_text": [str(CHANNEL_LABELS[c]) for c in order if c not in texted],
                "note": _channel_note(code),
            }
        )
    return result


#: Messages whose channel another settings page may choose instead of this order: the
#: prepayment's link (and the prepayment's other messages) go by the booking's channel,
#: which is Settings → Prepayment's «default delivery channel» or the one picked when the
#: prepayment is requested; only «Automatic» (empty) leaves them to this order
#: (`prepayments.services.booking_start.booking_create` → `choose_route(channel=…)`).
CHANNEL_SET_ELSEWHERE = {"prepayments.booking_link": "prepayment"}


def _channel_note(code: str) -> dict[str, Any] | None:
    """The settings tab (url, label) that may decide the row's channel, if any."""
    key = CHANNEL_SET_ELSEWHERE.get(code)
    if key is None:
        return None
    return next((t for t in settings_tabs() if t["key"] == key), None)


def _settings_page(
    request: HttpRequest, chat_form: Any, orders: list[dict[str, Any]], connected: dict[str, bool]
):
    accounts = [
        {
            "account": a,
            "masked": labelled_credentials(a.credentials_encrypted, a.code),
            "provider": provider_label(a.code),
        }
        for a in selectors.transport_accounts(organization=request_organization(request))
    ]
    return render(
        request,
        "messaging/settings.html",
        {
            "accounts": accounts,
            "chat_form": chat_form,
            "orders": orders,
            "channel_labels": CHANNEL_LABELS,
            # The channel order's legend: what can send (and whether only in the test
            # mode), and what is not connected, with where to connect it.
            "connected": [(CHANNEL_LABELS[c], test_mode) for c, test_mode in connected.items()],
            "not_connected": [(c, CHANNEL_LABELS[c]) for c in CHANNELS if c not in connected],
        },
    )


def _chat_form(request: HttpRequest, data: Any = None) -> StaffChatForm:
    settings_row = services.messaging_settings_get(organization=request_organization(request))
    return StaffChatForm(
        data, initial={"staff_telegram_chat_id": settings_row.staff_telegram_chat_id}
    )


@staff_required("owner")
def settings_view(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    chat_form = _chat_form(request, request.POST or None)
    if request.method == "POST" and chat_form.is_valid():
        services.messaging_settings_save(
            organization=org,
            staff_telegram_chat_id=chat_form.cleaned_data["staff_telegram_chat_id"],
            actor=request_actor(request),
        )
        flash.success(request, _("Settings saved."))
        return redirect("messaging:settings")
    connected = selectors.connected_channels(organization=org)
    return _settings_page(request, chat_form, _order_forms(request, connected), connected)


@staff_required("owner")
@require_POST
def channel_order_save(request: HttpRequest) -> HttpResponse:
    """The channel order section is one form: every row is checked, then only the rows
    that changed are saved (together); a bad row shows its error and nothing is lost."""
    connected = selectors.connected_channels(organization=request_organization(request))
    orders = _order_forms(request, connected, request.POST)
    sent = [row for row in orders if row["sent"]]
    if not all(row["form"].is_valid() for row in sent):
        return _settings_page(request, _chat_form(request), orders, connected)
    changes = []
    for row in sent:
        form = row["form"]
        channels = list(dict.fromkeys(form.channels()))
        wanted = (channels, form.cleaned_data["is_enabled"] or not row["code"])
        if wanted != row["stored"]:
            changes.append((row["code"], *wanted))
    try:
        services.event_settings_save_many(
            organization=request_organization(request),
            changes=changes,
            actor=request_actor(request),
        )
    except (DomainError, UnknownEvent) as exc:
        flash.error(request, getattr(exc, "detail", str(exc)))
        return _settings_page(request, _chat_form(request), orders, connected)
    if changes:
        flash.success(request, _("Channel order saved."))
    else:
        flash.info(request, _("Nothing changed."))
    return redirect(reverse("messaging:settings") + "#channel-order")


@staff_required("owner")
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = request_organization(request)
    account: TransportAccount | None = None
    masked: dict[str, str] = {}
    channel = request.GET.get("channel", "sms")
    # A real provider of the channel first; the test mode only when somebody picks it.
    codes = CODES_FOR_CHANNEL.get(channel) or CODES_FOR_CHANNEL["sms"]
    initial: dict[str, Any] = {"channel": channel, "code": codes[0]}
    if pk is not None:
        account = get_object_or_404(selectors.transport_accounts(organization=org), pk=pk)
        masked = masked_credentials(account.credentials_encrypted, account.code)
        initial = {
            "channel": account.channel,
            "code": account.code,
            "name": account.display_name,
            "priority": account.priority,
            "max_per_second": account.max_per_second or None,
            "is_active": account.is_active,
            "base_url": account.base_url,
            **{f"cred_{k}": v for k, v in masked.items() if not v.startswith("•")},
        }
    form = TransportAccountForm(request.POST or None, initial=initial, masked=masked)
    if request.method == "POST" and form.is_valid():
        try:
            services.transport_account_save(
                organization=org,
                actor=request_actor(request),
                account=account,
                channel=form.cleaned_data["channel"],
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                base_url=form.cleaned_data["base_url"],
                is_active=form.cleaned_data["is_active"],
                priority=form.cleaned_data["priority"],
                max_per_second=form.cleaned_data["max_per_second"] or 0,
                credentials=form.credentials(),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash.success(request, _("Sending account saved."))
            return redirect("messaging:settings")
    return render(
        request,
        "messaging/account_form.html",
        {"form": form, "account": account, "codes_for_channel": CODES_FOR_CHANNEL},
    )


@staff_required("owner")
@require_POST
def account_delete(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(
        selectors.transport_accounts(organization=request_organization(request)), pk=pk
    )
    services.transport_account_delete(account=account, actor=request_actor(request))
    flash.success(request, _("Sending account deleted."))
    return redirect("messaging:settings")


# --- Templates ----------------------------------------------------------------------------


@staff_required(*MANAGERS)
def templates_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "messaging/templates.html",
        {
            "rows": selectors.template_overview(organization=request_organization(request)),
            "channel_labels": CHANNEL_LABELS,
            "channels": CHANNELS,
        },
    )


@staff_required(*MANAGERS)
def template_edit(request: HttpRequest, event: str, channel: str) -> HttpResponse:
    org = request_organization(request)
    try:
        event_type = get_event(event)
    except UnknownEvent:
        raise Http404("unknown event") from None
    if channel not in CHANNELS or event_type.audience != "client":
        raise Http404("unknown channel")
    # The text clients get: a default in the organization's language, whatever the page's
    # (an English page once showed the English default while clients got the Ukrainian).
    resolved = selectors.template_resolve(organization=org, event=event, channel=channel)
    client_language = org.language or "uk"
    page_language = translation.get_language() or client_language
    # The same default in the page's language, to read beside it (clients never get it).
    reference = (
        selectors.template_resolve(
            organization=org, event=event, channel=channel, language=page_language
        )
        if not resolved.is_custom and page_language != client_language
        else None
    )
    form = TemplateForm(
        request.POST or None,
        initial={
            "text": resolved.text,
            "subject": resolved.subject,
            "is_enabled": resolved.is_enabled,
        },
    )
    if request.method == "POST" and request.POST.get("action") == "reset":
        services.template_reset(
            organization=org, event=event, channel=channel, actor=request_actor(request)
        )
        flash.success(request, _("The default text is used again."))
        return redirect("messaging:template_edit", event=event, channel=channel)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_save(
                organization=org,
                event=event,
                channel=channel,
                text=form.cleaned_data["text"],
                subject=form.cleaned_data["subject"] if channel == "email" else "",
                is_enabled=form.cleaned_data["is_enabled"],
                actor=request_actor(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            flash.success(request, _("Template saved."))
            return redirect("messaging:template_edit", event=event, channel=channel)
    text = form["text"].value() or ""
    return render(
        request,
        "messaging/template_edit.html",
        {
            "form": form,
            "event": event_type,
            "channel": channel,
            "channel_label": CHANNEL_LABELS[channel],
            "resolved": resolved,
            "reference": reference,
            "client_language": client_language,
            **(_sms_counted(text) if channel == "sms" else {"sms": None}),
            "channels": CHANNELS,
            "channel_labels": CHANNEL_LABELS,
        },
    )


@staff_required()
@fragment_of("messaging:templates")
def sms_info(request: HttpRequest) -> HttpResponse:
    """Encoding, length and parts of an SMS text, for the editor's live counter (htmx)."""
    text = request.POST.get("text", "") if request.method == "POST" else request.GET.get("text", "")
    return render(request, "messaging/_sms_info.html", _sms_counted(text))


def _sms_counted(text: str) -> dict[str, Any]:
    """What the SMS counter can honestly say of a template: the template's own words are
    counted without its variables (a name or a broadcast's text is not known until sent),
    and a template that is nothing but variables ("{text}") has no length of its own."""
    own = PLACEHOLDER_RE.sub("", text)
    return {
        "sms": sms_parts(own),
        "has_variables": own != text,
        "only_variables": own != text and not own.strip(),
    }


# --- Staff notifications ------------------------------------------------------------------


@staff_required()
def notifications(request: HttpRequest) -> HttpResponse:
    """The list with filters (read/unread, kind, from–to date); one query for the page."""
    qs = selectors.notifications_for(organization=request_organization(request), user=request.user)  # type: ignore[arg-type]
    form = NotificationFilterForm(request.GET or None)
    if form.is_valid():
        qs = form.filter(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "messaging/notifications.html",
        {"page": page, "form": form, "query": query.urlencode()},
    )


@staff_required()
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read without following its link; back to the same filters."""
    notification: StaffNotification = get_object_or_404(
        selectors.notifications_for(organization=request_organization(request), user=request.user),  # type: ignore[arg-type]
        pk=pk,
    )
    services.notification_mark_read(notification=notification, user=request.user)  # type: ignore[arg-type]
    return _back_to_list(request)


def _back_to_list(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    url = reverse("messaging:notifications")
    if query and url_has_allowed_host_and_scheme(f"{url}?{query}", allowed_hosts=None):
        return redirect(f"{url}?{query}")
    return redirect(url)


@staff_required()
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and follow the notification's link (a local path only)."""
    notification: StaffNotification = get_object_or_404(
        selectors.notifications_for(organization=request_organization(request), user=request.user),  # type: ignore[arg-type]
        pk=pk,
    )
    services.notification_mark_read(notification=notification, user=request.user)  # type: ignore[arg-type]
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("messaging:notifications")


@staff_required()
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(
        organization=request_organization(request),
        user=request.user,  # type: ignore[arg-type]
    )
    return _back_to_list(request)


# --- Unsubscribe link (public) ------------------------------------------------------------


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the end of a broadcast: one button opts the client out of broadcasts
    (a POST: mail scanners that open links must not unsubscribe anybody), another back in."""
    client = selectors.client_for_unsubscribe(token)
    if client is None:
        raise Http404
    organization = client.organization
    with public_scope(organization, public_language(request, organization)):
        if request.method == "POST":
            services.client_opt_out_set(
                client=client,
                channel=None,
                opted_out=request.POST.get("action") != "subscribe",
                actor=Actor.client_link(f"unsubscribe link of client {client.pk}"),
                source=MarketingOptOut.Source.LINK,
            )
            return redirect(request.path)
        response = render(
            request,
            "messaging/unsubscribe.html",
            {
                "organization": organization,
                "opted_out": selectors.client_opted_out_everywhere(client=client),
            },
        )
    response["Cache-Control"] = "no-store"
    return response
