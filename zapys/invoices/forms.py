"""Staff forms of invoices: issue from the client card, the list's filters, send, settings;
and the public page's amount (partial payment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.catalog.models import LessonType, Subject
from zapys.clients.models import Client
from zapys.core.forms import StyledForm
from zapys.core.money import to_decimal_string
from zapys.core.vocabulary import current_words, relabel
from zapys.invoices import selectors
from zapys.invoices.events import TAGS
from zapys.invoices.models import NUMBER_PREFIX_MAX, Invoice, InvoiceRule, balance_label
from zapys.ledger.forms import MoneyField
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CHANNEL_LABELS, CHANNELS
from zapys.payments.models import PaymentAccount

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _membership_label(membership: Any) -> str:
    """A membership as the balance the money goes to: "Piano 8 · Separate membership
    balance" (or "· Main balance" when its plan keeps no balance of its own)."""
    return f"{membership.name} · {balance_label(membership.account)}"


class InvoiceForm(StyledForm):
    """I1: the seed's "Add invoice" window."""

    calculation = forms.ChoiceField(
        label=_("Calculation type"),
        choices=Invoice.Calculation.choices,
        initial=Invoice.Calculation.MANUAL,
        widget=forms.RadioSelect,
    )
    amount = MoneyField(
        label=_("Amount, UAH"), required=False, help_text=_("Manual calculation: any amount.")
    )
    membership = forms.ModelChoiceField(
        label=_("Client balance"),
        queryset=ClientMembership._base_manager.none(),
        required=False,
        empty_label=_("Main balance"),
        help_text=_(
            "The money goes to this balance; by membership price, the membership's price is "
            "invoiced."
        ),
    )
    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Client._base_manager.none(),
        required=False,
        empty_label=_("The client"),
        help_text=_("Another client who pays (a parent): the link and reminders go to them."),
    )
    remember_payer = forms.BooleanField(
        label=_("Remember as the client's payer"),
        required=False,
        help_text=_("Later invoices of this client go to this payer too."),
    )
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, widget=DATE)
    pay_from = forms.DateField(label=_("Payable from"), required=False, widget=DATE)
    # the link's last day; the due date (`Invoice.due_on`) is the period's start within it
    pay_until = forms.DateField(
        label=_("Link works until"),
        required=False,
        widget=DATE,
        help_text=_(
            "Empty: the link works until the invoice is archived. The invoice is due when "
            "its period starts, or on this day if it comes first."
        ),
    )
    repeatable = forms.BooleanField(label=_("May be paid again"), required=False)
    allow_partial = forms.BooleanField(label=_("Allow partial payment"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.fields["membership"]
        assert isinstance(membership, forms.ModelChoiceField)
        membership.queryset = ClientMembership.objects.filter(
            client=client, status=ClientMembership.Status.ACTIVE
        ).select_related("account")
        membership.label_from_instance = _membership_label  # type: ignore[method-assign,assignment]
        payer = self.fields["payer"]
        assert isinstance(payer, forms.ModelChoiceField)
        payer.queryset = Client.objects.alive().exclude(pk=client.pk).order_by("name")


class RuleChoiceField(forms.ModelChoiceField):
    """A rule by its label: a deleted rule reads "<name> (deleted)"."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class InvoiceFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Invoice.Status.choices]
    )
    date_from = forms.DateField(label=_("Issued from"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("Issued to"), required=False, widget=DATE)
    search = forms.CharField(label=_("Client or number"), required=False, max_length=200)
    rule = RuleChoiceField(
        label=_("Rule"), queryset=InvoiceRule._base_manager.none(), required=False
    )
    client = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ModelChoiceField)
        rule.queryset = selectors.rules_for_filter()
        rule.empty_label = _("Any")


def _channel_field() -> forms.ChoiceField:
    """How an invoice or a reminder goes out: a channel, or the one the client prefers."""
    return forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("As the client prefers")), *((c, CHANNEL_LABELS[c]) for c in CHANNELS)],
    )


class SendForm(StyledForm):
    #: Under a text field the client's and the invoice's details are buttons named in words
    #: (`messaging/_variable_chips.html`, the message-template editor's): a button inserts
    #: the stored tag ("{customer.first_name}", the seed's I6 syntax) at the cursor, so
    #: nobody has to read or type one. The same in the rule's and the reminder's forms.
    variables = TAGS

    channel = _channel_field()
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Empty: the organization's template for invoices. The buttons below insert the "
            "client's and the invoice's details."
        ),
    )


class InvoiceSettingsForm(StyledForm):
    # checked by the service (`number_prefix_clean`), which says what is allowed
    number_prefix = forms.CharField(label=_("Invoice number prefix"), max_length=NUMBER_PREFIX_MAX)
    payment_account = forms.ModelChoiceField(
        label=_("Payment account"),
        queryset=PaymentAccount._base_manager.none(),
        required=False,
    )
    requisites = forms.CharField(
        label=_("Payment details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Empty: the organization's legal name, tax ID, IBAN, bank and address."),
    )
    offer_url = forms.URLField(
        label=_("Public offer link"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the organization's offer link."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["payment_account"]
        assert isinstance(account, forms.ModelChoiceField)
        account.queryset = PaymentAccount.objects.filter(is_active=True)
        account.empty_label = _("Default account")
        self.fields["number_prefix"].help_text = _(
            "Letters and digits, with a hyphen between them if needed, %(max)s characters at "
            "most. A new prefix is for the invoices issued from now on: issued invoices keep "
            "their numbers. Clients see the number as it is on every page, in English too: "
            "if your clients read English, choose Latin letters (INV)."
        ) % {"max": NUMBER_PREFIX_MAX}


class PayAmountForm(StyledForm):
    """The public page's amount when partial payment is allowed."""

    amount = MoneyField(label=_("Amount to pay"))


class RuleForm(StyledForm):
    """I5: the seed's "What / When / How we send" in one form."""

    #: the buttons under `template`
    variables = TAGS

    name = forms.CharField(label=_("Name"), max_length=200)
    method = forms.ChoiceField(label=_("Calculation method"), choices=InvoiceRule.Method.choices)
    account = forms.ChoiceField(label=_("Which balance"), choices=InvoiceRule.AccountType.choices)
    period_type = forms.ChoiceField(label=_("Period type"), choices=InvoiceRule.PeriodType.choices)
    period = forms.ChoiceField(
        label=_("Period"), choices=InvoiceRule.Period.choices, initial="month"
    )
    client_status = forms.MultipleChoiceField(
        label=_("Client status"),
        choices=Client.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        # the rule filters by status only when one is ticked; say what none means
        help_text=_("Nothing ticked: any status."),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"), choices=[("", _("Any")), *Client.Type.choices], required=False
    )
    subject = forms.ModelChoiceField(
        label=_("Subject"),
        queryset=Subject._base_manager.none(),  # the organization's, set per form
        required=False,
        empty_label=_("Any"),
    )
    lesson_type = forms.ModelChoiceField(
        label=_("Lesson type"),
        queryset=LessonType._base_manager.none(),
        required=False,
        empty_label=_("Any"),
    )
    lessons_min = forms.IntegerField(label=_("Lessons left from"), required=False, min_value=0)
    lessons_max = forms.IntegerField(label=_("Lessons left to"), required=False, min_value=0)
    money_min = MoneyField(label=_("Money left from"), required=False, allow_zero=True)
    money_max = MoneyField(label=_("Money left to"), required=False, allow_zero=True)
    attended_30_days = forms.BooleanField(
        label=_("Only if attended classes in the last 30 days"), required=False
    )
    lesson_today = forms.BooleanField(label=_("Only if there is a class that day"), required=False)
    pay_window = forms.ChoiceField(label=_("Payment window"), choices=InvoiceRule.PayWindow.choices)
    repeatable = forms.BooleanField(label=_("May be paid again"), required=False)
    reissue_if_unpaid = forms.BooleanField(
        label=_("Issue again if an unpaid invoice exists"), required=False
    )
    every = forms.ChoiceField(
        label=_("Runs"),
        choices=[("day", _("Daily")), ("week", _("Weekly")), ("month", _("Monthly"))],
        initial="month",
    )
    at = forms.TimeField(
        label=_("Send at (time)"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week (weekly)"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", "—"),
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    day = forms.IntegerField(
        label=_("Day of the month (monthly)"), required=False, min_value=1, max_value=31
    )
    channel = _channel_field()
    template = forms.CharField(
        label=_("Template"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Empty: the organization's invoice template. The buttons below insert the "
            "client's and the invoice's details."
        ),
    )

    FILTERS = (
        "client_status",
        "client_type",
        "lessons_min",
        "lessons_max",
        "money_min",
        "money_max",
        "attended_30_days",
        "lesson_today",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets of the active organization, made per form (at import there is none).
        for name, model in (("subject", Subject), ("lesson_type", LessonType)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = model.objects.filter(is_active=True).order_by("name", "id")
        # the kind of business's words: «Предмет» at a school, «Напрям» in a salon
        relabel(
            self,
            current_words(),
            subject="subject",
            lesson_type="lesson_type",
            lessons_min="lessons_left_from",
            lessons_max="lessons_left_to",
        )

    #: The form's layout: sections (the seed's "What / Whom / When / How we send"), each a
    #: list of rows; a row of two is a from/to pair that never splits across lines. The
    #: weekday shows only for a weekly rule and the day of the month only for a monthly one
    #: (`SHOWN_WHEN`, by the page's script; without it both show, each labelled for which).
    LAYOUT = (
        (_("What is invoiced"), (("name",), ("method", "account"), ("period_type", "period"))),
        (
            _("To whom"),
            (
                ("client_status", "client_type"),
                ("subject", "lesson_type"),
                ("lessons_min", "lessons_max"),
                ("money_min", "money_max"),
                ("attended_30_days", "lesson_today"),
            ),
        ),
        (
            pgettext_lazy("invoice rule section", "Payment"),
            (("pay_window",), ("repeatable", "reissue_if_unpaid")),
        ),
        (_("When it runs"), (("every", "at"), ("weekday", "day"))),
        (_("How it is sent"), (("channel",), ("template",), ("enabled",))),
    )
    SHOWN_WHEN = {"weekday": ("every", "week"), "day": ("every", "month")}

    def sections(self) -> list[dict[str, Any]]:
        """`LAYOUT` with the bound fields this form has (the new-rule form has no
        "enabled"); each field knows when it is shown (`shown_when`: "every=week")."""
        result = []
        for title, rows in self.LAYOUT:
            bound_rows = []
            for row in rows:
                fields = [self[name] for name in row if name in self.fields]
                for field in fields:
                    when = self.SHOWN_WHEN.get(field.name)
                    field.shown_when = f"{when[0]}={when[1]}" if when else ""  # type: ignore[attr-defined]
                if fields:
                    bound_rows.append(fields)
            result.append({"title": title, "rows": bound_rows})
        return result

    #: Filters chosen from the catalogue: the form's field → the rule's filter key.
    CATALOGUE_FILTERS = {"subject": "subject_id", "lesson_type": "lesson_type_id"}
    FIELDS = (
        "name",
        "method",
        "account",
        "period_type",
        "period",
        "pay_window",
        "repeatable",
        "reissue_if_unpaid",
        "channel",
        "template",
    )

    def rule_values(self) -> dict[str, Any]:
        """What `rules.rule_save` takes, from the cleaned form: the rule's fields, its
        filters (empty ones left out) and `schedule` (the form's every/at/weekday/day)."""
        data = self.cleaned_data
        # `is` for False: 0 == False, and "money left from 0" is a real filter (no debtors)
        filters = {
            k: data[k]
            for k in self.FILTERS
            if data[k] is not False and data[k] not in (None, "", [])
        }
        for name, key in self.CATALOGUE_FILTERS.items():
            if data[name] is not None:
                filters[key] = data[name].pk
        values = {name: data[name] for name in self.FIELDS}
        values["filters"] = filters
        if "enabled" in self.fields:
            values["enabled"] = data["enabled"]
        return values

    @classmethod
    def initial_for(cls, rule: InvoiceRule, schedule: dict[str, Any]) -> dict[str, Any]:
        """The edit form's values: the rule as saved, its filters and its schedule."""
        filters = dict(rule.filters or {})
        initial: dict[str, Any] = {name: getattr(rule, name) for name in cls.FIELDS}
        initial.update({k: filters.get(k) for k in cls.FILTERS})
        for key in ("money_min", "money_max"):  # as people type it: "1 250,00", not kopecks
            if initial[key] is not None:
                text = to_decimal_string(int(initial[key]))
                # the form reads a comma as the decimal mark in Ukrainian, a dot in English
                initial[key] = text if get_language() == "en" else text.replace(".", ",")
        initial["client_status"] = filters.get("client_status") or []
        for name, key in cls.CATALOGUE_FILTERS.items():
            initial[name] = filters.get(key)
        initial["enabled"] = rule.enabled
        initial.update(schedule)
        return initial


class RuleEditForm(RuleForm):
    """A rule's edit: every option of the new-rule form, and whether it runs at all."""

    enabled = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        help_text=_("Off: the rule keeps its settings and does not run on its schedule."),
    )


class DunningLevelForm(StyledForm):
    """A payment reminder's day as a person says it — "3 days" + "before the due date" — not
    the signed number the reminder stores (`DunningLevel.days_from_due`, negative = before):
    an administrator read "-3" as a typo. `clean` gives the services `days_from_due` as
    before; an edit's `initial={"days_from_due": -3}` is shown as 3 + "before"."""

    #: the buttons under `template`
    variables = TAGS

    BEFORE, ON, AFTER = "before", "on", "after"
    days = forms.IntegerField(
        label=_("Number of days"), min_value=1, max_value=365, required=False, initial=3
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[
            (BEFORE, _("before the due date")),
            (ON, _("on the due date")),
            (AFTER, _("after the due date")),
        ],
        initial=BEFORE,
        help_text=_("The due date is the start of the period paid for, else the pay-by date."),
    )
    channel = _channel_field()
    template = forms.CharField(
        label=_("Template"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Empty: the organization's reminder template. The buttons below insert the "
            "client's and the invoice's details."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = dict(kwargs.pop("initial", None) or {})
        if "days_from_due" in initial:  # an existing reminder's stored day
            stored = int(initial.pop("days_from_due"))
            initial["days"] = abs(stored) or None
            initial["when"] = self.BEFORE if stored < 0 else self.AFTER if stored else self.ON
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        when = cleaned.pop("when", None)
        days = cleaned.pop("days", None)
        if when is None or "days" in self.errors:
            return cleaned
        if when == self.ON:
            cleaned["days_from_due"] = 0
        elif not days:
            self.add_error("days", _("Enter the number of days, or choose “on the due date”."))
        else:
            cleaned["days_from_due"] = -days if when == self.BEFORE else days
        return cleaned
