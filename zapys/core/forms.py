"""Form helpers: Bootstrap classes on every widget, so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms

from zapys.core.exceptions import DomainError


def form_add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the form: each field error on its field (the API's
    `branch_id` is the form's `branch`), anything else — and a refusal without field errors —
    above the form."""
    errors = exc.errors or [{"field": "", "message": exc.detail}]
    for error in errors:
        field = error.get("field") or ""
        if field not in form.fields:
            field = field.removesuffix("_id")
        form.add_error(field if field in form.fields else None, error["message"])


class StyledFormMixin:
    """Adds Bootstrap's classes to widgets; `is-invalid` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(
                widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)
            ):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass
