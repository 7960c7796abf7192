"""Staff forms of the clients app. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zapys.clients.import_files import MAX_FILE_BYTES, MAX_ROWS
from zapys.clients.models import Client
from zapys.core.forms import StyledForm
from zapys.core.vocative import vocative


def split_tag_input(text: str) -> list[str]:
    """ "VIP, yoga; new" → ["VIP", "yoga", "new"] (empty pieces from stray commas dropped)."""
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


class ClientForm(StyledForm):
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    # Empty: Ukrainian messages greet by the rule's vocative, said in the hint (`_hint`).
    first_name_vocative = forms.CharField(
        label=_("Form of address"), max_length=100, required=False
    )
    # A legal entity has one name (a company's); a person has the parts above.
    name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+380 67 123 45 67"}),
    )
    email = forms.CharField(
        label=_("E-mail"), max_length=254, required=False, widget=forms.EmailInput()
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    client_type = forms.ChoiceField(label=_("Client type"), choices=Client.Type.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Client.Status.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas; a new name creates a new tag."),
        widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_client(cls, client: Client, data: Any = None) -> ClientForm:
        initial = {
            "name": client.name if client.client_type == Client.Type.LEGAL_ENTITY else "",
            "last_name": client.last_name,
            "first_name": client.first_name,
            "middle_name": client.middle_name,
            "first_name_vocative": client.first_name_vocative,
            "phone": client.phone,
            "email": client.email,
            "birthday": client.birthday,
            "client_type": client.client_type,
            "status": client.status,
            "note": client.note,
            "tags": ", ".join(t.name for t in client.tags.all()),
        }
        return cls(data, initial=initial)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        typed = self.data.get("first_name") if self.is_bound else self.initial.get("first_name")
        self.fields["first_name_vocative"].help_text = vocative_hint(str(typed or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("client_type") == Client.Type.LEGAL_ENTITY:
            if not (data.get("name") or "").strip() and "name" not in self.errors:
                self.add_error("name", gettext("Enter the company's name."))
        elif "first_name" not in self.errors and not any(
            (data.get(k) or "").strip() for k in ("first_name", "last_name", "name")
        ):
            self.add_error("first_name", gettext("Enter the client's first or last name."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tags"] = split_tag_input(data.get("tags") or "")
        if data.get("client_type") == Client.Type.LEGAL_ENTITY:
            for part in ("last_name", "first_name", "middle_name"):
                data.pop(part, None)
        elif any((data.get(k) or "").strip() for k in ("first_name", "last_name", "middle_name")):
            data.pop("name", None)
        else:  # a name on one line (a posted `name` only): the service splits it
            for part in ("last_name", "first_name", "middle_name"):
                data.pop(part, None)
        return data


def vocative_hint(first_name: str) -> str:
    """What an empty form of address means, said for the name typed: «Якщо не заповнено —
    у повідомленнях українською «Оксано»», or that the name is used as written."""
    name = first_name.strip()
    if not name:
        return gettext(
            "Empty: Ukrainian messages address the client in the vocative, formed from "
            "the first name."
        )
    form = vocative(name)
    if form == name:
        return gettext("Empty: Ukrainian messages use the first name as written.")
    return gettext("Empty: Ukrainian messages say “%(form)s”.") % {"form": form}


class FreezeForm(StyledForm):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


def _import_help() -> str:
    return gettext(
        "CSV or XLSX up to %(size)s MB and %(rows)s rows. Columns: name, phone (required), "
        "email, birthday, note, tags (comma-separated), balance, type, status."
    ) % {
        "size": MAX_FILE_BYTES // (1024 * 1024),
        "rows": number_format(MAX_ROWS, force_grouping=True),
    }


class ImportUploadForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        help_text=lazy(_import_help, str)(),
        # Hidden: the browser's own button and "No file chosen" speak the browser's language,
        # not the page's; clients/import.html draws a button and the chosen name instead.
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "class": "visually-hidden"}),
    )
