from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitMessagesConfig(AppConfig):
    """The client's visit confirmation («Ви записані…») and reminders («Нагадуємо: завтра…»)."""

    name = "zapys.visit_messages"
    label = "visit_messages"
    verbose_name = _("Visit confirmations and reminders")
