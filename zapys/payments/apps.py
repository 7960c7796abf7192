from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zapys.payments"
    label = "payments"

    def ready(self) -> None:
        # The sandbox provider registers itself in the provider registry on import. Payments
        # declares no purpose: the apps that take payments do, in their purposes.py.
        from zapys.payments.providers import sandbox  # noqa: F401
