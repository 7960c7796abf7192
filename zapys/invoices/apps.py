from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "zapys.invoices"
    label = "invoices"
    verbose_name = "Invoices"

    def ready(self) -> None:
        from zapys.invoices import events  # noqa: F401  (declares the message events)
