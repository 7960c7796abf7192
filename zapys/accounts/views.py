"""Staff login/logout/password, organization settings, API keys, branch switcher."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.forms import (
    ApiKeyForm,
    BranchForm,
    OrganizationSettingsForm,
    StaffForm,
    StyledPasswordChangeForm,
    ThrottledLoginForm,
    lockout_text,
)
from zapys.accounts.models import ApiKey, Branch, User
from zapys.accounts.selectors import accessible_branches
from zapys.accounts.services import (
    apikey_create,
    apikey_revoke,
    branch_create,
    branch_update,
    organization_update,
    staff_create,
    staff_update,
)
from zapys.accounts.throttling import request_locked_until
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
from zapys.core.money import money_input
from zapys.core.views import staff_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page itself.

    The login form has already put "try again after …" on the page it rendered; this
    only marks it 429 with Retry-After. Should a sign-in anywhere else be locked out,
    the login page is rendered here with the same text.
    """
    until = request_locked_until(request, credentials)
    if (
        original_response is None
        or request.resolver_match is None
        or (request.resolver_match.view_name != "accounts:login")
    ):
        form = ThrottledLoginForm(request)
        form.add_error(None, lockout_text(until or timezone.now()))
        original_response = render(request, LoginView.template_name, {"form": form})
    original_response.status_code = HTTPStatus.TOO_MANY_REQUESTS
    if until is not None:
        seconds = max(int((until - timezone.now()).total_seconds()), 1)
        original_response["Retry-After"] = str(seconds)
    return original_response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@staff_required("owner")
def settings_view(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    form = OrganizationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                organization=org,
                actor=request_actor(request),
                **{k: form.cleaned_data[k] for k in form.changed_data},
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})


@staff_required()
def api_keys(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ApiKeyForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _key, new_key = apikey_create(
            user=user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            actor=Actor.staff(user),  # type: ignore[arg-type]
        )
        form = ApiKeyForm()
    keys = ApiKey.objects.filter(user=user).order_by("-created_at")
    return render(
        request, "accounts/api_keys.html", {"form": form, "keys": keys, "new_key": new_key}
    )


@staff_required()
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(ApiKey.objects.filter(user=request.user), pk=key_id)
    apikey_revoke(key=key, actor=request_actor(request))
    messages.success(request, _("The key has been revoked."))
    return redirect("accounts:api_keys")


@staff_required()
@require_POST
def switch_branch(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("branch_id", "")
    allowed = {b.pk for b in accessible_branches(request.user)}  # type: ignore[arg-type]
    if wanted.isdigit() and int(wanted) in allowed:
        request.session["branch_id"] = int(wanted)
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)


# --- Staff and branches (owner) ----------------------------------------------------------


@staff_required("owner", "administrator")
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = User.objects.prefetch_related("branches").order_by("-is_active", "first_name", "id")
    branches = Branch.objects.order_by("name")
    return render(request, "accounts/staff_list.html", {"staff": staff, "branches": branches})


def _staff_form_view(request: HttpRequest, editing: User | None) -> HttpResponse:
    org = request_organization(request)
    initial: dict[str, object] = {}
    if editing is not None:
        initial = {
            "first_name": editing.first_name, "last_name": editing.last_name,
            "username": editing.username, "role": editing.role,
            "branches": list(editing.branches.all()), "position": editing.position,
            "phone": editing.phone, "is_active": editing.is_active,
            # The rate as typed back ("350.00"); the formatted amount's separator is a
            # no-break space, so splitting it on " " was a 500 for any rate (the crawler).
            "hourly_rate": money_input(editing.hourly_rate) if editing.hourly_rate else "",
        }  # fmt: skip
    form = StaffForm(request.POST or None, organization=org, editing=editing, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = request_actor(request)
        fields = {
            k: data[k]
            for k in ("first_name", "last_name", "role", "position", "phone", "hourly_rate")
        }
        try:
            if editing is None:
                staff_create(
                    organization=org, username=data["username"], password=data["password"],
                    branches=list(data["branches"]), actor=actor, **fields,
                )  # fmt: skip
            else:
                staff_update(
                    user=editing, actor=actor, branches=list(data["branches"]),
                    password=data["password"] or None, is_active=data["is_active"], **fields,
                )  # fmt: skip
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff")
    return render(request, "accounts/staff_form.html", {"form": form, "editing": editing})


@staff_required("owner")
def staff_new(request: HttpRequest) -> HttpResponse:
    return _staff_form_view(request, None)


@staff_required("owner")
def staff_edit(request: HttpRequest, staff_id: int) -> HttpResponse:
    return _staff_form_view(request, get_object_or_404(User.objects.all(), pk=staff_id))


@staff_required("owner")
def branch_form(request: HttpRequest, branch_id: int | None = None) -> HttpResponse:
    branch = get_object_or_404(Branch.objects.all(), pk=branch_id) if branch_id else None
    initial = (
        {
            "name": branch.name,
            "address": branch.address,
            "phone": branch.phone,
            "is_active": branch.is_active,
        }
        if branch
        else {}
    )
    form = BranchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor = request_actor(request)
        try:
            if branch is None:
                branch_create(
                    organization=request_organization(request), actor=actor, **form.cleaned_data
                )
            else:
                branch_update(branch=branch, actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:staff")
    return render(request, "accounts/branch_form.html", {"form": form, "branch": branch})
