"""Health check, dashboard, audit log."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.static import serve
from huey.contrib.djhuey import HUEY

from zapys.core.audit_reading import audit_rows_read
from zapys.core.collation import ukrainian_sort_key
from zapys.core.dashboard import dashboard_branch
from zapys.core.models import AuditLog
from zapys.core.ui import AUDIT_ACTIONS, SEARCH_TARGETS

if TYPE_CHECKING:
    pass


def staff_required(*roles: str) -> Callable:
    """Logged-in staff of an organization; with roles, only those roles (403 page otherwise)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if getattr(user, "organization_id", None) is None:
                return HttpResponseForbidden(_("This account does not belong to an organization."))
            if roles and user.role not in roles:  # type: ignore[union-attr]
                return render(request, "core/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the queue answer; 503 naming the part that does not."""
    status = {"status": "ok", "database": "ok", "queue": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        HUEY.pending_count()
    except Exception as exc:
        status["queue"] = f"error: {exc.__class__.__name__}"
    healthy = status["database"] == "ok" and status["queue"] == "ok"
    if not healthy:
        status["status"] = "error"
    return JsonResponse(status, status=200 if healthy else 503)


def dashboard_widgets(request: HttpRequest) -> list[dict]:
    """Cards other apps contribute: each app may define `dashboard.widgets(request)`."""
    widgets: list[dict] = []
    for app in settings.INSTALLED_APPS:
        name = f"{app}.dashboard"
        if app.startswith("zapys.") and importlib.util.find_spec(name) is not None:
            widgets.extend(importlib.import_module(name).widgets(request))
    # Today's work first (each card may say where it belongs); counts of the setup last.
    return sorted(widgets, key=lambda w: w.get("order", 100))


def public_url_is_local() -> bool:
    """Whether the links clients get point at this computer (the default of a local run):
    every reviewer of the demo read `http://127.0.0.1:8000/pay/…` as a broken link."""
    host = urlsplit(settings.ZAPYS_PUBLIC_URL).hostname or ""
    return host in {"localhost", "::1"} or host.startswith("127.")


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/dashboard.html",
        {
            "widgets": dashboard_widgets(request),
            # told to the owner and the administrators (who send the links), not specialists
            "public_url_local": request.user.role in ("owner", "administrator")  # type: ignore[union-attr]
            and public_url_is_local(),
            "public_url": settings.ZAPYS_PUBLIC_URL,
            # the branch every card counts in, said above them (read once, `dashboard_branch`)
            "dashboard_branch": dashboard_branch(request),
        },
    )


@staff_required("owner")
def audit_log(request: HttpRequest) -> HttpResponse:
    qs = AuditLog.objects.select_related("actor_user").order_by("-created_at", "-id")
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    actions = sorted(
        ((item.key, str(item.label)) for item in AUDIT_ACTIONS),
        key=lambda pair: ukrainian_sort_key(pair[1]),
    )
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "rows": audit_rows_read(page.object_list),
            "action": action,
            "actions": actions,
        },
    )


@staff_required()
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: the page the text names (a target an app declared with
    `core.ui.search_target`, e.g. an activation code typed or scanned — a scanner types the
    code and presses Enter), else the clients list searched for it."""
    text = request.GET.get("q", "").strip()[:200]
    if not text:
        return redirect("core:dashboard")
    role = request.user.role  # type: ignore[union-attr]
    for target in SEARCH_TARGETS:
        if role in target.roles:
            url = target.resolve(request, text)
            if url:
                return redirect(url)
    return redirect(f"{reverse('clients:list')}?{urlencode({'q': text})}")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: JSON in the API's error format under /api/, a readable page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": []}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 without touching the database or templates that might be what broke."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error.", "errors": []}, status=500)
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files in the embedded mode (see ZAPYS_SERVE_MEDIA); `serve` refuses paths
    that leave MEDIA_ROOT."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
