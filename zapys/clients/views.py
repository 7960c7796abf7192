"""Staff pages of the clients app: list, card, create/edit, freeze, delete/restore, import.

Views parse input and call one service; a DomainError becomes a field error on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from zapys.clients import import_files, selectors
from zapys.clients.card import card_actions, card_tabs
from zapys.clients.forms import ClientForm, FreezeForm, ImportUploadForm, split_tag_input
from zapys.clients.import_files import MAX_FILE_BYTES
from zapys.clients.importing import client_import_start, client_import_upload
from zapys.clients.models import Client, ClientImport
from zapys.clients.phones import normalize_phone
from zapys.clients.selectors import client_or_404
from zapys.clients.services import (
    client_create,
    client_delete,
    client_freeze,
    client_restore,
    client_unfreeze,
    client_update,
    client_validate,
    clients_tag,
)
from zapys.core.audit_reading import audit_rows_read
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor
from zapys.core.views import staff_required

PAGE_SIZE = 50
MANAGERS = ("owner", "administrator")


def _list_context(query: QueryDict, *, deleted: bool = False) -> dict[str, Any]:
    search = query.get("q", "").strip()
    tag_ids = [int(t) for t in query.getlist("tag") if t.isdigit()]
    qs = selectors.client_list(search=search, tag_ids=tag_ids, deleted=deleted)
    page = Paginator(qs, PAGE_SIZE).get_page(query.get("page"))
    clients = list(page.object_list)
    balances = selectors.balances_for([c.pk for c in clients])
    for client in clients:
        client.balance = balances.get(client.pk, 0)  # type: ignore[attr-defined]
    return {
        "page": page,
        "clients": clients,
        "search": search,
        "selected_tags": tag_ids,
        "tags": list(selectors.tag_list()),
        "deleted_view": deleted,
        "query_string": query.urlencode(),
        "page_query": "".join(f"{part}&" for part in [_without_page(query)] if part),
    }


def _without_page(query: QueryDict) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


@staff_required()
def client_list(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/list.html", _list_context(request.GET))


@staff_required(*MANAGERS)
def client_deleted_list(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/list.html", _list_context(request.GET, deleted=True))


@staff_required()
@require_POST
def clients_bulk_tag(request: HttpRequest) -> HttpResponse:
    """Add a tag to the clients ticked on the list, then show the same list page again."""
    return_query = QueryDict(request.POST.get("return_query", ""))
    ids = [int(i) for i in request.POST.getlist("client") if i.isdigit()]
    chosen = list(Client.objects.alive().filter(pk__in=ids))
    error = ""
    try:
        changed = clients_tag(
            organization=request.organization,  # type: ignore[attr-defined]
            clients=chosen,
            tag_names=split_tag_input(request.POST.get("tag_name", "")),
            actor=request_actor(request),
        )
    except DomainError as exc:
        error = exc.detail
    else:
        messages.success(
            request,
            ngettext("Tagged %(n)s client.", "Tagged %(n)s clients.", changed) % {"n": changed},
        )
    if request.htmx:  # type: ignore[attr-defined]
        context = _list_context(return_query)
        context["bulk_error"] = error
        return render(request, "clients/_results.html", context)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('clients:list')}?{return_query.urlencode()}")


def _save_client_form(
    request: HttpRequest, form: ClientForm, client: Client | None
) -> Client | None:
    if not form.is_valid():
        # Show the service's verdict on the fields the form accepted too (an invalid phone
        # next to an unparsable birthday), so every mistake is shown at once.
        accepted = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        tags = split_tag_input(accepted.pop("tags", "") or "") if "tags" in accepted else None
        try:
            client_validate(accepted, tags=tags)
        except DomainError as exc:
            for error in exc.errors:
                field = error.get("field")
                if field and field in form.fields and field not in form.errors:
                    form.add_error(field, error["message"])
        return None
    try:
        if client is None:
            client = client_create(
                organization=request.organization,  # type: ignore[attr-defined]
                actor=request_actor(request),
                **form.service_kwargs(),
            )
        else:
            client = client_update(
                client=client, actor=request_actor(request), **form.service_kwargs()
            )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return None
    for warning in selectors.client_warnings(client):
        messages.warning(request, warning)
    return client


@staff_required()
def client_create_view(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST":
        client = _save_client_form(request, form, None)
        if client is not None:
            messages.success(request, _("Client %(name)s created.") % {"name": client.name})
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/form.html",
        {"form": form, "client": None, "tags": selectors.tag_list()},
    )


@staff_required()
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    form = ClientForm(request.POST) if request.method == "POST" else ClientForm.for_client(client)
    if request.method == "POST":
        saved = _save_client_form(request, form, client)
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect("clients:detail", client_id=client.pk)
    return render(
        request,
        "clients/form.html",
        {"form": form, "client": client, "tags": selectors.tag_list()},
    )


@staff_required()
@fragment_of("clients:create")
def phone_check(request: HttpRequest) -> HttpResponse:
    """htmx: warn while typing that another client has this phone (a warning, never a block)."""
    exclude = request.GET.get("client_id", "")
    try:
        phone = normalize_phone(request.GET.get("phone", ""))
    except DomainError as exc:
        return render(request, "clients/_phone_check.html", {"error": exc.detail})
    others = selectors.client_phone_duplicates(
        phone=phone, exclude_id=int(exclude) if exclude.isdigit() else None
    )
    return render(request, "clients/_phone_check.html", {"others": others, "phone": phone})


def _card_context(client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "balance": selectors.client_balance(client),
        "freeze": selectors.client_current_freeze(client),
        "today": selectors.org_today(client.organization),
        "tabs": card_tabs(client.pk),
        "actions": card_actions(client.pk) if not client.is_deleted else [],
        "freezes": list(selectors.client_freezes(client)[:10]),
    }


@staff_required()
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    # A deleted client's card stays reachable from the deleted list (to restore it).
    client = client_or_404(client_id, include_deleted=True)
    context = _card_context(client)
    context["freeze_form"] = FreezeForm()
    # the tab `?tab=` names (a fragment opened as a page is sent here with it), else the first
    keys = [tab["key"] for tab in context["tabs"]]
    wanted = request.GET.get("tab")
    context["open_tab"] = wanted if wanted in keys else next(iter(keys), "")
    return render(request, "clients/detail.html", context)


@staff_required()
@fragment_of("clients:detail")
def client_overview(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, include_deleted=True)
    return render(request, "clients/_overview.html", _card_context(client))


@staff_required()
@fragment_of("clients:detail")
def client_card_balance(request: HttpRequest, client_id: int) -> HttpResponse:
    """The card header's balance, reloaded when a tab changes it (the `balanceChanged`
    htmx event, e.g. after an entry is cancelled on the Payments tab)."""
    client = client_or_404(client_id, include_deleted=True)
    return render(
        request,
        "clients/_card_balance.html",
        {"client": client, "balance": selectors.client_balance(client)},
    )


@staff_required()
@fragment_of("clients:detail", tab="history")
def client_history(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, include_deleted=True)
    page = Paginator(selectors.client_history(client), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "clients/_history.html",
        {"client": client, "page": page, "rows": audit_rows_read(page.object_list)},
    )


@staff_required(*MANAGERS)
@require_POST
def client_delete_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    try:
        client_delete(client=client, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("clients:detail", client_id=client.pk)
    messages.success(
        request,
        _("%(name)s was deleted. The data is kept; you can restore the client.")
        % {"name": client.name},
    )
    return redirect("clients:list")


@staff_required(*MANAGERS)
@require_POST
def client_restore_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, include_deleted=True)
    try:
        client_restore(client=client, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(name)s was restored.") % {"name": client.name})
    return redirect("clients:detail", client_id=client.pk)


@staff_required()
def client_freeze_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    form = FreezeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client_freeze(client=client, actor=request_actor(request), **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The client is frozen; memberships were extended."))
            return redirect("clients:detail", client_id=client.pk)
    return render(request, "clients/freeze.html", {"client": client, "form": form})


@staff_required()
@require_POST
def client_unfreeze_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    try:
        freeze = client_unfreeze(client=client, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if freeze.is_cancelled:
            messages.success(
                request,
                _("The planned freeze was cancelled; memberships are back to their dates."),
            )
        else:
            messages.success(request, _("The freeze was ended; unused days were taken back."))
    return redirect("clients:detail", client_id=client.pk)


# --- Import -------------------------------------------------------------------------------


class _ImportSizeLimit(FileUploadHandler):
    """Stops keeping an uploaded file once it passes MAX_FILE_BYTES: the rest of the body is
    read and dropped instead of filling the temporary directory."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > MAX_FILE_BYTES:
            self.request.import_too_big = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers build the file


