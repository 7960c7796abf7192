"""Catalogue forms (parsing only; the services validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import LessonType, Subject
from zapys.catalog.selectors import specialist_choices
from zapys.clients.models import Client
from zapys.core.forms import StyledForm
from zapys.core.money import parse_money
from zapys.core.vocabulary import Words, relabel, word_choices, words_for


class ServiceForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"),
        min_value=1,
        max_value=24 * 60,
        help_text=_("For example, 90 is 1 h 30 min."),
    )
    price = forms.CharField(label=_("Price, UAH"))
    branches: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Branches"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    specialists = forms.TypedMultipleChoiceField(
        label=_("Performed by"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Online booking offers only them. Nobody ticked: anyone who works in the "
            "service's branches."
        ),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    online_booking = forms.BooleanField(label=_("Bookable online"), required=False)
    is_active = forms.BooleanField(
        label=pgettext_lazy("service", "Active"), required=False, initial=True
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.for_org(organization)  # type: ignore[attr-defined]
        self.fields["specialists"].choices = specialist_choices(  # type: ignore[attr-defined]
            organization, keep=self.initial.get("specialists") or ()
        )

    def clean_price(self) -> int:
        try:
            value = parse_money(self.cleaned_data["price"])
        except ValueError:
            raise forms.ValidationError(_("Enter an amount like 450 or 450.50.")) from None
        if value < 0:
            raise forms.ValidationError(_("The price cannot be negative."))
        return value


class NameForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args: Any, words: Words, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # «Предмет» for a school, «Напрям» for a salon; the values stay the model's names
        self.fields["kind"].choices = word_choices(  # type: ignore[attr-defined]
            words, subject="subject", lesson_type="lesson_type"
        )


class RenameForm(StyledForm):
    """A subject's or a lesson type's page: its name (archiving is a button of its own)."""

    name = forms.CharField(label=_("Name"), max_length=200)


class RoomForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    branch: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=10)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.for_org(organization)  # type: ignore[attr-defined]


class GroupForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Branch"), queryset=None, required=False
    )
    subject: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Subject"), queryset=None, required=False
    )
    lesson_type: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Lesson type"), queryset=None, required=False
    )
    teacher: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Teacher"), queryset=None, required=False
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, initial=10)
    members: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        # A list of checkboxes, as the membership plan's: a <select multiple> needed
        # Ctrl+click, and a plain click dropped every other member.
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any):

        super().__init__(*args, **kwargs)
        relabel(
            self,
            words_for(organization),
            subject="subject",
            lesson_type="lesson_type",
            teacher="specialist",
        )
        self.fields["branch"].queryset = Branch.objects.for_org(organization)  # type: ignore[attr-defined]
        # An archived subject or lesson type is offered for no new group; a group that has
        # one keeps it (its own value stays a choice).
        for name, model in (("subject", Subject), ("lesson_type", LessonType)):
            current = self.initial.get(name)
            self.fields[name].queryset = model.objects.for_org(organization).filter(  # type: ignore[attr-defined]
                Q(is_active=True) | Q(pk=current if isinstance(current, int) else None)
            )
        self.fields["teacher"].queryset = User.objects.for_org(organization).filter(  # type: ignore[attr-defined]
            is_active=True
        )
        clients = Client.objects.for_org(organization).filter(deleted_at__isnull=True)
        self.fields["members"].queryset = clients.order_by("name")  # type: ignore[attr-defined]
