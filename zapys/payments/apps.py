from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zapys.payments"
    label = "payments"

    def ready(self) -> None:
        # The sandbox provider registers itself in the provider registry on import.
        from zapys.payments.providers import sandbox  # noqa: F401
        from zapys.payments.purposes import register_purpose
        from zapys.payments.topups import TOP_UP, TopUpHandler

        register_purpose(TOP_UP, TopUpHandler())
