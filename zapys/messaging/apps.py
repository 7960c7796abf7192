from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class MessagingConfig(AppConfig):
    name = "zapys.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Apps declare the messages they send in `zapys/<app>/events.py`.
        autodiscover_modules("events")
