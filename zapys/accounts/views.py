"""Staff login/logout/password, organization settings, API keys, branch switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.forms import ApiKeyForm, OrganizationSettingsForm, ThrottledLoginForm
from zapys.accounts.models import ApiKey
from zapys.accounts.selectors import accessible_branches
from zapys.accounts.services import apikey_create, apikey_revoke, organization_update
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.views import staff_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:dashboard")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


@staff_required("owner")
def settings_view(request: HttpRequest) -> HttpResponse:
    org = request.user.organization  # type: ignore[union-attr]
    assert org is not None  # staff_required guarantees an organization
    form = OrganizationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(
                organization=org,
                actor=Actor.staff(request.user),  # type: ignore[arg-type]
                **{k: form.cleaned_data[k] for k in form.changed_data},
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
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
    apikey_revoke(key=key, actor=Actor.staff(request.user))  # type: ignore[arg-type]
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
