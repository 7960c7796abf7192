"""Staff forms of the waiting list (parsing only; services do the writing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.core.forms import StyledForm, StyledFormMixin, quiet_hours_fields
from zapys.schedule.forms import PublicBookingForm
from zapys.schedule.models import Visit
from zapys.waitlist.models import Entry


def _lesson_label(lesson: Visit) -> str:
    # the page's one date format (the list's dates and offers are SHORT_DATETIME_FORMAT too)
    when = date_format(timezone.localtime(lesson.starts_at), "SHORT_DATETIME_FORMAT")
    return f"{lesson.title} · {when}"


# The empty choice of the entry form's optional fields says what it means.
EMPTY_CHOICE = {
    "service": _("Any service"),
    "staff": _("Any specialist"),
    "lesson": _("No group class"),
}


class EntryForm(StyledForm):
    """What the client waits for: a service and/or a specialist between two dates, or a
    seat of a group lesson."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client._base_manager.none())
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service._base_manager.none(), required=False
    )
    staff = forms.ModelChoiceField(
        label=_("Specialist"), queryset=User._base_manager.none(), required=False
    )
    lesson = forms.ModelChoiceField(
        label=_("Group class"), queryset=Visit._base_manager.none(), required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        if client is not None:  # the client card's page: the client is the card's
            del fields["client"]
        else:
            client_field = fields["client"]
            assert isinstance(client_field, forms.ModelChoiceField)
            client_field.queryset = Client.objects.filter(deleted_at__isnull=True).order_by("name")
        for name, queryset in (
            ("service", Service.objects.filter(is_active=True).order_by("name")),
            ("staff", User.objects.filter(is_active=True).order_by("first_name", "last_name")),
            (
                "lesson",
                Visit.objects.filter(
                    kind=Visit.Kind.LESSON, blocks_time=True, starts_at__gt=timezone.now()
                )
                .select_related("group", "subject", "lesson_type")
                .order_by("starts_at")[:200],
            ),
        ):
            field = fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            # what leaving it empty means, in words (a bare "—" read as a missing choice)
            field.empty_label = EMPTY_CHOICE[name]
        lesson_field = fields["lesson"]
        assert isinstance(lesson_field, forms.ModelChoiceField)
        lesson_field.label_from_instance = _lesson_label  # type: ignore[method-assign,assignment]


class EntryFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Waiting or offered")), ("all", _("All statuses")), *Entry.Status.choices],
    )
    # An entry names no branch: the branch's entries are those its freed time could serve
    # (`selectors.entry_in_branch`, as the dashboard card counts them; the card links here
    # with its branch).
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch._base_manager.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service._base_manager.none(), required=False
    )
    staff = forms.ModelChoiceField(
        label=_("Specialist"), queryset=User._base_manager.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "All services" / "All specialists": the empty choice names what the filter lets
        # through, like the other lists' filters (a bare "All" beside "— choose —" read as
        # two different things)
        for name, queryset, empty in (
            ("service", Service.objects.order_by("name"), _("All services")),
            (
                "staff",
                User.objects.filter(is_active=True).order_by("first_name", "last_name"),
                _("All specialists"),
            ),
            ("branch", Branch.objects.filter(is_active=True).order_by("name"), _("All branches")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
            field.empty_label = empty
        # the small selects of a filter row (core.filter_forms): with the full-size ones
        # "All specialists" was cut off beside the status choice at 1366 px
        for field in self.fields.values():
            field.widget.attrs["class"] = f"{field.widget.attrs['class']} form-select-sm"


class PublicJoinForm(StyledFormMixin, PublicBookingForm):
    """The online booking page's contact fields, and the days the client can come. Styled
    like every form: the days are typed and shown dd.mm.yyyy (not the browser's native date
    input, which follows the browser's locale, not the page's)."""

    date_from = forms.DateField(label=_("From"), widget=forms.DateInput())
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput())


class SettingsForm(StyledForm):
    """The organization's waiting-list settings (the service checks the bounds again)."""

    offer_minutes = forms.IntegerField(
        label=_("Minutes to pay for an offered time"),
        min_value=5,
        max_value=1440,
        help_text=_(
            "A freed time is offered to one waiting client at a time; unpaid after this "
            "long, it passes to the next. A client who misses an offer keeps their place."
        ),
    )
    quiet_from, quiet_to = quiet_hours_fields(
        from_label=_("No offers from"),
        to_label=_("No offers until"),
        help_text=_(
            "Nobody gets an offer at night: a time freed in these hours is offered when they "
            "end, if it is still free, and the time to pay counts from that message. The same "
            "time in both fields: offers at any hour."
        ),
    )
