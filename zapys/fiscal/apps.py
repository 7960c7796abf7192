from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "zapys.fiscal"
    label = "fiscal"
    verbose_name = _("Fiscal receipts")
