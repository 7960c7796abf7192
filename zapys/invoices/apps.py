from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "zapys.invoices"
    label = "invoices"
    verbose_name = "Invoices"

    def ready(self) -> None:
        # The rules' calendar work must be known wherever a rule is saved (web and API
        # processes too, not only the scheduler that discovers jobs).
        from zapys.invoices import (
            events,  # noqa: F401  (declares the message events)
            jobs,  # noqa: F401
        )
