from django.apps import AppConfig


class OnlineSalesConfig(AppConfig):
    name = "zapys.online_sales"
    label = "online_sales"

    def ready(self) -> None:
        from zapys.online_sales import events  # noqa: F401  (declares the message events)
