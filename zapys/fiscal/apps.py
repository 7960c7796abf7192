from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "zapys.fiscal"
    label = "fiscal"
    verbose_name = _("Fiscal receipts")

    def ready(self) -> None:
        from zapys.fiscal import events  # noqa: F401  (declares the message event)
