from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "zapys.payments"
    label = "payments"

    def ready(self) -> None:
        # The sandbox provider registers itself in the provider registry on import.
        # The top-up purpose still lives in payments (declared on import); it moves to its
        # own app, found by `purposes_discover` like every other, with the top-up pages.
        from zapys.payments import topups  # noqa: F401
        from zapys.payments.providers import sandbox  # noqa: F401
