"""An organization's settings page: one form, saved through the app's service.

The app builds the form (its initial values are the current settings) and says how to save
it; the service checks every rule again and audits the change. A refusal shows on its
fields and nothing is saved (the page answers 400, as every refused form does); a saved
form says so and goes where the app says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error


def settings_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[dict[str, Any]], object],
    saved_message: str,
    success_url: str,
    template: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the page. POST: `save(form.cleaned_data)` when the form is valid, then
    `saved_message` and a redirect to `success_url` (a URL name or a path); a service's
    `DomainError` goes onto the form's fields."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            flash.success(request, saved_message)
            return redirect(success_url)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)