@csrf_exempt  # the size limit must be in place before the CSRF check reads the body...
@staff_required(*MANAGERS)
def client_import(request: HttpRequest) -> HttpResponse:
    # (Had anything read the body already, this would change nothing: the service still
    # refuses the size, only after the whole file was received.)
    request.upload_handlers.insert(0, _ImportSizeLimit(request))
    return _client_import(request)


@csrf_protect  # ...and the CSRF check runs here, on the limited body
def _client_import(request: HttpRequest) -> HttpResponse:
    """Upload: the file is stored and the worker reads it; this request opens nothing."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if getattr(request, "import_too_big", False):
        form = ImportUploadForm(request.POST, request.FILES)
        form.is_valid()  # "required": the size limit dropped the file...
        form.errors["file"] = form.error_class([import_files.too_big_message()])  # ...say why
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = client_import_upload(
                organization=request.organization,  # type: ignore[attr-defined]
                file=upload,
                filename=upload.name,
                size=upload.size,
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            return redirect("clients:import_detail", import_id=created.pk)
    recent = ClientImport.objects.select_related("created_by", "started_by").order_by(
        "-created_at"
    )[:10]
    return render(request, "clients/import.html", {"form": form, "recent": recent})


def _import_or_404(import_id: int) -> ClientImport:
    try:
        return selectors.client_import_get(import_id=import_id)
    except DomainError:
        raise Http404("Import not found.") from None


@staff_required(*MANAGERS)
def client_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    upload = _import_or_404(import_id)
    return render(request, "clients/import_detail.html", {"upload": upload})


@staff_required(*MANAGERS)
@fragment_of("clients:import_detail")
def client_import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """htmx polling target: "checking the file" until the worker's dry-run report is ready,
    then the report with the confirmation; after it, the progress bar and the final report."""
    upload = _import_or_404(import_id)
    return render(request, "clients/_import_progress.html", {"upload": upload})


@staff_required(*MANAGERS)
@require_POST
def client_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    upload = _import_or_404(import_id)
    try:
        upload = client_import_start(upload=upload, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if upload.status == ClientImport.Status.DONE:
            messages.success(request, _("The import is finished."))
    return redirect("clients:import_detail", import_id=upload.pk)
