"""Forms of the staff pages and the public purchase page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Branch
from zapys.catalog.models import Group
from zapys.core.forms import StyledForm, StyledModelForm
from zapys.online_sales.models import OnlineSalesSettings, PlanOnline
from zapys.online_sales.services import STYLE_BOUNDS, STYLE_FIELDS
from zapys.payments.models import PaymentAccount
from zapys.schedule.models import Visit

COLOR_FIELDS = ("text_color", "background", "border_color")
#: The button editor's order of the design fields.
PAGE_ORDER = (*COLOR_FIELDS, "width", "height", "text_size", "border_width", "radius", "bold")


def _style_widgets() -> dict[str, Any]:
    widgets: dict[str, Any] = {
        name: forms.TextInput(attrs={"type": "color", "class": "form-control-color"})
        for name in COLOR_FIELDS
    }
    for name, (low, high) in STYLE_BOUNDS.items():
        widgets[name] = forms.NumberInput(attrs={"min": low, "max": high})
    return widgets


class SettingsForm(StyledModelForm):
    # Declared here: a model form's default choices would query outside the organization.
    payment_account = forms.ModelChoiceField(
        label=_("Payment account"), queryset=PaymentAccount._base_manager.none(), required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch receiving the money"),
        queryset=Branch._base_manager.none(),
        required=False,
        help_text=_("Empty: the first active branch."),
    )

    class Meta:
        model = OnlineSalesSettings
        fields = ("enabled", "payment_account", "commission_percent", "auto_attach", "branch")
        # shown and typed the page's way: "2,50" in Ukrainian, "2.50" in English
        localized_fields = ("commission_percent",)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = PaymentAccount.objects.for_org(organization).filter(is_active=True)
        self.fields["payment_account"].queryset = accounts  # type: ignore[attr-defined]
        branches = Branch.objects.for_org(organization).filter(is_active=True)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]


class ButtonForm(StyledModelForm):
    """The button's text and its design (O2): every field drives the live preview."""

    class Meta:
        model = PlanOnline
        # The page's order: the texts, the colours (three to a row), then the sizes by pairs
        # (a style field missing from PAGE_ORDER fails here, at import).
        fields = ("button_text", "button_text_en", *sorted(STYLE_FIELDS, key=PAGE_ORDER.index))
        widgets = _style_widgets()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each text's placeholder is what its buyers read when it is left empty, in the
        # text's own language whatever the staff page's ("Купити «…»" above "Buy “…”").
        for name, language in (("button_text", "uk"), ("button_text_en", "en")):
            self.fields[name].widget.attrs.update(
                placeholder=self.instance.default_label(language), lang=language
            )
        # The service's bounds, checked here too so the field is marked.
        for name, (low, high) in STYLE_BOUNDS.items():
            self.fields[name].validators += [MinValueValidator(low), MaxValueValidator(high)]
        for name in COLOR_FIELDS:
            self.fields[name].validators.append(
                RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1a2b3c."))
            )


class BuyForm(StyledForm):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The activation code and the membership's details are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=30,
        required=False,
        help_text=_("If you are already our client, the membership is added to you at once."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class AttachForm(StyledForm):
    client_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    new_client_name = forms.CharField(
        label=_("Or create a client with this name"), max_length=200, required=False
    )
    starts_on = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Groups the client may attend"),
        queryset=Group._base_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Rendered by hand in the lessons list (`_lessons.html`), refreshed as groups change.
    lesson_ids = forms.ModelMultipleChoiceField(
        label=_("Book classes"),
        queryset=Visit._base_manager.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lessons = Visit.objects.filter(kind=Visit.Kind.LESSON).select_related("group")
        self.fields["lesson_ids"].queryset = lessons  # type: ignore[attr-defined]
        groups = Group.objects.filter(is_active=True)
        if not plan.covers_everything:
            groups = groups.filter(
                Q(pk__in=plan.groups.values("pk")) | Q(subject__in=plan.subjects.values("pk"))
            )
        self.fields["groups"].queryset = groups.order_by("name")  # type: ignore[attr-defined]


class SaleFilterForm(StyledForm):
    search = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All paid")),
            ("paid", _("Not attached")),
            ("attached", _("Attached")),
            ("refunded", _("Refunded")),
            ("pending", _("Awaiting payment")),
        ],
    )
